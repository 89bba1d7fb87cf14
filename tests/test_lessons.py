"""Lessons: their files, what they show, and ``sim lesson`` writing the GIF and the summary."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from sim import lessons, views
from sim.hydra_conf import load

NAMES = ["empty_platform", "fish_shop", "partner_withholds", "predictable_patrol", "runaway_loop"]
TINY = ["world.actors=3000", "run.rounds=4", "run.replications=2"]


def test_the_five_lessons_are_there():
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
    assert lessons.main([name, "--out", str(out), *TINY]) == 0
    gif, png = out / f"{name}.gif", out / f"{name}_summary.png"
    with Image.open(gif) as im:
        assert im.size == (1280, 720) and im.n_frames == 4  # a frame per round
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
