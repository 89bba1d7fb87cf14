"""The trainer's dashboard: its model (sim.app), its command (sim.dashboard), and the real page in a headless Chromium.

The browser test needs Chromium (``apt-get install chromium``; CI installs it) and
Playwright for Python. Without Chromium it is skipped, unless ``SIM_REQUIRE_BROWSER=1``
(set by ``.ci/run``), where a missing browser fails the test instead.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from sim import app, dashboard, views

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
    assert "10,000 actors &middot; seed 0" in header  # the sliders show no value


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


@pytest.mark.parametrize("module", ["sim.app", "sim.dashboard"])
def test_python_m_runs_the_command(module, tmp_path):
    # The README's `python -m sim.app` is `sim dashboard`, as is `python -m sim.dashboard`.
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    r = subprocess.run(
        [sys.executable, "-m", module, "--lesson", "nope"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert r.returncode == 2 and "Available lessons" in r.stderr and "Traceback" not in r.stderr, r.stderr


# ------------------------------------------------------------------ the real page
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these three, Chromium's own connections are refused on a closed network
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright (the system's Chromium, not a download)."""
    if CHROMIUM is None:
        if os.environ.get("SIM_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed but SIM_REQUIRE_BROWSER=1 (CI must install it)")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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


def test_dashboard_in_a_browser(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))

    # The page loads: controls in the sidebar, the four pictures, round 0.
    page.goto(server)
    page.get_by_text("Round 0 of 50").wait_for(timeout=60_000)
    for control in ("Arrangement or lesson", "Side by side", "Government role", "Phase 4: use (open = public)"):
        assert page.locator("label", has_text=control).count() == 1, control
    for button in ("Reset", "Step"):
        assert page.get_by_role("button", name=button).is_visible()
    before = _images(page)
    assert set(before) == {"sim-indicators", "sim-map", "sim-account", "sim-belief"}

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

    # Play runs rounds by itself; pause stops it.
    page.get_by_role("button", name="\u25b6").click()
    # At least two rounds more, by itself (generous time: CI machines are slow and shared).
    page.wait_for_function(
        "() => { const m = document.querySelector('[data-testid=round]')?.innerText.match(/Round (\\d+)/);"
        " return m && Number(m[1]) >= 5; }",
        timeout=120_000,
    )
    page.get_by_role("button", name="\u275a\u275a").click()
    page.wait_for_timeout(1500)  # a round under way when pause was pressed still finishes
    paused_at = page.locator("[data-testid=round]").inner_text()
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid=round]").inner_text() == paused_at

    # Side by side: both runs shown, stepping together.
    _choose(page, "Side by side", "strategy known vs unknown")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Strategy unknown (use: closed)").first.wait_for(timeout=30_000)
    assert page.get_by_text("Strategy known (use: public)").first.is_visible()
    assert page.locator("[data-testid=side-0]").count() == 1 and page.locator("[data-testid=side-1]").count() == 1
    times = [_step(page, r) for r in (1, 2, 3)]
    print(f"side by side, seconds per step: {[round(t, 2) for t in times]}")
    assert "public value so far" in page.locator("[data-testid=side-1]").inner_text()

    # A lesson loads, with its narrative.
    _choose(page, "Arrangement or lesson", "lessons/fish_shop")
    _choose(page, "Side by side", "auto: the lesson's contrast")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Lesson: The fish shop").wait_for(timeout=30_000)
    page.get_by_text("Closed interpretation").first.wait_for(timeout=30_000)

    assert errors == []
    page.close()
