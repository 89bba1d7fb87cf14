"""Target 3: the parallel kernel against the serial one, side by side, and their numbers.

For each size: serial, parallel (forced) and the default dispatch (``parallel=None``:
serial below ``PARALLEL_MIN_ACTORS``), the best of several rounds each; then whether
serial and parallel leave bit-identical state and tallies after a few rounds. Parallel
runs split the chunks between Python threads, each running the compiled kernel with the
GIL released: waiting threads sleep (no spinning), and nothing more is compiled.

Usage: python benchmarks/parallel.py [--sizes 16385,32769,65536,100000,1000000]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of_each, copy_state, emit, round_inputs  # noqa: E402

from sim.kernels import population as kp  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="16385,32769,65536,100000,1000000")
    a = ap.parse_args()
    import numba

    kp.warmup(parallel=True)
    cores = os.cpu_count()
    print(
        f"threads {numba.get_num_threads()} on {cores} cores (Python threads, kernel without the GIL); "
        f"serial below {kp.PARALLEL_MIN_ACTORS:,} actors"
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
    emit({"threads": numba.get_num_threads(), "rows": rows})


if __name__ == "__main__":
    main()
