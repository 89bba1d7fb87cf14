"""The report of a real small sweep: every interval within its bounds, and a page that fits the screen.

The sweep has two replications (t(0.975, 1) = 12.7: where the plain t-interval
leaves [0, 1] and goes below 0) and options with long names. The browser test needs
Chromium and Playwright, as ``tests/test_app.py`` does: skipped without Chromium, unless
``SIM_REQUIRE_BROWSER=1`` (CI), where that fails.
"""

import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.glossary import BOUNDS
from sim.report import figures
from sim.report import main as report_main

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
SWEEP = [
    "-m",
    "role=director,co_producer",
    "regime=open_creation_closed_use,closed_creation_open_use,closed",
    "world.actors=3000",
    "run.rounds=8",
    "run.replications=2",
    "hydra/launcher=basic",
    "hydra.sweep.dir=sw",
]
HEAD = {"cell", "arrangement", "role", "regime", "framing", "collection", "interpretation", "use", "analytics"}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("page")
    r = subprocess.run(
        [sys.executable, "-m", "sim", *SWEEP], cwd=tmp, capture_output=True, text=True, env=ENV, timeout=600
    )
    assert r.returncode == 0, r.stderr
    assert report_main([str(tmp / "sw")]) == 0
    return tmp / "sw"


def results(frame: pd.DataFrame) -> list[str]:
    skip = HEAD | {"seed", "replication", "round", "config_hash"}
    return [c for c in frame.columns if c not in skip and "." not in c and pd.api.types.is_numeric_dtype(frame[c])]


def test_every_result_column_has_a_bound_and_keeps_it(sweep):
    raw = pd.read_parquet(sweep / "summary.parquet")
    rounds = pd.read_parquet(next(sweep.glob("*/rounds.parquet")))
    for frame in (raw, rounds):
        cols = results(frame)
        assert set(cols) <= set(BOUNDS), f"add to sim.glossary.BOUNDS: {sorted(set(cols) - set(BOUNDS))}"
        for col in cols:
            low, high = BOUNDS[col]
            assert frame[col].between(low, high).all(), col


def test_every_interval_of_the_real_report_is_within_its_bounds(sweep):
    tables = sweep / "report" / "tables"
    acc = pd.read_csv(tables / "account.csv")
    series = pd.read_csv(tables / "series.csv")
    dif = pd.read_csv(tables / "differences.csv")
    outside_by_t = 0  # intervals that the plain t-interval would have put out of range
    raw = pd.read_parquet(sweep / "summary.parquet")
    for col in [c for c in BOUNDS if f"{c}_mean" in acc.columns]:
        low, high = BOUNDS[col]
        assert (acc[f"{col}_ci95_low"] >= low).all() and (acc[f"{col}_ci95_high"] <= high).all(), col
        assert (acc[f"{col}_ci95_low"] <= acc[f"{col}_mean"]).all() and (
            acc[f"{col}_mean"] <= acc[f"{col}_ci95_high"]
        ).all()
        for _, grp in raw.groupby("cell"):
            x = grp[col].to_numpy(dtype=float)
            half = 12.706204736174707 * x.std(ddof=1) / math.sqrt(2)
            outside_by_t += bool(x.mean() - half < low or x.mean() + half > high)
        reach = high - low
        assert (dif[f"diff_{col}_ci95_low"] >= -reach).all() and (dif[f"diff_{col}_ci95_high"] <= reach).all(), col
    for col, grp in series.groupby("column"):
        low, high = BOUNDS[col]
        assert (grp["ci95_low"] >= low).all() and (grp["ci95_high"] <= high).all(), col
    assert outside_by_t >= 5  # the sweep is one where bounds matter
    assert (acc["n"] == 2).all()


def test_figures_read_without_scrolling_back(sweep):
    rank = pd.read_csv(sweep / "report" / "tables" / "ranking.csv")
    fig = figures.probability_best(rank, "public_value")
    assert fig.axes[0].get_xlim() == (0.0, 1.0)  # a probability ends at 1
    acc = pd.read_csv(sweep / "report" / "tables" / "account.csv")
    fig = figures.dots(acc, ["role", "regime"], ["cost", "benefit", "legitimacy", "public_value"], "", "t", False, [])
    assert len(fig.subfigs) == 2 and all(len(sub.legends) == 1 for sub in fig.subfigs)  # a legend over every row
    assert {t.get_text() for t in fig.subfigs[1].legends[0].get_texts()} == {
        "open creation / closed use",
        "closed creation / open use",
        "closed",
    }
    figures.plt.close("all")


MEASURE = """() => ({
  page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  tables: [...document.querySelectorAll('div.table')].map(d => ({
    wrap: [d.scrollWidth, d.clientWidth],
    lines: Math.max(...[...d.querySelectorAll('td')].map(c => {
      const s = getComputedStyle(c);
      const inner = c.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
      return inner / parseFloat(s.lineHeight);
    })),
  })),
})"""


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080), (800, 600)])
def test_the_report_page_does_not_scroll_sideways(sweep, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto((sweep / "report" / "report.html").as_uri())
        got = page.evaluate(MEASURE)
    finally:
        page.close()
    scroll, client = got["page"]
    assert scroll <= client, f"the page is {scroll} px wide at {width} px"
    assert len(got["tables"]) == 3  # account, differences, ranking
    for table in got["tables"]:
        if width >= 1280:  # on a laptop or a projector every table fits, in cells of at most two lines
            assert table["wrap"][0] <= table["wrap"][1], table
            assert table["lines"] < 2.6, table
    assert np.isfinite([t["lines"] for t in got["tables"]]).all()
