"""Determinism on any machine: a small run must reproduce the kept golden file bit for bit.

If a change to the model is meant to change the numbers, regenerate the file with
``python tests/test_golden.py`` and say so in the commit message.

CI runs these tests twice: on the locked dependency set (``requirements/lock.txt``)
and on the newest releases the ranges in ``pyproject.toml`` allow; both must give
the one golden file. Within a machine, another BLAS kernel (the CPU OpenBLAS picks)
must not change a bit either.
"""

import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="OpenBLAS core names are x86's")
@pytest.mark.parametrize("core", ["Prescott", "Haswell"])
def test_golden_run_is_the_same_with_another_blas_kernel(tmp_path, core):
    """OpenBLAS adds a dot product in an order of its CPU kernel's: the model must not use one."""
    out = tmp_path / "run.parquet"
    code = f"import sys; sys.path.insert(0, {str(GOLDEN.parent.parent)!r}); import test_golden as g; "
    code += f"g.make().to_parquet({str(out)!r}, index=False)"
    env = dict(os.environ, OPENBLAS_CORETYPE=core, OPENBLAS_NUM_THREADS="1")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(GOLDEN), check_exact=True)


def test_run_totals_are_exact_sums_in_any_order():
    """Totals are exactly rounded sums: the same bits whatever order a library would add in."""
    from sim.run import run_totals

    flows = [1e100, 1.0, -1e100, 1.0, 0.1, 0.2]  # a sum that plain and compensated adding get wrong
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "replication": [0] * 6 + [1] * 6,
            "round": list(range(6)) * 2,
            "cost": flows + [0.1] * 6,
            "legitimacy": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] + [1 / 3] * 6,
        }
    )
    totals = run_totals(df)
    assert totals["cost"].tolist() == [math.fsum(flows), math.fsum([0.1] * 6)]
    assert totals["legitimacy"].tolist() == [math.fsum(df.legitimacy[:6]) / 6, math.fsum([1 / 3] * 6) / 6]
    for _ in range(5):
        shuffled = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
        pd.testing.assert_frame_equal(run_totals(shuffled), totals, check_exact=True)


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    make().to_parquet(GOLDEN, index=False)
    print(f"wrote {GOLDEN}")
