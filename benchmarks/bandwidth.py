"""Target 2: the kernel at N = 10,000,000 against the memory-bandwidth bound, measured here.

A STREAM-style triad ``a = b + s * c`` (Numba, serial and with all threads) measures
the bandwidth this run gets. The kernel moves ``BYTES_PER_UPDATE`` bytes of actor state
per actor-round (see benchmarks/common.py); the bound is that many bytes at the
measured bandwidth, and the figure is bound / kernel time (1 = at the bound). Both
count the bytes that really cross the memory bus: the triad's 24 B per element plus
the write-allocate read of ``a`` (32 B), the kernel's 24 B read plus 6 B written back.

Usage: python benchmarks/bandwidth.py [--actors 10000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from numba import njit, prange

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BYTES_PER_UPDATE, best_of_each, emit, round_inputs  # noqa: E402

from sim.kernels import population as kp  # noqa: E402

TRIAD_BYTES = 32  # read b and c, write a (which is first read: write-allocate)


@njit(error_model="numpy")
def triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


@njit(error_model="numpy", parallel=True)
def triad_parallel(a, b, c, s):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def measure_triad(n: int) -> dict[str, float]:
    """Bytes per second of the triad on n-element arrays, serial and parallel."""
    arrays = (np.zeros(n), np.ones(n), np.full(n, 2.0))
    fns = {"serial": lambda: triad(*arrays, 3.0), "parallel": lambda: triad_parallel(*arrays, 3.0)}
    for fn in fns.values():
        fn()
    return {name: TRIAD_BYTES * n / t for name, t in best_of_each(fns, 10).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    import numba

    n = a.actors
    kp.warmup(parallel=True)
    # The triad's arrays: 3 x 8 B x n, larger than any cache (as the actor state is).
    bw = measure_triad(n)
    actors, inputs, params = round_inputs(n)
    state_bytes = sum(v.nbytes for v in actors.values()) / n
    fns = {}
    for name, par in (("serial", False), ("parallel", True)):
        kp.respond(actors, *inputs, params, 0, parallel=par)

        def go(par: bool = par) -> None:
            for r in range(a.rounds):
                kp.respond(actors, *inputs, params, r, parallel=par)

        fns[name] = go
    kernel = {name: t / (a.rounds * n) for name, t in best_of_each(fns, 4).items()}
    print(
        f"{n:,} actors ({state_bytes:.0f} B of state each, {BYTES_PER_UPDATE} B moved per actor-round); "
        f"{numba.get_num_threads()} threads"
    )
    print(f"{'threads':<10}{'triad GB/s':>11}{'bound ns':>10}{'kernel ns':>11}{'share of bound':>16}")
    out = {"actors": n, "bytes_per_update": BYTES_PER_UPDATE, "state_bytes": state_bytes}
    for name in ("serial", "parallel"):
        bound = BYTES_PER_UPDATE / bw[name]
        share = bound / kernel[name]
        print(f"{name:<10}{bw[name] / 1e9:>11.1f}{bound * 1e9:>10.2f}{kernel[name] * 1e9:>11.2f}{share:>15.0%}")
        out[name] = {"bandwidth_gbs": bw[name] / 1e9, "bound_ns": bound * 1e9, "kernel_ns": kernel[name] * 1e9,
                     "share": share}  # fmt: skip
    emit(out)


if __name__ == "__main__":
    main()
