"""Target 6: time per round against N from 1,000 to 10,000,000 actors, and memory at 10,000,000.

For each N, in this process: the serial kernel's time per round (one thread, so that
the curve is not bent by the switch to the parallel kernel), the default dispatch's
(parallel from ``PARALLEL_MIN_ACTORS``) and the whole model's (every phase, default
dispatch). Fitted: the exponent b of time = c N^b over all sizes (1 = linear) and a
straight line time = fixed + per-actor x N (its worst relative miss says how linear it
is). Memory: the peak resident set (VmHWM) of a fresh process that builds a
10,000,000-actor model and runs a few rounds, and the actor state's bytes.

Usage: python benchmarks/scaling.py [--sizes 1000,10000,100000,1000000,10000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, emit, round_inputs  # noqa: E402

from sim.hydra_conf import load  # noqa: E402
from sim.kernels import population as kp  # noqa: E402
from sim.model import GovernanceModel  # noqa: E402

MEMORY_CHILD = r"""
import json, sys, time
from sim.hydra_conf import load
from sim.kernels.population import warmup
from sim.model import GovernanceModel

def status(field):  # this process's own figures (ru_maxrss would carry the parent's peak over exec)
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
n = int(sys.argv[1])
warmup(parallel=True)
base = status("VmRSS")
t0 = time.perf_counter()
m = GovernanceModel(load([f"world.actors={n}"]), 0)
t1 = time.perf_counter()
for _ in range(3):
    m.step()
t2 = time.perf_counter()
peak = status("VmHWM")
state = sum(v.nbytes for v in m.actors.values()) / 2**20
print(json.dumps({"peak_mb": peak, "base_mb": base, "state_mb": state, "setup_s": t1 - t0, "round_s": (t2 - t1) / 3}))
"""


def fit_exponent(sizes: list[int], times: list[float]) -> float:
    """Least-squares slope of log(time) on log(N)."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def fit_line(sizes: list[int], times: list[float]) -> tuple[float, float, float]:
    """time = fixed + per_actor x N, weighted by 1/time (relative errors): (fixed s, per-actor s, worst miss)."""
    x, y = np.asarray(sizes, dtype=float), np.asarray(times)
    a = np.column_stack([np.ones_like(x), x]) / y[:, None]
    fixed, per = np.linalg.lstsq(a, np.ones_like(y), rcond=None)[0]
    miss = float(np.max(np.abs((fixed + per * x) / y - 1)))
    return float(fixed), float(per), miss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000,10000000")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    kp.warmup(parallel=True)
    rows = []
    head = ["serial kernel", "default kernel", "model"]
    print(f"{'':>12}" + "".join(f"{h:>24}" for h in head))
    print(f"{'actors':>12}" + f"{'ms/round':>13}{'ns/actor':>11}" * len(head))
    for n in sizes:
        actors, inputs, params = round_inputs(n)
        rounds = max(2, min(200, 20_000_000 // n))
        row = {"actors": n}
        for name, parallel in (("serial_s", False), ("kernel_s", None)):

            def kernel(actors=actors, inputs=inputs, params=params, parallel=parallel, rounds=rounds) -> None:
                for r in range(rounds):
                    kp.respond(actors, *inputs, params, r, parallel=parallel)

            kernel()
            row[name] = best_of(kernel, 5) / rounds
        del actors
        m = GovernanceModel(load([f"world.actors={n}", f"run.rounds={3 * rounds + 1}"]), 0)
        m.step()

        def model(m=m, rounds=rounds) -> None:
            for _ in range(rounds):
                m.step()

        row["model_s"] = best_of(model, 3) / rounds
        del m
        rows.append(row)
        cells = "".join(f"{row[k] * 1e3:>13.3f}{row[k] / n * 1e9:>11.2f}" for k in ("serial_s", "kernel_s", "model_s"))
        print(f"{n:>12,}{cells}")
    fits = {}
    for key, name in (("serial_s", "serial kernel"), ("kernel_s", "default kernel"), ("model_s", "model")):
        times = [r[key] for r in rows]
        b = fit_exponent(sizes, times)
        fixed, per, miss = fit_line(sizes, times)
        fits[key] = {"b": b, "fixed_s": fixed, "per_actor_s": per, "miss": miss}
        print(
            f"{name:<15} time ~ N^{b:.3f}; as a line: {fixed * 1e6:8.1f} us + {per * 1e9:5.2f} ns x N "
            f"(worst miss {miss:.0%})"
        )
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(max(sizes))], capture_output=True, text=True, check=True
    )
    mem = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"memory at {max(sizes):,} actors: peak RSS {mem['peak_mb']:.0f} MB (before the model: {mem['base_mb']:.0f} "
        f"MB); actor state {mem['state_mb']:.0f} MB; model set-up {mem['setup_s']:.1f} s, round {mem['round_s']:.2f} s"
    )
    large = [r["serial_s"] / r["actors"] for r in rows if r["actors"] >= 10_000]
    spread = max(large) / min(large) - 1 if large else float("nan")
    print(f"serial kernel per actor from 10,000 actors up: {min(large) * 1e9:.2f} to {max(large) * 1e9:.2f} ns "
          f"(spread {spread:.0%})")  # fmt: skip
    emit({"rows": rows, "fits": fits, "memory": mem, "per_actor_spread": spread})


if __name__ == "__main__":
    main()
