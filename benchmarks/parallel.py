"""Target 3: the parallel kernel against the serial one, side by side, and their numbers.

For each size: serial, parallel (forced) and the default dispatch (``parallel=None``:
serial below ``PARALLEL_MIN_ACTORS``), the best of several rounds each; then whether
serial and parallel leave bit-identical state and tallies after a few rounds. With
``--layers`` it also times N = 1,000,000 under each threading setting, each in a fresh
process (Numba picks its threading layer once per process).

Usage: python benchmarks/parallel.py [--sizes 16385,32769,65536,100000,1000000] [--layers]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of_each, copy_state, emit, round_inputs  # noqa: E402

from sim.kernels import population as kp  # noqa: E402

LAYERS = {  # name -> environment of the child process
    "omp, passive wait (default)": {"NUMBA_THREADING_LAYER": "omp", "OMP_WAIT_POLICY": "PASSIVE"},
    "omp, active wait (spinning)": {"NUMBA_THREADING_LAYER": "omp", "OMP_WAIT_POLICY": "ACTIVE"},
    "workqueue": {"NUMBA_THREADING_LAYER": "workqueue"},
}


def per_update(actors, inputs, params, rounds: int, modes: dict[str, bool | None]) -> dict[str, float]:
    """Best ns per actor-round of ``rounds`` rounds in each mode, measured interleaved."""
    states = {name: copy_state(actors) for name in modes}
    fns = {}
    for name, parallel in modes.items():
        st = states[name]
        kp.respond(st, *inputs, params, 0, parallel=parallel)  # compile/load, pages in

        def go(st=st, parallel=parallel) -> None:
            for r in range(rounds):
                kp.respond(st, *inputs, params, r, parallel=parallel)

        fns[name] = go
    n = actors["place"].shape[0]
    return {name: t / (rounds * n) * 1e9 for name, t in best_of_each(fns, 9).items()}


def identical(actors, inputs, params, rounds: int = 3) -> bool:
    """Serial and parallel kernels: same tallies, sums and state after ``rounds`` rounds."""
    a, b = copy_state(actors), copy_state(actors)
    for r in range(rounds):
        ta, fa = kp.respond(a, *inputs, params, r, parallel=False)
        tb, fb = kp.respond(b, *inputs, params, r, parallel=True)
        if not (np.array_equal(ta, tb) and np.array_equal(fa, fb)):
            return False
    return all(np.array_equal(a[k], b[k]) for k in a)


def child(n: int) -> None:
    """Print serial and parallel ns/update at size n (run in a fresh process)."""
    import numba

    actors, inputs, params = round_inputs(n)
    t = per_update(actors, inputs, params, max(3, 5_000_000 // n), {"serial": False, "parallel": True})
    print(f"{t['serial']} {t['parallel']} {numba.threading_layer()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="16385,32769,65536,100000,1000000")
    ap.add_argument("--layers", action="store_true", help="also compare threading settings at N = 1,000,000")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child)
        return
    import numba

    kp.warmup(parallel=True)
    cores = os.cpu_count()
    print(
        f"threads {numba.get_num_threads()} on {cores} cores; threading layer {numba.threading_layer()}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}; serial below {kp.PARALLEL_MIN_ACTORS:,} actors"
    )
    print(f"{'actors':>12}{'serial ns':>11}{'parallel ns':>13}{'default ns':>12}{'par/ser':>9}{'def/ser':>9}  same")
    rows = []
    for n in (int(x) for x in a.sizes.split(",")):
        actors, inputs, params = round_inputs(n)
        t = per_update(actors, inputs, params, max(3, 5_000_000 // n), {"s": False, "p": True, "d": None})
        s, p, d = t["s"], t["p"], t["d"]
        same = identical(actors, inputs, params)
        rows.append({"actors": n, "serial_ns": s, "parallel_ns": p, "default_ns": d, "identical": same})
        print(f"{n:>12,}{s:>11.2f}{p:>13.2f}{d:>12.2f}{s / p:>8.2f}x{s / d:>8.2f}x  {same}")
    layers = {}
    if a.layers:
        print("N = 1,000,000 under each threading setting (fresh process each):")
        for name, env in LAYERS.items():
            out = subprocess.run(
                [sys.executable, __file__, "--child", "1000000"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            s, p = float(out[0]), float(out[1])
            layers[name] = {"serial_ns": s, "parallel_ns": p, "layer": out[2]}
            print(f"  {name:<30} ({out[2]}): serial {s:.2f} ns, parallel {p:.2f} ns, speed-up {s / p:.2f}x")
    emit({"threads": numba.get_num_threads(), "layer": numba.threading_layer(), "rows": rows, "layers": layers})


if __name__ == "__main__":
    main()
