"""Lessons: their files, what they show, and ``sim lesson`` writing the GIF and the summary."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from sim import lessons, views
from sim.hydra_conf import load

NAMES = ["empty_platform", "fish_shop", "partner_withholds", "predictable_patrol", "runaway_loop", "the_leak"]
TINY = ["world.actors=3000", "run.rounds=4", "run.replications=2"]


def tiny(name: str) -> list[str]:
    """The tiny scale for a lesson; the_leak's schedule acts after round 25, so it runs 27 rounds."""
    return [o if o != "run.rounds=4" else "run.rounds=27" for o in TINY] if name == "the_leak" else TINY


def test_the_six_lessons_are_there():
    assert lessons.available() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_lesson_files_are_complete(name):
    lesson = lessons.load_lesson(name)
    assert lesson.title and lesson.essay and lesson.contrast in views.CONTRASTS
    assert all(lesson.sections[s].strip() for s in lessons.SECTIONS)
    assert all(m in views.METRICS for m in lesson.watch)
    scenario = (lessons.LESSON_DIR / f"{name}.yaml").read_text()
    assert scenario.startswith("# @package _global_")
    assert "essay" in scenario.split("defaults:")[0]  # says which part of the essay it follows
    cfg = load([f"arrangement=lessons/{name}"])
    assert cfg.arrangement.name == name


def test_unknown_lesson_lists_the_available_ones(capsys):
    assert lessons.main(["no_such_lesson"]) == 2
    err = capsys.readouterr().err
    assert "unknown lesson 'no_such_lesson'" in err and all(n in err for n in NAMES)
    assert "Traceback" not in err


def test_bad_override_and_bad_option_exit_2(capsys, tmp_path):
    assert lessons.main(["fish_shop", "--out", str(tmp_path), "world.actors=-5"]) == 2
    assert "world.actors" in capsys.readouterr().err
    assert lessons.main(["fish_shop", "--frames"]) == 2
    assert lessons.main([]) == 2
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("arrangement=zwartwerken", ("arrangement='zwartwerken'", "fish_shop", "sim arrangement=zwartwerken")),
        ("arrangement.name=zwartwerken", ("arrangement.name='zwartwerken'", "lessons/fish_shop")),
        ("regime.interpretation=open", ("regime.interpretation='open'", "open on one side and closed on the other")),
    ],
)
def test_an_override_that_changes_the_lesson_is_refused_naming_the_key(override, words, capsys, tmp_path):
    # A lesson is its own arrangement and contrast: another arrangement would be shown under
    # the lesson's name (fish_shop.gif), a contrasted key overridden by the contrast on both sides.
    assert lessons.main(["fish_shop", "--out", str(tmp_path), override, *TINY]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


def test_unwritable_output_folder_is_refused_before_any_work(capsys, tmp_path):
    (tmp_path / "slides").write_text("a file where the output folder's parent should be")
    assert lessons.main(["fish_shop", "--out", str(tmp_path / "slides" / "fish"), *TINY]) == 2
    err = capsys.readouterr().err
    assert "--out=" in err and "slides is not a folder" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slides"]


def test_malformed_narrative_is_refused():
    with pytest.raises(lessons.LessonError, match="front matter"):
        lessons.split_front_matter("# no front matter\n", "x.md")
    meta, body = lessons.split_front_matter("---\ntitle: T\n---\n## Setup\nA\n## Takeaway\nB\n")
    assert meta == {"title": "T"} and lessons.split_sections(body) == {"Setup": "A", "Takeaway": "B"}


@pytest.mark.parametrize("name", NAMES)
def test_lesson_renders_gif_and_summary(name, tmp_path):
    out = tmp_path / name
    assert lessons.main([name, "--out", str(out), *tiny(name)]) == 0
    gif, png = out / f"{name}.gif", out / f"{name}_summary.png"
    with Image.open(gif) as im:
        assert im.size == (1280, 720) and im.n_frames == (27 if name == "the_leak" else 4)  # a frame per round
        assert im.is_animated and im.info.get("loop") == 0
    with Image.open(png) as im:
        w, h = im.size
        assert abs(w / h - 16 / 9) < 0.01 and w >= 1900  # a slide
    assert sorted(p.name for p in out.iterdir()) == sorted([gif.name, png.name])  # no temp files left


def test_lesson_mp4_has_the_gifs_frames_and_timing(tmp_path):
    import imageio_ffmpeg

    out = tmp_path / "fish_shop"
    assert lessons.main(["fish_shop", "--out", str(out), "--mp4", *TINY]) == 0
    movie, gif = out / "fish_shop.mp4", out / "fish_shop.gif"
    assert sorted(p.name for p in out.iterdir()) == sorted(["fish_shop.gif", "fish_shop.mp4", "fish_shop_summary.png"])
    held = lessons.HOLD_MS // lessons.FRAME_MS  # the last round's frame, repeated: a video has one rate
    n, seconds = imageio_ffmpeg.count_frames_and_secs(str(movie))
    assert n == 4 + held - 1 and seconds == pytest.approx((3 * lessons.FRAME_MS + lessons.HOLD_MS) / 1000)
    reader = imageio_ffmpeg.read_frames(str(movie))
    meta = next(reader)
    assert meta["size"] == (1280, 720) and meta["codec"].startswith("h264")
    decoded = [np.frombuffer(f, np.uint8).reshape(720, 1280, 3).astype(float) for f in reader]
    with Image.open(gif) as im:
        rounds = []
        for k in range(im.n_frames):
            im.seek(k)
            rounds.append(np.asarray(im.convert("RGB"), dtype=float))
    # Each video frame is the GIF's picture of its round (the last round's, held), and no
    # other round's: both are lossy (~1.5 of 255 apart on average; rounds differ by 2.8 or more).
    shown = [*range(len(rounds)), *[len(rounds) - 1] * (held - 1)]
    for frame, k in zip(decoded, shown, strict=True):
        apart = [np.abs(frame - picture).mean() for picture in rounds]
        assert int(np.argmin(apart)) == k and apart[k] < 2.0


def _run(name: str, rounds: int = 20, actors: int = 20_000) -> views.Session:
    lesson = lessons.load_lesson(name)
    session = views.Session(
        [*lesson.overrides, f"world.actors={actors}", f"run.rounds={rounds}"], lesson.contrast, lesson.names
    )
    while not session.done:
        session.step()
    return session


def _late(session: views.Session, column: str) -> tuple[float, float]:
    """Mean of a column over the second half of the rounds, left and right."""
    half = session.rounds // 2
    return tuple(float(np.mean(s.series(column)[half:])) for s in session.sides)


# What each narrative tells the room to watch must happen in the lesson's own run.
def test_fish_shop_open_interpretation_finds_the_square():
    left, right = _run("fish_shop").sides
    assert left.kind(left.believed[-1]) == "cause" and right.kind(right.believed[-1]) == "proxy"
    assert np.mean(left.series("misallocation")[10:]) < np.mean(right.series("misallocation")[10:])


def test_predictable_patrol_known_strategy_is_evaded():
    session = _run("predictable_patrol")
    evasion, benefit = _late(session, "evasion_rate"), _late(session, "benefit")
    assert evasion[0] > 3 * evasion[1]
    assert benefit[0] < benefit[1]


def test_partner_withholds_unless_safe():
    shared = _late(_run("partner_withholds"), "data_shared")
    assert shared[0] > shared[1] + 0.2


def test_empty_platform_needs_facilitation():
    session = _run("empty_platform")
    reuse = [s.total("reusers") for s in session.sides]
    assert reuse[0] > 2 * reuse[1]
    cost = [s.total("cost") for s in session.sides]
    assert cost[0] < cost[1]  # facilitation pays for itself: the left has the lower cost


def test_runaway_loop_concentrates_capacity_and_harm():
    session = _run("runaway_loop", rounds=30)
    top, harm = _late(session, "top_share"), _late(session, "harm")
    assert top[1] > top[0] + 0.2
    assert harm[1] > harm[0]


def test_sim_lesson_dispatches_and_lists(capsys):
    from sim.cli import main

    assert main(["lesson", "no_such_lesson"]) == 2
    assert "Available lessons" in capsys.readouterr().err
    assert main(["lesson", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(n in listed for n in NAMES)


def test_python_m_sim_lessons(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    r = subprocess.run(
        [sys.executable, "-m", "sim.lessons", "nope"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert r.returncode == 2 and "Available lessons" in r.stderr and "Traceback" not in r.stderr


def test_gif_map_scale_is_the_places_harm_not_a_watched_total():
    # runaway_loop watches "harm" (a total over places); the map's colour scale is per place
    lesson = lessons.load_lesson("runaway_loop")
    session = views.Session([*lesson.overrides, "world.actors=20000", "run.rounds=3"], lesson.contrast)
    picture = lessons.FramePicture(lesson, session)
    top = 0.0
    while not session.done:
        session.step()
        picture.rgba()
        top = max(top, max(float(s.place_harm().max()) for s in session.sides))
    scale = picture._limits["harm scale"][1]
    assert top <= scale <= 1.5 * top
    assert picture._limits["harm"][1] > 5 * scale


# ------------------------------------------------ what a narrative names is drawn (issue 22)
def test_a_narrative_names_only_panels_and_colours_its_pictures_draw():
    found = {name: lessons.unshown(lessons.load_lesson(name)) for name in NAMES}
    assert found == {name: [] for name in NAMES}


# The narratives issue 22 found naming what the PNG and GIF did not have.
OLD_WATCH = {
    "fish_shop": (
        "- Belief panel: on the right, the government acts on the fish shop in every round.\n"
        "- Map: on the right, capacity circles sit on tiles with a fish shop (diamond).\n"
        "- Misallocation, the share of capacity where the cause is absent, stays higher on the right.\n",
        ["'Belief panel'", "'Belief panel: on the right"],
    ),
    "predictable_patrol": (
        "- Evasion and gaming: on the left it rises within a few rounds and stays up.\n"
        "- Benefit: enforcement recovers less on the left. Compare the green area of the public account.\n"
        "- Legitimacy is higher on the left: people value seeing the analysis.\n",
        ["the colour 'green'", "'Legitimacy is higher on the left"],
    ),
}


@pytest.mark.parametrize("name", sorted(OLD_WATCH))
def test_the_check_finds_what_the_old_narratives_named_but_the_pictures_lacked(name):
    import dataclasses

    lesson = lessons.load_lesson(name)
    text, expected = OLD_WATCH[name]
    old = dataclasses.replace(
        lesson,
        sections={**lesson.sections, "What to watch": text},
        narrative=lesson.narrative.replace(lesson.sections["What to watch"], text),
    )
    problems = lessons.unshown(old)
    assert all(any(e in p for p in problems) for e in expected), problems
    # one bold reference to a panel the summary lacks, and a colour it does not draw, are found too
    wrong = dataclasses.replace(lesson, narrative=lesson.narrative + "\nSee the **belief** panel's purple-free violet.")
    assert [p for p in lessons.unshown(wrong) if "belief" in p or "violet" in p]


def _drawn(fig) -> list[tuple[str, set[str], set[str]]]:
    """Each axes of a figure: its title and texts, the colours it draws in (hex) and its colormaps."""
    from matplotlib.colors import to_hex

    out = []
    for ax in fig.axes:
        colours, ramps = set(), set()
        for line in ax.lines:
            colours.add(to_hex(line.get_color()))
        for artist in [*ax.collections, *ax.patches]:
            for rgba in np.atleast_2d(artist.get_facecolor()).tolist() + np.atleast_2d(artist.get_edgecolor()).tolist():
                if len(rgba) == 4 and rgba[3] > 0:
                    colours.add(to_hex(rgba))
        for image in ax.images:
            ramps.add(image.get_cmap().name)
        texts = " ".join(" ".join([ax.get_title(), *(t.get_text() for t in ax.texts)]).split()).casefold()
        out.append((texts, colours, ramps))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_panel_is_drawn_under_its_name_in_its_colours(name):
    lesson = lessons.load_lesson(name)
    session = views.Session([*lesson.overrides, *tiny(name)], lesson.contrast, lesson.names)
    while not session.done:
        session.step()
    frames = lessons.replicated(lesson, session)
    # the GIF's last frame as a figure (not rasterised: its artists are what is checked)
    figures = {
        "gif": lessons.FramePicture(lesson, session).figure(),
        "summary": lessons.summary_figure(lesson, session, frames),
    }
    for output, fig in figures.items():
        drawn = _drawn(fig)
        for p in lessons.panels(lesson):
            if output not in p.outputs:
                continue
            assert p.title.casefold().startswith(p.name.casefold())
            axes = [d for d in drawn if p.title.casefold() in d[0]]
            assert axes, f"{output} has no panel titled {p.title!r}: {[d[0] for d in drawn]}"
            colours, ramps = set().union(*(a[1] for a in axes)), set().union(*(a[2] for a in axes))
            assert {c.lower() for c in p.colours} <= colours, (output, p.name, p.colours, colours)
            assert set(p.ramps) <= ramps, (output, p.name)
    # The maps say which replication they are, and give the mean over all as the chart does.
    layer = lessons.TILE_LAYERS[lesson.tiles]
    maps = [
        d[0] for d in _drawn(figures["summary"]) if d[0].startswith(tuple(s.title.casefold() for s in session.sides))
    ]
    assert len(maps) == 2
    for j, title in enumerate(maps):
        last = frames[j][frames[j]["round"] == session.rounds][layer.metric].mean()
        assert "replication 1 of 2" in title
        assert f"mean of the 2: {lessons.pictures.value_text(layer.metric, last, short=True)}" in title


def test_the_account_is_in_keur_per_round_and_its_rows_add_up_to_public_value():
    lesson = lessons.load_lesson("predictable_patrol")
    session = views.Session([*lesson.overrides, *TINY], lesson.contrast, lesson.names)
    frames = lessons.replicated(lesson, session)
    cfg = session.sides[0].cfg
    acc = lessons.account(frames[0], cfg)
    parts = sum(v for k, v in acc.items() if k != "public value")
    np.testing.assert_allclose(parts, acc["public value"], rtol=1e-9)
    per_round = frames[0].groupby("replication")["benefit"].mean().to_numpy()
    np.testing.assert_allclose(acc["benefit"], cfg.weights.benefit * per_round)
    diff = lessons.paired(frames, [lessons.account(f, s.cfg) for f, s in zip(frames, session.sides, strict=True)])
    np.testing.assert_allclose(diff["benefit"], per_round - frames[1].groupby("replication")["benefit"].mean())
    with pytest.raises(ValueError, match="same replications"):
        lessons.paired([frames[0], frames[1][frames[1]["replication"] == 0]], [acc, acc])


def test_settled_says_from_which_round_the_order_holds():
    assert (
        lessons.settled(np.array([0.8, 0.3, 0.2, 0.1]), np.array([0.8, 0.2, 0.25, 0.3])) == "left lower from round 3 on"
    )
    assert lessons.settled(np.array([2.0, 3.0]), np.array([1.0, 1.0])) == "left higher from round 1 on"
    assert lessons.settled(np.array([1.0, 1.0]), np.array([0.0, 1.0])) == ""


def test_predictable_patrol_paired_difference_and_map_show_what_the_narrative_says():
    from sim.run import interval

    lesson = lessons.load_lesson("predictable_patrol")
    session = _run("predictable_patrol")
    # the map's tiles: evasion is under the patrol's circles on the left, hardly anywhere on the right
    layer = lessons.TILE_LAYERS[lesson.tiles]
    under = [float(layer.values(s)[s.place_units() > 0].mean()) for s in session.sides]
    assert under[0] > 5 * under[1]
    frames = lessons.replicated(lesson, views.Session([*session.overrides, "run.replications=3"], lesson.contrast))
    diff = lessons.paired(frames, [lessons.account(f, s.cfg) for f, s in zip(frames, session.sides, strict=True)])
    assert interval(diff["benefit"])[2] < 0 and interval(diff["public value"])[2] < 0
    assert interval(diff["support (legitimacy)"])[1] > 0
