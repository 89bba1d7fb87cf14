"""The population rule vectorised with NumPy: the kernel's rule, whole arrays at a time.

A benchmark reference for ``sim.kernels.population.respond`` (without score
profiling): the same counter-based draws and the same float32 arithmetic in the same
order, so it returns the same tallies and leaves the same state. ``kernel_vs_references.py``
checks that before it times anything.
"""

from __future__ import annotations

import numpy as np

from sim.kernels import population as kp

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, elementwise (uint64 arithmetic wraps)."""
    z = (z ^ (z >> np.uint64(30))) * M1
    z = (z ^ (z >> np.uint64(27))) * M2
    return z ^ (z >> np.uint64(31))


def uniforms(key: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three draws of actors 0 .. n - 1: SplitMix64 from the round key, positions 2i and 2i + 1."""
    pos = np.uint64(key) + (2 * np.arange(n, dtype=np.uint64) + np.uint64(1)) * GOLDEN
    r = mix(pos)
    u0 = (r >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)
    u1 = (r & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2.0**32
    u2 = (mix(pos + GOLDEN) >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)
    return u0, u1, u2


def respond_numpy(
    actors: dict[str, np.ndarray],
    opportunity: np.ndarray,
    opportunity0: np.ndarray,
    detect: np.ndarray,
    published: np.ndarray,
    neighbour_rate: np.ndarray,
    params: np.ndarray,
    key: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One round of the rule for every actor; same arguments and results as ``respond``.

    In float32 like the kernel (``f`` rounds a float64 value or parameter once).
    """
    f = np.float32
    visibility = params[0]
    fine, evasion_cost, evasion_factor, move_cost, game_cost = (f(x) for x in params[1:6])
    experience_weight, own_weight, gain_noise, prior = (f(x) for x in params[6:10])
    mult_hi, mult_lo, pub_hi, pub_lo = params[10:14]
    effort = f(params[14])
    if params[15] != 0.0:
        raise NotImplementedError("score profiling is not part of this reference")
    place = actors["place"].astype(np.int64)
    n, n_places = place.shape[0], opportunity.shape[0]
    s = actors["sophistication"]
    b = actors["belief"]
    sees = np.full(n, visibility >= 2) | ((visibility >= 1) & (actors["in_circle"] != 0))
    has_trait = actors["trait"] != 0
    u0, u1, u2 = uniforms(key, n)
    # Learning.
    target = np.minimum(published[place] * np.where(has_trait, pub_hi, pub_lo), 1.0).astype(f)
    b = np.where(sees, b + s * (target - b), b)
    b = np.where(actors["caught"] != 0, b + s * own_weight * (f(1) - b), b)
    b = b + s * experience_weight * (neighbour_rate[place].astype(f) - b)
    b = np.where(b < 0, f(0), b)
    b = np.where(b > 1, f(1), b)
    actors["belief"][:] = b
    # Choice.
    g_unit = actors["gain"] * (f(1) + gain_noise * (f(2) * u0 - f(1)))
    penalty = actors["risk"] * fine
    g_here = g_unit * opportunity[place].astype(f) - effort
    potential = g_unit * opportunity0[place].astype(f) - effort > 0
    best = np.zeros(n, dtype=np.int8)
    best_u = np.zeros(n, dtype=f)
    dest = np.minimum((u1 * n_places).astype(np.int64), n_places - 1)
    b_dest_seen = np.minimum(published[dest] * np.where(has_trait, pub_hi, pub_lo), 1.0).astype(f)
    b_dest = np.where(sees, b_dest_seen, prior)
    can_game = pub_hi > pub_lo
    game_ratio = f(pub_lo / pub_hi if can_game else 0.0)
    options = [
        (kp.VIOLATE, g_here - b * penalty, True),
        (kp.EVADE, g_here - evasion_cost - b * evasion_factor * penalty, True),
        (kp.MOVE, g_here - move_cost - b_dest * penalty, dest != place),
        (kp.GAME, g_here - game_cost - b * game_ratio * penalty, has_trait & sees & can_game),
    ]
    for action, u, allowed in options:
        better = (u > best_u) & allowed
        best = np.where(better, np.int8(action), best)
        best_u = np.where(better, u, best_u)
    # Consequences.
    moved, gamed, evading, violates = best == kp.MOVE, best == kp.GAME, best == kp.EVADE, best != kp.COMPLY
    here = np.where(moved, dest, place)
    has_trait = has_trait & ~gamed
    q = (detect[here] * np.where(has_trait, mult_hi, mult_lo)).astype(f)
    q = np.where(evading, q * evasion_factor, q)
    q = np.where(q > 1, f(1), q)
    hit = u2 < q
    got = violates & hit
    actors["trait"][gamed] = 0
    actors["caught"][:] = got
    actors["action"][:] = best
    tally = np.zeros((n_places, kp.N_TALLY), dtype=np.int64)
    for col, where, mask in (
        (kp.T_ACTORS, place, None),
        (kp.T_POTENTIAL, place, potential),
        (kp.T_SAW_TARGETING, place, sees),
        (kp.T_INNOCENT_CHECKED, place, hit & ~violates),
        (kp.T_GAMED, place, gamed),
        (kp.T_VIOLATIONS, here, violates),
        (kp.T_CAUGHT, here, got),
        (kp.T_MOVED, here, moved),
        (kp.T_EVADING, here, evading),
    ):
        tally[:, col] = np.bincount(where if mask is None else where[mask], minlength=n_places)
    fsum = np.zeros((n_places, kp.N_FSUM))
    fixed = (b * f(2**30)).astype(np.int32)  # beliefs in the kernel's fixed point (exact sums)
    fsum[:, kp.F_BELIEF] = np.bincount(place, weights=fixed, minlength=n_places) / 2**30
    return tally, fsum
