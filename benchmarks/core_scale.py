"""Core scale: the default run's wall time and the memory of a 1,000,000-actor run.

Usage: python benchmarks/core_scale.py
Each measurement runs in a fresh subprocess (peak RSS is per process). Kernel
compile/cache-load time is reported apart from run time.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from sim.hydra_conf import load
from sim.kernels.population import PARALLEL_MIN_ACTORS, warmup
from sim.run import run
overrides = sys.argv[1:]
cfg = load(overrides)
t0 = time.perf_counter(); compile_s = warmup(parallel=cfg.world.actors >= PARALLEL_MIN_ACTORS); t1 = time.perf_counter()
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
df = run(cfg)
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
updates = cfg.world.actors * cfg.run.rounds * cfg.run.replications
print(json.dumps({"overrides": overrides, "actors": cfg.world.actors, "rounds": cfg.run.rounds,
                  "replications": cfg.run.replications, "compile_s": compile_s, "run_s": t2 - t1,
                  "ns_per_actor_round": 1e9 * (t2 - t1) / updates, "peak_rss_mb": peak,
                  "rss_before_run_mb": base_rss}))
"""


def measure(*overrides: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, *overrides], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    cases = [
        ("default run (100,000 actors, 50 rounds, 10 replications)", []),
        ("default run, one replication", ["run.replications=1"]),
        ("1,000,000 actors, 50 rounds, 1 replication", ["world.actors=1000000", "run.replications=1"]),
    ]
    print(f"{'case':<58}{'compile s':>10}{'run s':>9}{'ns/actor-round':>16}{'peak RSS MB':>13}")
    for name, ov in cases:
        r = measure(*ov)
        print(
            f"{name:<58}{r['compile_s']:>10.2f}{r['run_s']:>9.2f}{r['ns_per_actor_round']:>16.1f}{r['peak_rss_mb']:>13.0f}"
        )


if __name__ == "__main__":
    main()
