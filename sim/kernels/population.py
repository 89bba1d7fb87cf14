"""Reflexive response of the strategic population: the hot loop.

One call advances every actor by one round: learn about detection (from the
published targeting if the actor can see it, from its own and its neighbours'
experience), choose to comply, violate, evade, move or game the observed trait,
and meet the actual enforcement. Per-place tallies come back as integer counts.

Random numbers come from a counter-based generator (SplitMix64 finaliser of
``key ^ actor index ^ stream``): every draw is a pure function of the round key, the
actor index and the stream, so results do not depend on thread count or order.
Actors are processed in fixed-size chunks; each chunk writes its own tally row, so
the serial and parallel kernels give bit-identical results.

All helpers live in this file (Numba's cache does not see edits in other files).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

CHUNK = 16_384

# Actions (values of the ``action`` array).
COMPLY, VIOLATE, EVADE, MOVE, GAME = 0, 1, 2, 3, 4

# Columns of the per-place tally.
T_ACTORS = 0  # actors living at the place
T_POTENTIAL = 1  # would violate without any government action
T_VIOLATIONS = 2  # violations committed (all kinds)
T_EVADING = 3  # violations with concealment
T_MOVED = 4  # violations displaced into the place from elsewhere
T_GAMED = 5  # actors who changed their observed trait
T_CAUGHT = 6  # violations detected
T_INNOCENT_CHECKED = 7  # compliant actors inspected
T_SAW_TARGETING = 8  # actors who could see the published targeting
T_FALSE_CLEARED = 9  # score profiling: unqualified actors classified as cleared
T_FALSE_FLAGGED = 10  # score profiling: qualified actors classified as flagged
N_TALLY = 11

# Columns of the per-place float sums.
F_BELIEF = 0  # sum of beliefs after learning
F_SCORE = 1  # score profiling: sum of observed scores
F_BURDEN = 2  # score profiling: manipulation cost paid by qualified actors
N_FSUM = 3

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0
_TWO_PI = 2.0 * np.pi


@njit(cache=True, error_model="numpy", inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, error_model="numpy", inline="always")
def _uniform(base, stream):
    return float(_mix(base + np.uint64(stream) * _GOLDEN) >> _S11) * _INV53


@njit(cache=True, error_model="numpy")
def uniform(key, index, stream):
    """One uniform draw in [0, 1) for (round key, actor index, stream); for tests."""
    base = _mix(np.uint64(key) ^ (np.uint64(index) * _GOLDEN))
    return _uniform(base, stream)


@njit(cache=True, error_model="numpy", inline="always")
def _respond_chunk(
    start,
    stop,
    place,
    gain,
    risk,
    sophistication,
    belief,
    trait,
    in_circle,
    caught,
    action,
    score,
    opportunity,
    opportunity0,
    detect,
    published,
    neighbour_rate,
    params,
    key,
    tally,
    fsum,
):
    n_places = opportunity.shape[0]
    visibility = params[0]  # 0 closed, 1 restricted circle, 2 public
    fine = params[1]
    evasion_cost = params[2]
    evasion_factor = params[3]
    move_cost = params[4]
    game_cost = params[5]
    experience_weight = params[6]
    own_weight = params[7]
    gain_noise = params[8]
    prior = params[9]
    mult_hi = params[10]  # actual detection multiplier, trait holders
    mult_lo = params[11]  # actual detection multiplier, others
    pub_hi = params[12]  # published multiplier, trait holders
    pub_lo = params[13]  # published multiplier, others
    effort = params[14]  # fixed cost of any violation (effort, moral cost)
    scoring = params[15] != 0.0  # profile on a score against a threshold
    tau = params[16]  # the government's threshold (published)
    anchor = params[17]  # shift of the observed score per unit of the believed threshold
    decision_gain = params[18]  # gain from being cleared (observed score >= threshold)
    score_cost = params[19]  # cost per unit of raising the observed score
    tau_noise = params[20]  # sd of the threshold as estimated by actors who cannot see it
    qualification = params[21]  # true score from which an actor should be cleared
    ukey = np.uint64(key)
    for i in range(start, stop):
        base = _mix(ukey ^ (np.uint64(i) * _GOLDEN))
        k = place[i]
        s = sophistication[i]
        b = belief[i]
        sees = visibility >= 2.0 or (visibility >= 1.0 and in_circle[i] != 0)
        has_trait = trait[i] != 0
        if scoring:
            # Classification on a manipulable score: the threshold as the actor
            # believes it (seen, or estimated with noise), anchoring to it, and a
            # jump up to it when the gain of being cleared covers the cost.
            tb = tau
            if not sees and tau_noise > 0.0:
                z = np.sqrt(-2.0 * np.log(1.0 - _uniform(base, 3))) * np.cos(_TWO_PI * _uniform(base, 4))
                tb = tau + tau_noise * z
            x = score[i]
            obs = x + anchor * tb
            moved = 0.0
            if decision_gain > 0.0 and obs < tb and score_cost * (tb - obs) <= decision_gain:
                moved = tb - obs
                obs = tb
                tally[k, T_GAMED] += 1
            has_trait = obs < tau
            trait[i] = 1 if has_trait else 0
            if x >= qualification:
                fsum[k, F_BURDEN] += score_cost * moved
                if has_trait:
                    tally[k, T_FALSE_FLAGGED] += 1
            elif not has_trait:
                tally[k, T_FALSE_CLEARED] += 1
            fsum[k, F_SCORE] += obs
        # Learning: published targeting, own experience, neighbours' experience.
        if sees:
            target = published[k] * (pub_hi if has_trait else pub_lo)
            if target > 1.0:
                target = 1.0
            b += s * (target - b)
            tally[k, T_SAW_TARGETING] += 1
        if caught[i] != 0:
            b += s * own_weight * (1.0 - b)
        b += s * experience_weight * (neighbour_rate[k] - b)
        if b < 0.0:
            b = 0.0
        elif b > 1.0:
            b = 1.0
        belief[i] = b
        # Choice: the option with the highest expected payoff; complying pays 0.
        shock = 1.0 + gain_noise * (2.0 * _uniform(base, 0) - 1.0)
        g_unit = gain[i] * shock
        penalty = risk[i] * fine
        g_here = g_unit * opportunity[k] - effort
        if g_unit * opportunity0[k] - effort > 0.0:
            tally[k, T_POTENTIAL] += 1
        best = COMPLY
        best_u = 0.0
        u = g_here - b * penalty
        if u > best_u:
            best, best_u = VIOLATE, u
        u = g_here - evasion_cost - b * evasion_factor * penalty
        if u > best_u:
            best, best_u = EVADE, u
        # Displacement: commit this round's violation at one other place (drawn),
        # keeping the gain of home; known risk there if the targeting is visible,
        # otherwise the prior belief.
        dest = int(_uniform(base, 1) * n_places)
        if dest >= n_places:
            dest = n_places - 1
        if dest != k:
            if sees:
                b_dest = published[dest] * (pub_hi if has_trait else pub_lo)
                if b_dest > 1.0:
                    b_dest = 1.0
            else:
                b_dest = prior
            u = g_here - move_cost - b_dest * penalty
            if u > best_u:
                best, best_u = MOVE, u
        if has_trait and sees and pub_hi > pub_lo and not scoring:
            u = g_here - game_cost - b * (pub_lo / pub_hi) * penalty
            if u > best_u:
                best, best_u = GAME, u
        # Consequences: actual enforcement where the actor now is.
        tally[k, T_ACTORS] += 1
        fsum[k, F_BELIEF] += b
        if best == MOVE:
            k = dest
            tally[k, T_MOVED] += 1
        if best == GAME:
            trait[i] = 0
            has_trait = False
            tally[k, T_GAMED] += 1
        q = detect[k] * (mult_hi if has_trait else mult_lo)
        if best == EVADE:
            q *= evasion_factor
            tally[k, T_EVADING] += 1
        if q > 1.0:
            q = 1.0
        hit = _uniform(base, 2) < q
        caught[i] = 0
        if best == COMPLY:
            if hit:
                tally[k, T_INNOCENT_CHECKED] += 1
        else:
            tally[k, T_VIOLATIONS] += 1
            if hit:
                caught[i] = 1
                tally[k, T_CAUGHT] += 1
        action[i] = best


@njit(cache=True, error_model="numpy", parallel=True)
def _respond_parallel(
    place,
    gain,
    risk,
    sophistication,
    belief,
    trait,
    in_circle,
    caught,
    action,
    score,
    opportunity,
    opportunity0,
    detect,
    published,
    neighbour_rate,
    params,
    key,
    tallies,
    fsums,
):
    n = place.shape[0]
    n_chunks = tallies.shape[0]
    for c in prange(n_chunks):
        start = c * CHUNK
        stop = min(start + CHUNK, n)
        _respond_chunk(
            start,
            stop,
            place,
            gain,
            risk,
            sophistication,
            belief,
            trait,
            in_circle,
            caught,
            action,
            score,
            opportunity,
            opportunity0,
            detect,
            published,
            neighbour_rate,
            params,
            key,
            tallies[c],
            fsums[c],
        )


@njit(cache=True, error_model="numpy")
def _respond_serial(
    place,
    gain,
    risk,
    sophistication,
    belief,
    trait,
    in_circle,
    caught,
    action,
    score,
    opportunity,
    opportunity0,
    detect,
    published,
    neighbour_rate,
    params,
    key,
    tallies,
    fsums,
):
    n = place.shape[0]
    n_chunks = tallies.shape[0]
    for c in range(n_chunks):
        start = c * CHUNK
        stop = min(start + CHUNK, n)
        _respond_chunk(
            start,
            stop,
            place,
            gain,
            risk,
            sophistication,
            belief,
            trait,
            in_circle,
            caught,
            action,
            score,
            opportunity,
            opportunity0,
            detect,
            published,
            neighbour_rate,
            params,
            key,
            tallies[c],
            fsums[c],
        )


# Below this many actors the parallel kernel's start-up costs more than it saves.
PARALLEL_MIN_ACTORS = 200_000


def respond(
    actors: dict[str, np.ndarray],
    opportunity: np.ndarray,
    opportunity0: np.ndarray,
    detect: np.ndarray,
    published: np.ndarray,
    neighbour_rate: np.ndarray,
    params: np.ndarray,
    key: int,
    parallel: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Advance every actor one round and tally the outcome per place.

    Args:
        actors: State arrays ``place`` (int32, home), ``gain``, ``risk``,
            ``sophistication``, ``belief`` (float32), ``trait``, ``in_circle``,
            ``caught``, ``action`` (int8), and ``score`` (float32, true score) when
            profiling on a score. ``belief``, ``trait``, ``caught`` and ``action``
            are updated in place.
        opportunity: Gain multiplier per place now (after prevention).
        opportunity0: Gain multiplier per place without any government action.
        detect: Actual inspection probability per actor per place this round.
        published: Detection per place as published (what seeing actors learn).
        neighbour_rate: Last round's caught/violations per place.
        params: Float64 vector of behavioural parameters (see ``pack_params``).
        key: 64-bit round key; all draws derive from it.
        parallel: Force the parallel (True) or serial (False) kernel; default by size.

    Returns:
        ``(tally, fsum)``: int64 counts per place (columns ``T_*``) and float sums
        per place (columns ``F_*``: beliefs, observed scores, manipulation burden).
    """
    n = actors["place"].shape[0]
    n_places = opportunity.shape[0]
    n_chunks = max(1, -(-n // CHUNK))
    tallies = np.zeros((n_chunks, n_places, N_TALLY), dtype=np.int64)
    fsums = np.zeros((n_chunks, n_places, N_FSUM), dtype=np.float64)
    if parallel is None:
        parallel = n >= PARALLEL_MIN_ACTORS
    fn = _respond_parallel if parallel else _respond_serial
    fn(
        actors["place"],
        actors["gain"],
        actors["risk"],
        actors["sophistication"],
        actors["belief"],
        actors["trait"],
        actors["in_circle"],
        actors["caught"],
        actors["action"],
        actors.get("score", _NO_SCORE),
        opportunity,
        opportunity0,
        detect,
        published,
        neighbour_rate,
        params,
        np.uint64(key),
        tallies,
        fsums,
    )
    if n_chunks == 1:  # small worlds: skip the reduction (same numbers)
        return tallies[0], fsums[0]
    return tallies.sum(axis=0), fsums.sum(axis=0)


_NO_SCORE = np.zeros(0, dtype=np.float32)  # read only when profiling on a score


def pack_params(
    visibility: int,
    fine: float,
    evasion_cost: float,
    evasion_factor: float,
    move_cost: float,
    game_cost: float,
    experience_weight: float,
    own_experience_weight: float,
    gain_noise: float,
    prior: float,
    mult_hi: float = 1.0,
    mult_lo: float = 1.0,
    pub_hi: float = 1.0,
    pub_lo: float = 1.0,
    effort: float = 0.0,
    scoring: bool = False,
    threshold: float = 0.0,
    anchor: float = 0.0,
    decision_gain: float = 0.0,
    score_cost: float = 1.0,
    threshold_noise: float = 0.0,
    qualification: float = 0.0,
) -> np.ndarray:
    """Pack the behavioural parameters in the order the kernel reads them.

    The last seven apply only when ``scoring`` (profiling on a score): the
    government's threshold, actors' anchoring to it, the gain of being cleared,
    the cost per unit of raising the observed score, the noise of actors'
    estimate of a threshold they cannot see, and the qualification cut-off.
    """
    return np.array(
        [
            visibility,
            fine,
            evasion_cost,
            evasion_factor,
            move_cost,
            game_cost,
            experience_weight,
            own_experience_weight,
            gain_noise,
            prior,
            mult_hi,
            mult_lo,
            pub_hi,
            pub_lo,
            effort,
            float(scoring),
            threshold,
            anchor,
            decision_gain,
            score_cost,
            threshold_noise,
            qualification,
        ],
        dtype=np.float64,
    )


def warmup(parallel: bool = False) -> float:
    """Compile (or load from the on-disk cache) the kernels; return seconds taken."""
    import time

    t0 = time.perf_counter()
    n, k = 4, 2
    actors = {
        "place": np.zeros(n, np.int32),
        "gain": np.ones(n, np.float32),
        "risk": np.ones(n, np.float32),
        "sophistication": np.ones(n, np.float32),
        "belief": np.zeros(n, np.float32),
        "trait": np.zeros(n, np.int8),
        "in_circle": np.zeros(n, np.int8),
        "caught": np.zeros(n, np.int8),
        "action": np.zeros(n, np.int8),
    }
    ones = np.ones(k)
    params = pack_params(0, 1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1)
    respond(actors, ones, ones, ones * 0.1, ones * 0.1, ones * 0.0, params, 1, parallel=False)
    if parallel:
        respond(actors, ones, ones, ones * 0.1, ones * 0.1, ones * 0.0, params, 1, parallel=True)
    uniform(1, 1, 1)
    return time.perf_counter() - t0
