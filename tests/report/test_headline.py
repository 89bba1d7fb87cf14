"""The report's headline names a best option only when one is clearly best, and warns when replications are too few.

The sweeps here are synthetic summary tables written as a sweep folder, read and
reported by the real command: the results are chosen, so the right headline is known.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import PHASES, REGIME_PRESET_PHASES
from sim.report import intervals
from sim.report import main as report_main

PHASES_OF = {name: phases for phases, name in REGIME_PRESET_PHASES.items()}
ROUNDS = 10


def write_sweep(folder: Path, effects: dict[tuple[str, str], float], noise: float, replications: int) -> Path:
    """A sweep folder whose options differ in benefit by ``effects`` (kEUR) around a common world draw.

    Each world (replication) moves every option alike (common random numbers, sd 5,000
    kEUR); each option also gets its own noise of sd ``noise`` per world.
    """
    rng = np.random.default_rng(7)
    world = 5000.0 * rng.standard_normal(replications)
    rows = []
    for k, ((role, regime), effect) in enumerate(effects.items()):
        for rep in range(replications):
            benefit = 50_000.0 + effect + world[rep] + noise * rng.standard_normal()
            cost, negative, positive, legitimacy = 10_000.0, 2_000.0, 500.0, 0.4
            rows.append(
                {
                    "cell": f"cell_{k}",
                    "arrangement": "overlast",
                    "role": role,
                    "regime": regime,
                    **dict(zip(PHASES, PHASES_OF[regime], strict=True)),
                    "analytics": "monitoring",
                    "seed": 0,
                    "run.rounds": ROUNDS,
                    "config_hash": f"h{k}",
                    "replication": rep,
                    "cost": cost,
                    "benefit": benefit,
                    "negative_side_effects": negative,
                    "positive_side_effects": positive,
                    "legitimacy": legitimacy,
                    "public_value": benefit - cost - negative + positive + 500.0 * ROUNDS * legitimacy,
                    "harm": 1000.0,
                    "evasion_rate": 0.01,
                    "data_shared": 0.5,
                    "misallocation": 0.3,
                    "privacy_exposure": 0.0,
                    "trust": 0.5,
                }
            )
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(folder / "summary.parquet")
    return folder


def summary(folder: Path) -> str:
    md = (folder / "report" / "report.md").read_text()
    return md.split("## Summary")[1].split("## ")[0]


def ranking(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "report" / "tables" / "ranking.csv")


def test_a_clear_winner_is_named_best(tmp_path):
    effects = {
        ("director", "open_creation_closed_use"): 3000.0,
        ("director", "closed"): 0.0,
        ("regulator", "open"): 1500.0,
        ("regulator", "closed"): 200.0,
    }
    folder = write_sweep(tmp_path / "sw", effects, noise=100.0, replications=3)
    assert report_main([str(folder)]) == 0
    text = summary(folder)
    assert "**Best option: director, open creation / closed use**, with public value" in text
    assert "ahead of each of the other 3 options" in text
    assert "No option is clearly best" not in text and "Too few replications" not in text
    assert ranking(folder)["option"].iloc[0] == "role=director, regime=open_creation_closed_use"


def test_no_clear_winner_is_said_with_the_evidence_and_the_replications_needed(tmp_path):
    # The top two differ by 300 kEUR against a noise of 2,000 kEUR per world: not told apart with 3 worlds.
    effects = {
        ("regulator", "open"): 3300.0,
        ("director", "open_creation_closed_use"): 3000.0,
        ("director", "closed"): 0.0,
        ("regulator", "closed"): 200.0,
    }
    folder = write_sweep(tmp_path / "sw", effects, noise=2000.0, replications=3)
    assert report_main([str(folder)]) == 0
    text = summary(folder)
    rank = ranking(folder)
    top, runner = rank["option"].iloc[0], rank["option"].iloc[1]
    names = {
        "role=regulator, regime=open": "regulator, open",
        "role=director, regime=open_creation_closed_use": "director, open creation / closed use",
    }
    assert {top, runner} == set(names)
    assert "Best option" not in text
    assert f"**No option is clearly best.** *{names[top]}* has the highest mean public value, the rule" in text
    assert f"the runner-up *{names[runner]}*: " in text
    # The replications needed, from the paired sd of the top two as computed here.
    raw = pd.read_parquet(folder / "summary.parquet")
    wide = raw.pivot(index="replication", columns="cell", values="public_value")
    cell = {o: f"cell_{k}" for k, o in enumerate(f"role={r}, regime={g}" for r, g in effects)}
    d = (wide[cell[top]] - wide[cell[runner]]).to_numpy()
    n = intervals.replications_needed(d.std(ddof=1), d.mean())
    assert n > 3
    assert "**Too few replications for these differences:** with 3 paired worlds" in text
    assert f"Telling them apart would take about {n:,} replications (`run.replications={n}`)" in text
    # The ranking table the report shows puts the headline's option first.
    md = (folder / "report" / "report.md").read_text()
    assert f"| 1 | {names[top]} |" in md
