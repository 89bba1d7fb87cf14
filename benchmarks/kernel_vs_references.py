"""Target 1: the population kernel against a Mesa reference and a NumPy reference of the same rule.

N actors (default 10,000) for R rounds (default 100) with the default arrangement's
behavioural parameters, measured one after the other in this process. All three use
the same counter-based draws; before timing, one round of each is checked against the
kernel: NumPy (float32, like the kernel) must give its tallies, float sums and state
exactly; Mesa (plain Python floats, float64) its integer tallies, up to the few counts
a float32 near-tie can move (printed).

Usage: python benchmarks/kernel_vs_references.py [--actors 10000] [--rounds 100] [--mesa-rounds 100]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, copy_state, emit, round_inputs  # noqa: E402
from reference_mesa import PopulationModel  # noqa: E402
from reference_numpy import respond_numpy  # noqa: E402

from sim.kernels import population as kp  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--mesa-rounds", type=int, default=100, help="rounds timed for the (slow) Mesa reference")
    ap.add_argument("--visibility", type=int, default=0, help="0 closed (default arrangement), 1 restricted, 2 public")
    a = ap.parse_args()
    n, rounds = a.actors, a.rounds
    actors, inputs, params = round_inputs(n, a.visibility)
    kp.warmup()

    # Same rule: one round from the same state gives the same tallies.
    key = 0x5EED
    ka, na = copy_state(actors), copy_state(actors)
    tk, fk = kp.respond(ka, *inputs, params, key, parallel=False)
    tn, fn = respond_numpy(na, *inputs, params, key)
    mesa_model = PopulationModel(copy_state(actors))
    tm, _ = mesa_model.respond(*inputs, params, key)
    same_numpy = np.array_equal(tk, tn) and np.array_equal(fk, fn) and all(np.array_equal(ka[k], na[k]) for k in ka)
    same_mesa = np.array_equal(tk, tm)
    mesa_diff = int(np.abs(tk - tm).sum())  # counts moved by float32 vs float64 near-ties

    def kernel_run() -> None:
        st = copy_state(actors)
        for r in range(rounds):
            kp.respond(st, *inputs, params, r, parallel=False)

    def numpy_run() -> None:
        st = copy_state(actors)
        for r in range(rounds):
            respond_numpy(st, *inputs, params, r)

    def mesa_run() -> None:
        for r in range(a.mesa_rounds):
            mesa_model.respond(*inputs, params, r)

    one = {name: arr[:1].copy() for name, arr in actors.items()}  # the same places, one actor: a call's fixed cost

    def call_run() -> None:
        for r in range(1000):
            kp.respond(one, *inputs, params, r, parallel=False)

    t_call = best_of(call_run, 5) / 1000
    t_kernel = best_of(kernel_run, 5) / (n * rounds)
    t_numpy = best_of(numpy_run, 3) / (n * rounds)
    t_mesa = best_of(mesa_run, 3) / (n * a.mesa_rounds)  # best of 3, as the others (one run: 3.5-3.8 us)
    print(f"population rule, {n:,} actors, visibility {a.visibility}; same tallies as the kernel: "
          f"NumPy {same_numpy}, Mesa {same_mesa} ({mesa_diff} of {int(tk.sum()):,} counts differ)")  # fmt: skip
    print(f"{'implementation':<46}{'rounds':>8}{'ns/actor-round':>16}{'kernel speed-up':>17}")
    print(f"{'kernel (Numba, serial)':<46}{rounds:>8}{t_kernel * 1e9:>16.1f}{1.0:>16.1f}x")
    print(f"{'NumPy, vectorised over actors':<46}{rounds:>8}{t_numpy * 1e9:>16.1f}{t_numpy / t_kernel:>16.1f}x")
    mesa_name = "Mesa agents, AgentSet.shuffle_do(step)"
    print(f"{mesa_name:<46}{a.mesa_rounds:>8}{t_mesa * 1e9:>16.1f}{t_mesa / t_kernel:>16.0f}x")
    places = len(inputs[0])
    print(f"kernel: a call costs {t_call * 1e6:.1f} us whatever the actors ({t_call / n * 1e9:.2f} ns per "
          f"actor-round here); {places} places, {n / places:.0f} actors each on average "
          "(one block each, padded to whole vectors of eight)")  # fmt: skip
    emit(
        {
            "actors": n,
            "rounds": rounds,
            "mesa_rounds": a.mesa_rounds,
            "kernel_ns": t_kernel * 1e9,
            "numpy_ns": t_numpy * 1e9,
            "mesa_ns": t_mesa * 1e9,
            "vs_numpy": t_numpy / t_kernel,
            "vs_mesa": t_mesa / t_kernel,
            "same_numpy": bool(same_numpy),
            "same_mesa": bool(same_mesa),
            "mesa_counts_differing": mesa_diff,
            "call_us": t_call * 1e6,
            "places": places,
        }
    )


if __name__ == "__main__":
    main()
