import os
import shutil

import pytest

from sim.hydra_conf import load


@pytest.fixture(scope="session")
def small():
    """Compose a small configuration (fast) with extra overrides."""

    def _make(*overrides: str, actors: int = 20_000, rounds: int = 20, reps: int = 6):
        return load([f"world.actors={actors}", f"run.rounds={rounds}", f"run.replications={reps}", *overrides])

    return _make


# The browser tests (tests/test_app.py, tests/report/test_page.py) drive the system's
# Chromium with Playwright: nothing downloaded, no network of its own.
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
def browser():
    """Headless Chromium driven by Playwright; skipped without Chromium unless SIM_REQUIRE_BROWSER=1 (CI)."""
    if CHROMIUM is None:
        if os.environ.get("SIM_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed but SIM_REQUIRE_BROWSER=1 (CI must install it)")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
