"""Helpers shared by the benchmark scripts: timing, a typical round's inputs, result lines."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np

# Each script ends with one line "RESULT {json}" that run_all.py collects.
RESULT_PREFIX = "RESULT "

# Bytes of actor state the kernel moves per actor-round: it reads place, gain, risk,
# sophistication, belief (4 B each), trait, in_circle, caught (1 B each) and writes
# belief, caught, action back (6 B; action's line also comes in by write-allocate, 1 B).
BYTES_PER_UPDATE = 4 * 5 + 1 * 3 + 1 + 6


def emit(result: dict) -> None:
    """Print the machine-readable result line."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of ``repeats`` calls, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def best_of_each(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Fastest wall time of each function, their calls interleaved (a, b, a, b, ...).

    Interleaving spreads every contender over the whole measurement, so a burst of
    other load on a shared machine cannot fall on one of them only.
    """
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def round_inputs(n: int, visibility: int = 0, seed: int = 0):
    """Actors of the default world (n of them) and per-place inputs of a typical round.

    Returns:
        ``(actors, inputs, params)`` for ``respond(actors, *inputs, params, key)``.
    """
    from sim.config import SimConfig
    from sim.kernels import population as kp
    from sim.world import make_actors, make_world

    cfg = SimConfig()
    cfg.world.actors = n
    world = make_world(cfg, seed)
    actors = make_actors(cfg, seed, world)
    rng = np.random.default_rng(1)
    p = cfg.world.places
    opportunity0 = 1.0 + cfg.world.driver_effect * world.drivers.sum(axis=1)
    opportunity = opportunity0 * rng.uniform(0.5, 1.0, p)
    detect = rng.uniform(0.0, 0.1, p)
    neighbour = rng.uniform(0.0, 0.3, p)
    q = cfg.population
    params = kp.pack_params(
        visibility, q.fine, q.evasion_cost, q.evasion_factor, q.move_cost, q.game_cost, q.experience_weight,
        q.own_experience_weight, q.gain_noise, q.prior_detection, effort=q.violation_cost,
    )  # fmt: skip
    return actors, (opportunity, opportunity0, detect, detect, neighbour), params


def copy_state(actors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A deep copy of the actor arrays."""
    return {k: v.copy() for k, v in actors.items()}
