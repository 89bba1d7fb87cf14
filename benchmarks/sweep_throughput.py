"""Sweep throughput: the roles experiment as sim runs it, against the naive way.

Both are measured here, one after the other:
- sim: ``python -m sim experiment=roles`` (sim's defaults: its local launcher on all
  cores, each cell one Hydra job running all its replications), all 28 cells by default;
- naive: Hydra as it comes, its basic sweeper and basic launcher
  (``hydra/sweeper=basic hydra/launcher=basic``), with one replication per job
  (``run.replications=1 run.first_replication=0,1,...``), on a subset of the roles
  (``--naive-roles``; every job costs about the same, so its runs/second carry over).
Both produce the same numbers on the cells they share (checked below); the ratio of
runs/second is the figure that counts.

Usage: python benchmarks/sweep_throughput.py [--roles ...] [--naive-roles regulator,co_producer] [--replications 20]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

ROLES = "none,producer,commissioner,regulator,co_producer,facilitator,director"


def timed(args: list[str], cwd: Path) -> tuple[float, float, float, int, float]:
    """Wall time of a sweep, its cells' summed run time, when the first cell ended, cells run ahead, CPU time.

    Each cell prints ``cell <name>: done in <s> s`` (the time in sim's run_cell: the
    replications and the cell's files), and a cell whose replications a worker ran
    while Hydra was starting (sweep.Workers.ahead) also
    ``cell <hash>: computed ahead in <s> s``; the rest of the wall time is Hydra,
    start-up and launching.
    """
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    cells, first, ahead = 0.0, None, 0
    for line in proc.stdout:
        m = re.search(r"computed ahead in ([0-9.]+) s", line)
        if m:
            cells += float(m.group(1))
            ahead += 1
            continue
        m = re.search(r"done in ([0-9.]+) s", line)
        if m:
            cells += float(m.group(1))
            first = first if first is not None else time.perf_counter() - t0
    if proc.wait() != 0:
        raise subprocess.CalledProcessError(proc.returncode, args)
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)  # the sweep and its workers
    return wall, cells, first or 0.0, ahead, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", default=ROLES, help="comma-separated roles (default: all seven)")
    ap.add_argument("--naive-roles", default="regulator,co_producer", help="roles of the naive sweep")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--extra", nargs="*", default=[], help="more overrides for both, e.g. world.actors=20000")
    a = ap.parse_args()
    n_cells = len(a.roles.split(",")) * 4
    runs = n_cells * a.replications
    naive_runs = len(a.naive_roles.split(",")) * 4 * a.replications
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        common = ["experiment=roles", *a.extra]
        batched = [f"role={a.roles}", f"run.replications={a.replications}", "hydra.sweep.dir=batched"]
        t_sim, cells_sim, first_sim, ahead_sim, cpu_sim = timed([*common, *batched], cwd)
        reps = ",".join(str(i) for i in range(a.replications))
        t_naive, cells_naive, first_naive, _, _ = timed(
            [
                *common,
                f"role={a.naive_roles}",
                "hydra/sweeper=basic",
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
        fast = fast[fast["role"].isin(a.naive_roles.split(","))]
        same = len(fast) == len(slow) and (
            fast.sort_values(keys)[cols]
            .reset_index(drop=True)
            .equals(slow.sort_values(keys)[cols].reset_index(drop=True))
        )
    cores = os.cpu_count()
    sim_rate, naive_rate = runs / t_sim, naive_runs / t_naive
    print(f"roles experiment, {cores} cores; each run {' '.join(a.extra) or '100,000 actors x 50 rounds'}")
    print(f"{'way':<56}{'runs':>6}{'wall s':>9}{'runs/s':>9}")
    sim_way = "sim (local launcher, all replications of a cell in one job)"
    print(f"{sim_way:<56}{runs:>6}{t_sim:>9.1f}{sim_rate:>9.2f}")
    naive = f"naive (Hydra's basic sweeper and launcher, one replication per job; {a.naive_roles})"
    print(f"{naive:<56}{naive_runs:>6}{t_naive:>9.1f}{naive_rate:>9.2f}")
    print(f"speed-up: {sim_rate / naive_rate:.1f}x runs/s; identical numbers on the shared cells: {same}")
    workers = min(cores or 1, n_cells)
    print("where the wall time goes:")
    print(
        f"  sim: cells' own run time {cells_sim:.1f} s over {workers} workers = {cells_sim / workers:.1f} s "
        f"({cells_sim / runs * 1e3:.0f} ms per run, replications and files; {ahead_sim} cells run ahead while "
        f"Hydra started); first cell done after {first_sim:.1f} s (start-up, validating every cell, "
        f"launching workers); the rest, {t_sim - cells_sim / workers:.1f} s, is start-up and Hydra per job"
    )
    print(
        f"  sim: {cpu_sim:.1f} s of CPU in {t_sim:.1f} s ({cpu_sim / t_sim / (cores or 1):.0%} of all cores busy); "
        f"besides the cells' runs, {cpu_sim - cells_sim:.1f} s of CPU: start-up (the workers' fork server "
        "loading the model and kernel, checking the cells) and Hydra's work per job"
    )
    rest = t_naive - cells_naive
    print(
        f"  naive: cells' own run time {cells_naive:.1f} s ({cells_naive / naive_runs * 1e3:.0f} ms per job); "
        f"Hydra and start-up {rest:.1f} s ({rest / naive_runs * 1e3:.0f} ms per job)"
    )
    emit(
        {
            "cells": n_cells,
            "runs": runs,
            "sim_s": t_sim,
            "naive_runs": naive_runs,
            "naive_s": t_naive,
            "sim_runs_per_s": sim_rate,
            "naive_runs_per_s": naive_rate,
            "speedup": sim_rate / naive_rate,
            "identical": bool(same),
            "naive_roles": a.naive_roles,
            "sim_cells_s": cells_sim,
            "naive_cells_s": cells_naive,
            "sim_first_cell_s": first_sim,
            "sim_cells_run_ahead": ahead_sim,
            "sim_cpu_s": cpu_sim,
        }
    )


if __name__ == "__main__":
    main()
