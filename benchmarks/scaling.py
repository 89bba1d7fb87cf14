"""Target 6: time per round against N from 1,000 to 10,000,000 actors, and memory at 10,000,000.

For each N: the kernel's time per round (default dispatch: serial below
``PARALLEL_MIN_ACTORS``, parallel above) and the whole model's (every phase), in this
process; then the fitted exponent b of time = a N^b (1 = linear) over the sizes.
Memory: peak resident set of a fresh process that runs a 10,000,000-actor model for a
few rounds, and the actor state's bytes.

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
import json, resource, sys, time
from sim.hydra_conf import load
from sim.kernels.population import warmup
from sim.model import GovernanceModel
n = int(sys.argv[1])
warmup(parallel=True)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
m = GovernanceModel(load([f"world.actors={n}"]), 0)
t1 = time.perf_counter()
for _ in range(3):
    m.step()
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
state = sum(v.nbytes for v in m.actors.values()) / 2**20
print(json.dumps({"peak_mb": peak, "base_mb": base, "state_mb": state, "setup_s": t1 - t0, "round_s": (t2 - t1) / 3}))
"""


def fit_exponent(sizes: list[int], times: list[float]) -> float:
    """Least-squares slope of log(time) on log(N)."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000,10000000")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    kp.warmup(parallel=True)
    rows = []
    print(f"{'actors':>12}{'kernel ms/round':>17}{'ns/actor':>10}{'model ms/round':>16}{'ns/actor':>10}")
    for n in sizes:
        actors, inputs, params = round_inputs(n)
        rounds = max(2, min(200, 20_000_000 // n))

        def kernel(actors=actors, inputs=inputs, params=params, rounds=rounds) -> None:
            for r in range(rounds):
                kp.respond(actors, *inputs, params, r)

        kernel()
        t_kernel = best_of(kernel, 3) / rounds
        del actors
        m = GovernanceModel(load([f"world.actors={n}", f"run.rounds={rounds + 1}"]), 0)
        m.step()

        def model(m=m, rounds=rounds) -> None:
            for _ in range(rounds):
                m.step()

        t_model = best_of(model, 1) / rounds
        del m
        rows.append({"actors": n, "kernel_s": t_kernel, "model_s": t_model})
        k_ns, m_ns = t_kernel / n * 1e9, t_model / n * 1e9
        print(f"{n:>12,}{t_kernel * 1e3:>17.3f}{k_ns:>10.2f}{t_model * 1e3:>16.3f}{m_ns:>10.2f}")
    b_kernel = fit_exponent(sizes, [r["kernel_s"] for r in rows])
    b_model = fit_exponent(sizes, [r["model_s"] for r in rows])
    big = [r for r in rows if r["actors"] >= 100_000]
    b_big = fit_exponent([r["actors"] for r in big], [r["model_s"] for r in big]) if len(big) > 1 else float("nan")
    print(f"fitted exponent (time ~ N^b): kernel b = {b_kernel:.3f}, model b = {b_model:.3f} "
          f"(model from 100,000 up: b = {b_big:.3f})")  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(max(sizes))], capture_output=True, text=True, check=True
    )
    mem = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"memory at {max(sizes):,} actors: peak RSS {mem['peak_mb']:.0f} MB (after start-up {mem['base_mb']:.0f} MB); "
        f"actor state {mem['state_mb']:.0f} MB; model set-up {mem['setup_s']:.1f} s, round {mem['round_s']:.2f} s"
    )
    emit({"rows": rows, "b_kernel": b_kernel, "b_model": b_model, "b_model_large": b_big, "memory": mem})


if __name__ == "__main__":
    main()
