"""The trainer's dashboard: its model (sim.app), its command (sim.dashboard), and the real page in a headless Chromium.

The browser test needs Chromium (``apt-get install chromium``; CI installs it) and
Playwright for Python. Without Chromium it is skipped, unless ``SIM_REQUIRE_BROWSER=1``
(set by ``.ci/run``), where a missing browser fails the test instead.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim import app, dashboard, play, views

SMALL = {"actors": 10_000}


def test_controls_become_overrides():
    o = app.overrides_for("zwartwerken", "scenario", "open", "scenario", "closed", "open", "scenario", "0.8", 5000, 3)
    assert o == [
        "arrangement=zwartwerken",
        "world.actors=5000",
        "run.seed=3",
        "regime.framing=open",
        "regime.interpretation=closed",
        "regime.use=open",
        "population.sophistication=0.8",
    ]


def test_model_steps_both_sides_of_a_comparison():
    model = app.DashboardModel(compare=views.CONTRASTS["known_vs_unknown"].label, **SMALL)
    assert model.error is None and len(model.session.sides) == 2
    for _ in range(3):
        model.step()
    assert [s.round for s in model.session.sides] == [3, 3] and model.steps == 3
    assert model.running
    header = app.header_html(model)
    assert "Round 3 of 50" in header and "Strategy unknown (use: closed)" in header
    assert "32 places &middot; 10,000 actors &middot; seed 0" in header  # what the run uses, said once


def test_the_default_contrast_shows_evasion_where_the_targeting_is():
    """The room's default, side by side: both sides find the true cause; only the known side evades, at its targets."""
    model = app.DashboardModel(compare=views.CONTRASTS["known_vs_unknown"].label)
    for _ in range(20):
        model.step()
    known, unknown = model.session.sides
    assert [s.cfg.regime.use for s in (known, unknown)] == ["open", "closed"]
    assert {s.kind(s.believed[-1]) for s in (known, unknown)} == {"cause"}
    rate = [s.records[-1]["evasion_rate"] for s in (known, unknown)]
    assert rate[0] > 0.03 and rate[0] > 4 * rate[1], rate
    evading = known.place_evading()
    assert evading[known.model.cause_present].sum() > 0.8 * evading.sum()  # where the targeting is
    assert evading.sum() == pytest.approx(rate[0] * known.cfg.world.actors)  # the map's layer is the indicator


def test_a_pause_keeps_the_round_on_screen():
    """A round computed while a pause comes is not shown; the next Step shows it."""
    player = play.Player(app.DashboardModel(**SMALL))
    shown = []
    generation = player.play()
    assert player.tick(generation, 0.0, shown.append) and player.shown.round == 1
    player._compute()  # the play loop's next round, under way when the pause comes
    assert player.pause().round == 1
    assert not player.tick(generation, 0.0, shown.append)  # that loop stops without showing it
    assert [f.round for f in shown] == [1] and player.shown.round == 1 and player.model.session.round == 2
    assert player.step(shown.append).round == 2 and player.model.session.round == 2  # shown, not run again
    assert player.step().round == 3
    old = generation
    player.play()
    assert not player.tick(old, 0.0)  # the loop of an earlier play never shows a round
    assert player.shown.round == 3


def test_auto_comparison_is_the_lessons_own():
    model = app.DashboardModel(arrangement="lessons/fish_shop", compare=app.COMPARE_AUTO, **SMALL)
    assert model.lesson.name == "fish_shop" and model.compared_key == "interpretation"
    assert [s.cfg.regime.interpretation for s in model.session.sides] == ["open", "closed"]
    plain = app.DashboardModel(compare=app.COMPARE_AUTO, **SMALL)
    assert plain.compared_key == "known_vs_unknown"


def test_every_arrangement_and_comparison_makes_a_valid_run():
    params = app.model_params(app.DEFAULT_ARRANGEMENT, app.COMPARE_OFF)
    assert set(params) <= set(app.DashboardModel.__init__.__code__.co_varnames)
    # The other selects offer the schema's own values; arrangements are files, checked here.
    for arrangement in params["arrangement"]["values"]:
        assert app.DashboardModel(arrangement=arrangement, **SMALL).error is None, arrangement
    for compare in params["compare"]["values"]:
        assert app.DashboardModel(compare=compare, **SMALL).error is None, compare
    mixed = app.DashboardModel(
        role="facilitator",
        framing="open",
        collection="restricted",
        interpretation="closed",
        use="open",
        analytics="discovery",
        sophistication="1.0",
        **SMALL,
    )
    cfg = mixed.session.sides[0].cfg
    assert (cfg.role.name, cfg.regime.collection, cfg.analytics.name) == ("facilitator", "restricted", "discovery")
    assert cfg.population.sophistication == 1.0


def test_invalid_settings_are_shown_not_raised():
    model = app.DashboardModel(arrangement="no_such_place", **SMALL)
    assert model.session is None and "no_such_place" in model.error and not model.running
    model.step()  # harmless


def test_command_line_input(capsys):
    assert dashboard.main(["--lesson", "nope"]) == 2
    assert "Available lessons" in capsys.readouterr().err
    assert dashboard.main(["--bogus"]) == 2
    for port in ("abc", "70000", "-1"):
        assert dashboard.main(["--port", port]) == 2
        assert f"--port='{port}' is not allowed" in capsys.readouterr().err
    assert dashboard.main(["--help"]) == 0
    assert "--present" in capsys.readouterr().out
    cmd = dashboard.server_command(8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"  # localhost only


def test_an_option_without_its_value_is_named(capsys):
    for option, says in (("--port", "a port number"), ("--lesson", "fish_shop")):
        assert dashboard.main([option]) == 2
        err = capsys.readouterr().err
        assert f"{option} needs a value" in err and says in err and "unknown argument" not in err, err


def test_a_taken_port_is_refused_before_the_url_is_announced(capsys, monkeypatch):
    started = []
    monkeypatch.setattr(dashboard.subprocess, "call", lambda *a, **k: started.append(a) or 0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for argv in (["--port", str(port)], [f"--port={port}"]):
            assert dashboard.main(argv) == 2
            out, err = capsys.readouterr()
            assert "http://" not in out and not started, (out, err)
            assert f"--port={port}" in err and "in use" in err and "--port 0" in err, err
    free = dashboard.free_port()
    assert dashboard.main([f"--port={free}"]) == 0 and started  # the = form is the same option
    assert f"http://127.0.0.1:{free}" in capsys.readouterr().out


def test_present_and_the_solara_banner_go_through_the_environment(monkeypatch):
    calls = []
    monkeypatch.setattr(dashboard.subprocess, "call", lambda cmd, env: calls.append(env) or 0)
    monkeypatch.delenv(dashboard.ENV_PRESENT, raising=False)
    port = str(dashboard.free_port())
    assert dashboard.main(["--port", port]) == 0 and dashboard.main(["--port", port, "--present"]) == 0
    assert dashboard.ENV_PRESENT not in calls[0] and calls[1][dashboard.ENV_PRESENT] == "1"
    assert all(env["SOLARA_THEME_SHOW_BANNER"] == "False" for env in calls)  # its footer covered the map
    monkeypatch.setenv(dashboard.ENV_PRESENT, "1")
    assert dashboard.present_from_env()


@pytest.mark.parametrize("module", ["sim.app", "sim.dashboard"])
def test_python_m_runs_the_command(module, tmp_path):
    # The README's `python -m sim.app` is `sim dashboard`, as is `python -m sim.dashboard`.
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    r = subprocess.run(
        [sys.executable, "-m", module, "--lesson", "nope"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert r.returncode == 2 and "Available lessons" in r.stderr and "Traceback" not in r.stderr, r.stderr


# ------------------------------------------------------------------ the real page


@pytest.fixture(scope="module")
def server():
    """``sim dashboard`` on a free port, its URL; stopped (with its Solara child) afterwards."""
    port = dashboard.free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group: stopping it stops the Solara server too
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode() if proc.poll() is not None else ""
                pytest.fail(f"the dashboard did not start: {out}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-input", has=page.locator("label", has_text=label)).locator(".v-select__slot").click()
    page.locator(".menuable__content__active .v-list-item").get_by_text(option, exact=True).click()


def _images(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries(Array.from(document.querySelectorAll('img.solara-image'))"
        ".map(i => [Array.from(i.classList).find(c => c.startsWith('sim-')), i.src]))"
    )


def _step(page, to_round: int) -> float:
    start = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Round {to_round} of 50").wait_for(timeout=30_000)
    return time.perf_counter() - start


SCREENS = ((1280, 720), (1920, 1080))
# Every picture's box, and the size its type shows at: the image is scaled to its cell
# keeping its proportions, so a point of the figure shows at cell/natural x dpi/72 px.
PANELS_JS = """() => Array.from(document.querySelectorAll('.sim-cell img')).map(i => {
  const r = i.getBoundingClientRect(), s = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);
  return {name: Array.from(i.classList).find(c => c.startsWith('sim-')), left: r.left, top: r.top,
          right: r.right, bottom: r.bottom, scale: s, vw: window.innerWidth, vh: window.innerHeight}; })"""


def _assert_fits(page, shot: str) -> None:
    """Every main picture lies within the viewport, its smallest type >= 10 px; a screenshot for people."""
    page.wait_for_function("() => Array.from(document.querySelectorAll('.sim-cell img')).every(i => i.naturalWidth)")
    page.wait_for_timeout(500)  # the grid settles after the strip is drawn
    page.screenshot(path=SHOTS / f"{shot}.png")
    panels = page.evaluate(PANELS_JS)
    assert {p["name"] for p in panels} == {"sim-indicators", "sim-map", "sim-account", "sim-belief"}, shot
    for p in panels:
        assert p["left"] >= 0 and p["top"] >= 0 and p["right"] <= p["vw"] and p["bottom"] <= p["vh"], (shot, p)
        smallest = p["scale"] * views.SMALLEST_PT / 72 * views.BOARD_DPI
        assert smallest >= 9.9, (shot, p["name"], smallest)
    assert page.evaluate("document.documentElement.scrollHeight") <= page.viewport_size["height"], shot
    assert page.get_by_text("This website runs on").count() == 0  # Solara's footer covered the map


SHOTS = Path(os.environ.get("SIM_SCREENSHOTS", "results/screenshots"))


def _console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    return errors


def test_dashboard_in_a_browser(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = _console(page)

    # The page loads: controls in the sidebar, the four pictures, round 0; it fits the screen.
    page.goto(server)
    page.get_by_text("Round 0 of 50").wait_for(timeout=60_000)
    for control in ("Arrangement or lesson", "Side by side", "Government role", "Phase 4: use (open = public)"):
        assert page.locator("label", has_text=control).count() == 1, control
    for button in ("Reset", "Step"):
        assert page.get_by_role("button", name=button).is_visible()
    for words in ("Number of actors: 100,000", "Seed (another world): 0", "Between rounds: 300 ms"):
        assert page.get_by_text(words).count() == 1, words  # sliders say their value
    for jargon in ("Render Interval", "Use Threads", "Information", "Step:"):
        assert page.get_by_text(jargon).count() == 0, jargon
    assert page.get_by_text("before round 1: no violations yet").count() == 0  # in the picture, not the page
    _assert_fits(page, "single-1280x720-r0")

    # A control changes the run (applied on Reset).
    _choose(page, "Phase 4: use (open = public)", "open")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("use open", exact=False).first.wait_for(timeout=30_000)

    # Stepping updates the charts, within a second or so at the default scale.
    reset = _images(page)
    times = [_step(page, r) for r in (1, 2, 3)]
    page.wait_for_function(
        "old => Array.from(document.querySelectorAll('img.solara-image')).every(i => !old.includes(i.src))",
        arg=list(reset.values()),
        timeout=30_000,
    )
    print(f"single run, seconds per step (click to new round shown): {[round(t, 2) for t in times]}")
    assert min(times) < 3.0

    # Play runs rounds by itself; pause stops at the round on screen when it is pressed.
    page.get_by_role("button", name="\u25b6").click()
    page.wait_for_function(
        "() => { const m = document.querySelector('[data-testid=round]')?.innerText.match(/Round (\\d+)/);"
        " return m && Number(m[1]) >= 5; }",
        timeout=120_000,
    )
    # Read the round and press pause in one go: no round can come between the two.
    seen = page.evaluate(
        "() => { const r = document.querySelector('[data-testid=round]').innerText;"
        " Array.from(document.querySelectorAll('button')).find(b => b.innerText.includes('\u275a\u275a')).click();"
        " return r; }"
    )
    page.get_by_role("button", name="\u25b6").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # more than the time between rounds: a round under way would show by now
    assert page.locator("[data-testid=round]").inner_text() == seen
    _assert_fits(page, "single-1280x720-played")

    # Side by side: both runs shown, stepping together, every picture on the screen.
    _choose(page, "Side by side", "strategy known vs unknown")
    _choose(page, "Phase 4: use (open = public)", "scenario")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Strategy unknown (use: closed)").first.wait_for(timeout=30_000)
    assert page.get_by_text("Strategy known (use: public)").first.is_visible()
    assert page.locator("[data-testid=side-0]").count() == 1 and page.locator("[data-testid=side-1]").count() == 1
    times = [_step(page, r) for r in (1, 2, 3)]
    print(f"side by side, seconds per step: {[round(t, 2) for t in times]}")
    assert "public value so far" in page.locator("[data-testid=side-1]").inner_text()
    _assert_fits(page, "compare-1280x720-r3")

    # A lesson loads, with its narrative, and still fits.
    _choose(page, "Arrangement or lesson", "lessons/fish_shop")
    _choose(page, "Side by side", "auto: the lesson's contrast")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Lesson: The fish shop").wait_for(timeout=30_000)
    page.get_by_text("Closed interpretation").first.wait_for(timeout=30_000)
    _assert_fits(page, "lesson-1280x720")

    assert errors == []
    page.close()


def test_both_screens_in_both_modes(server, browser):
    """1280 x 720 and 1920 x 1080, one run and side by side, with the sidebar and in presentation mode."""
    for width, height in SCREENS:
        page = browser.new_page(viewport={"width": width, "height": height})
        errors = _console(page)
        page.goto(server + "?present=1")
        page.get_by_text("Round 0 of 50").wait_for(timeout=60_000)
        page.get_by_role("button", name="Leave presentation").wait_for(timeout=30_000)
        assert not page.get_by_role("button", name="Reset").is_visible()  # the sidebar is folded
        _assert_fits(page, f"present-single-{width}x{height}")
        page.get_by_role("button", name="Leave presentation").click()
        page.get_by_role("button", name="Reset").wait_for(timeout=30_000)
        _choose(page, "Side by side", "strategy known vs unknown")
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Strategy unknown (use: closed)").first.wait_for(timeout=30_000)
        _step(page, 1)
        _assert_fits(page, f"compare-{width}x{height}")
        page.get_by_role("button", name="Present").click()
        page.get_by_role("button", name="Leave presentation").wait_for(timeout=30_000)
        page.wait_for_timeout(800)  # the sidebar folds
        _assert_fits(page, f"present-compare-{width}x{height}")
        assert errors == []
        page.close()


def test_the_trainers_switch_acts_on_one_side(server, browser):
    """Side by side, 'Legitimacy shock' on the left only: the left's strip says so, the right's not; it fits."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = _console(page)
    page.goto(server)
    page.get_by_text("Round 0 of 50").wait_for(timeout=60_000)
    _choose(page, "Side by side", "strategy known vs unknown")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Strategy unknown (use: closed)").first.wait_for(timeout=30_000)
    _step(page, 1)
    _step(page, 2)
    _choose(page, "Apply to", "Strategy known")
    page.get_by_role("button", name="Legitimacy shock (-0.2)").click()
    left, right = page.get_by_test_id("side-0"), page.get_by_test_id("side-1")
    left.get_by_text("changed after round").wait_for(timeout=30_000)
    assert "changed after round: 2" in left.inner_text()
    assert "changed after round" not in right.inner_text()
    _step(page, 3)
    _assert_fits(page, "switch-compare-1280x720")
    _choose(page, "Apply to", "both sides")
    page.get_by_role("button", name="The strategy becomes known").click()
    page.get_by_test_id("side-1").get_by_text("changed after round").wait_for(timeout=30_000)
    assert "changed after round: 2, 3" in left.inner_text() and "changed after round: 3" in right.inner_text()
    assert errors == []
    page.close()


def test_a_switch_changes_the_chosen_side_now():
    """The player's switch: a shock on side 0 lowers its legitimacy by 0.2 at once; side 1 is untouched."""
    model = app.DashboardModel(compare=views.CONTRASTS["known_vs_unknown"].label, **SMALL)
    player = app.Player(model)
    for _ in range(3):
        player.step()
    before = [s.model.legitimacy for s in model.session.sides]
    frame = player.apply(None, {"legitimacy": -0.2}, 0)
    after = [s.model.legitimacy for s in model.session.sides]
    assert after[0] == pytest.approx(max(before[0] - 0.2, 0.0)) and after[1] == before[1]
    assert player.marks() == [[3], []] and "changed after round" in frame.header
    player.apply({"regime.use": "open"}, None, None)
    assert [s.model.cfg.regime.use for s in model.session.sides] == ["open", "open"]
    assert player.marks() == [[3], [3]]
