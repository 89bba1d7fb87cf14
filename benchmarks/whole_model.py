"""Target 4: the whole model against the bare kernel, per actor-round, and what recording costs.

The full default run (``python -m sim``: overlast, 100,000 actors, 50 rounds, 10
replications; every phase, the record of every round, the table and the files
rounds.parquet and summary.json) against the kernel alone on the same population for
the same number of rounds. Recording is what turns the rounds into output: the
per-round record dictionaries (timed by replaying them), the table, and the files.

Usage: python benchmarks/whole_model.py [overrides ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

from sim import world  # noqa: E402
from sim.hydra_conf import load  # noqa: E402
from sim.kernels import population as kp  # noqa: E402
from sim.model import GovernanceModel  # noqa: E402
from sim.run import REQUIRED, run, write_outputs  # noqa: E402


def main() -> None:
    overrides = sys.argv[1:]
    cfg = load(overrides)
    kp.warmup(parallel=cfg.world.actors >= kp.PARALLEL_MIN_ACTORS)
    n, rounds, reps = cfg.world.actors, cfg.run.rounds, cfg.run.replications
    updates = n * rounds * reps
    run(load([*overrides, "run.replications=1"]))  # pages in, caches

    # The whole run, as the command line does it: run() and the two files.
    t_full = float("inf")
    for _ in range(3):
        world._REPLICATIONS.clear()  # a fresh run draws its worlds (a sweep's later cells reuse them)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            df = run(cfg)
            t1 = time.perf_counter()
            write_outputs(df, cfg, Path(tmp))
            t2 = time.perf_counter()
        if t2 - t0 < t_full:
            t_full, t_files = t2 - t0, t2 - t1

    # The bare kernel on the same population: each replication's actors and the
    # kernel's inputs of its first round (captured from a real round), every round.
    calls = []
    respond = kp.respond
    kp.respond = lambda *args, **kw: calls.append(args) or respond(*args, **kw)
    starts = []
    for rep in range(reps):
        m = GovernanceModel(cfg, rep)
        m.step()
        starts.append(calls[-1])
    kp.respond = respond
    t_kernel = float("inf")
    for _ in range(3):
        total = 0.0
        for actors, *inputs, key in starts:
            t0 = time.perf_counter()
            for r in range(rounds):
                respond(actors, *inputs, key + r)
            total += time.perf_counter() - t0
        t_kernel = min(t_kernel, total)

    # Recording: building each round's record, and the table from the records.
    rows = df.to_dict("records")
    t0 = time.perf_counter()
    for row in rows:
        dict(row)  # one dictionary of the round's floats, as outcomes() builds it
    t_rows = time.perf_counter() - t0
    import pandas as pd

    t0 = time.perf_counter()
    table = pd.DataFrame(rows)
    table = table[REQUIRED + [c for c in table.columns if c not in REQUIRED]]
    t_table = time.perf_counter() - t0
    t_record = t_rows + t_table + t_files

    m = GovernanceModel(cfg, 0)
    state = sum(v.nbytes for v in m.actors.values()) / n
    ns = 1e9 / updates
    print(f"{n:,} actors x {rounds} rounds x {reps} replications ({' '.join(overrides) or 'defaults'})")
    print(f"{'':<46}{'s':>8}{'ns/actor-round':>16}{'x kernel':>10}")
    for name, t in (
        ("full run (all phases, recording, files)", t_full),
        ("bare kernel, same rounds", t_kernel),
        ("recording (records, table, files)", t_record),
    ):
        print(f"{name:<46}{t:>8.3f}{t * ns:>16.2f}{t / t_kernel:>10.2f}")
    print(f"actor state: {state:.0f} bytes per actor")
    emit(
        {
            "actors": n,
            "rounds": rounds,
            "replications": reps,
            "full_s": t_full,
            "kernel_s": t_kernel,
            "record_s": t_record,
            "full_over_kernel": t_full / t_kernel,
            "record_over_kernel": t_record / t_kernel,
            "full_ns": t_full * ns,
            "kernel_ns": t_kernel * ns,
            "state_bytes": state,
            "rep_ms": 1e3 * t_full / reps,
        }
    )


if __name__ == "__main__":
    main()
