"""Determinism on any machine: a small run must reproduce the kept golden file bit for bit.

If a change to the model is meant to change the numbers, regenerate the file with
``python tests/test_golden.py`` and say so in the commit message.
"""

from pathlib import Path

import pandas as pd

from sim.hydra_conf import load
from sim.run import run

GOLDEN = Path(__file__).resolve().parent / "golden" / "small_run.parquet"
OVERRIDES = [
    "arrangement=zwartwerken",
    "regime=open",
    "analytics=profiling",
    "world.actors=5000",
    "run.rounds=12",
    "run.replications=2",
    "run.seed=12345",
]


def make() -> pd.DataFrame:
    return run(load(OVERRIDES))


def test_small_run_matches_golden_file():
    pd.testing.assert_frame_equal(make(), pd.read_parquet(GOLDEN), check_exact=True)


def test_golden_run_is_also_identical_in_parallel():
    pd.testing.assert_frame_equal(run(load(OVERRIDES), parallel=True), pd.read_parquet(GOLDEN), check_exact=True)


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    make().to_parquet(GOLDEN, index=False)
    print(f"wrote {GOLDEN}")
