"""Sweep throughput: the roles experiment as sim runs it, against the naive way.

Both are measured here, one after the other, on the same cells and replications:
- sim: ``python -m sim experiment=roles`` (joblib launcher on all cores, each cell
  one Hydra job running all its replications);
- naive: Hydra's basic launcher with one replication per job
  (``run.replications=1 run.first_replication=0,1,...``).
Both produce the same numbers (checked below); the ratio of runs/second is the
figure that counts.

Usage: python benchmarks/sweep_throughput.py [--roles none,regulator] [--replications 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROLES = "none,producer,commissioner,regulator,co_producer,facilitator,director"


def timed(args: list[str], cwd: Path) -> float:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", default=ROLES, help="comma-separated roles (default: all seven)")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--extra", nargs="*", default=[], help="more overrides for both, e.g. world.actors=20000")
    a = ap.parse_args()
    n_cells = len(a.roles.split(",")) * 4
    runs = n_cells * a.replications
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        common = ["experiment=roles", f"role={a.roles}", *a.extra]
        t_sim = timed([*common, f"run.replications={a.replications}", "hydra.sweep.dir=batched"], cwd)
        reps = ",".join(str(i) for i in range(a.replications))
        t_naive = timed(
            [
                *common,
                "hydra/launcher=basic",
                "run.replications=1",
                f"run.first_replication={reps}",
                "hydra.sweep.dir=naive",
            ],
            cwd,
        )
        fast = pd.read_parquet(cwd / "batched" / "summary.parquet")
        slow = pd.read_parquet(cwd / "naive" / "summary.parquet")
        keys = ["role", "regime", "replication"]
        cols = ["benefit", "cost", "public_value", "evasion_rate"]
        same = (
            fast.sort_values(keys)[cols]
            .reset_index(drop=True)
            .equals(slow.sort_values(keys)[cols].reset_index(drop=True))
        )
    cores = os.cpu_count()
    print(f"roles experiment: {n_cells} cells x {a.replications} replications = {runs} runs, {cores} cores")
    print(f"{'way':<52}{'wall s':>9}{'runs/s':>9}")
    print(f"{'sim (joblib, all replications in one job)':<52}{t_sim:>9.1f}{runs / t_sim:>9.2f}")
    print(f"{'naive (basic launcher, one replication per job)':<52}{t_naive:>9.1f}{runs / t_naive:>9.2f}")
    print(f"speed-up: {t_naive / t_sim:.1f}x; identical numbers: {same}")


if __name__ == "__main__":
    main()
