"""Reflexive response of the strategic population: the hot loop.

One call advances every actor by one round: learn about detection (from the
published targeting if the actor can see it, from its own and its neighbours'
experience), choose to comply, violate, evade, move or game the observed trait,
and meet the actual enforcement. Per-place tallies come back as integer counts.

Random numbers come from a counter-based generator: SplitMix64 (Steele, Lea and
Flood 2014) seeded with the round key, read at positions ``2i`` and ``2i + 1`` for actor
``i``: 128 bits per actor-round, two 32-bit uniforms (gain shock, destination) and a
53-bit one (inspection); score profiling reads a second sequence (``_SCORE_KEY``) for
its normal draws. Every draw is a pure function of the round key and the actor index,
so results do not depend on thread count or order.
Actors are processed in fixed-size chunks; each chunk writes its own tally row, so
the serial and parallel kernels give bit-identical results.

Layout of the work (why it is fast): within a chunk, actors go in blocks of
``BLOCK`` through four loops. (1) the draws, (3) the rule: straight-line code over
contiguous arrays that LLVM turns into SIMD (booleans combined with ``&``/``|``, not
``and``/``or``, whose short-circuits compile to branches and masked loads); (2) a
scalar gather of the per-place values each actor needs (LLVM cannot vectorise a
gather from an array it cannot prove unaliased), and (4) a scalar scatter of the
tallies, in actor order. The per-place values come from small tables built once per
call (``_place_tables``), computed as the rule would compute them inline. The rule's
block buffers are allocated inside the kernel: LLVM then knows they alias nothing,
which is what lets loop (3) vectorise. ``benchmarks/profile_kernel.py`` times each loop.

All helpers live in this file (Numba's cache does not see edits in other files).
"""

from __future__ import annotations

import os

import numba
import numpy as np
from numba import njit, prange

# OpenMP's worker threads spin for a while after each parallel region by default; on a
# small machine that takes a core from the main thread's Python phases between rounds.
# Sleeping costs one wake-up per round instead. (Read when Numba first starts its
# threads; a value set by the user is kept.)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

CHUNK = 16_384  # actors per tally row (the unit of parallel work; fixed, so results never depend on threads)
BLOCK = 256  # actors per pass of the four loops (their buffers stay in the L1 cache)

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
_SCORE_KEY = np.uint64(0xD1B54A32D192ED03)  # xor-ed into the round key: score profiling's own sequence
_LO32 = np.uint64(0xFFFFFFFF)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53
_INV32 = 1.0 / 4294967296.0  # 2**-32
_TWO_PI = 2.0 * np.pi

# Per-actor tallies are packed four to a uint64 (16 bits each: a chunk has fewer
# than 2**16 actors), so loop (4) does two integer additions per actor, not eight.
# Word A, at the home place: actors, potential, saw targeting, innocents checked.
# Word C, at the place where the actor acted: violations, caught, moved, evading.
_S16 = np.uint64(16)
_S32 = np.uint64(32)
_S48 = np.uint64(48)
_F16 = np.uint64(0xFFFF)

# Columns of the per-place tables (rows 2k + trait, see ``_place_tables``).
H_OPP, H_OPP0, H_NEIGHBOUR, H_TARGET, H_DETECT, H_DETECT_LO = 0, 1, 2, 3, 4, 5
N_HOME = 6
D_TARGET, D_DETECT = 0, 1
# Rows of the rule's float buffer: the gathered table values, then the draws and belief.
B_DEST_TARGET, B_DEST_DETECT, B_U0, B_U2, B_BELIEF = 6, 7, 8, 9, 10
N_BUF = 11


@njit(cache=True, error_model="numpy")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, error_model="numpy")
def uniform(key, index, stream):
    """Draw ``stream`` (0 shock, 1 destination, 2 inspection, 3-4 score normal) of an actor; for tests."""
    ukey = np.uint64(key)
    if stream >= 3:
        r = _mix((ukey ^ _SCORE_KEY) + np.uint64(index + 1) * _GOLDEN)
        return float(r >> _S32) * _INV32 if stream == 3 else float(r & _LO32) * _INV32
    pos = ukey + np.uint64(2 * index + 1) * _GOLDEN
    if stream == 2:
        return float(_mix(pos + _GOLDEN) >> _S11) * _INV53
    r = _mix(pos)
    return float(r >> _S32) * _INV32 if stream == 0 else float(r & _LO32) * _INV32


@njit(cache=True, error_model="numpy")
def _place_tables(opportunity, opportunity0, detect, published, neighbour_rate, params, home, far):
    """Per-place values the rule reads, row 2k + trait (trait 0/1), computed as the rule would.

    ``home`` (at the actor's place): opportunity now and without government action,
    neighbours' catch rate, the believed detection seen in the published targeting,
    and the actual detection for the actor's trait and for a cleared trait.
    ``far`` (at a place the actor may move to): the published and actual detection.
    """
    mult_hi, mult_lo, pub_hi, pub_lo = params[10], params[11], params[12], params[13]
    for k in range(opportunity.shape[0]):
        for t in range(2):
            r = 2 * k + t
            target = published[k] * (pub_hi if t else pub_lo)
            if target > 1.0:
                target = 1.0
            home[r, H_OPP] = opportunity[k]
            home[r, H_OPP0] = opportunity0[k]
            home[r, H_NEIGHBOUR] = neighbour_rate[k]
            home[r, H_TARGET] = target
            home[r, H_DETECT] = detect[k] * (mult_hi if t else mult_lo)
            home[r, H_DETECT_LO] = detect[k] * mult_lo
            far[r, D_TARGET] = target
            far[r, D_DETECT] = detect[k] * (mult_hi if t else mult_lo)


@njit(cache=True, error_model="numpy")
def _respond_serial(
    c0,
    c1,
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
    home,
    far,
    params,
    key,
    tallies,
    fsums,
):
    """Chunks ``c0 .. c1 - 1``; chunk c covers actors c * CHUNK .. and fills ``tallies[c]``, ``fsums[c]``."""
    n = place.shape[0]
    n_places = home.shape[0] // 2
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
    see_all = visibility >= 2.0
    see_circle = visibility >= 1.0
    can_game = pub_hi > pub_lo and not scoring
    game_ratio = pub_lo / pub_hi  # used only when can_game (then pub_hi > 0)
    ukey = np.uint64(key)
    last = n_places - 1
    # Block buffers, allocated here so that LLVM knows they alias nothing.
    buf = np.zeros((N_BUF, BLOCK))  # zeroed: rows a configuration never gathers are read, then discarded
    ibuf = np.empty((2, BLOCK), dtype=np.int64)  # destination drawn; place where the actor acted
    wbuf = np.empty((2, BLOCK), dtype=np.uint64)  # packed tally words A and C
    words_a = np.empty(n_places, dtype=np.uint64)
    words_c = np.empty(n_places, dtype=np.uint64)
    for c in range(c0, c1):
        tally = tallies[c]
        fsum = fsums[c]
        words_a[:] = 0
        words_c[:] = 0
        start = c * CHUNK
        stop = min(start + CHUNK, n)
        for b0 in range(start, stop, BLOCK):
            m = min(BLOCK, stop - b0)
            pl = place[b0 : b0 + m]
            tr = trait[b0 : b0 + m]
            ic = in_circle[b0 : b0 + m]
            # (1) Draws: SplitMix64 at positions 2i, 2i + 1: gain shock and destination
            # (32 bits each), inspection (53 bits).
            for j in range(m):
                pos = ukey + np.uint64(2 * (b0 + j) + 1) * _GOLDEN
                r = _mix(pos)
                buf[B_U0, j] = float(r >> _S32) * _INV32
                u1 = float(r & _LO32) * _INV32
                buf[B_U2, j] = float(_mix(pos + _GOLDEN) >> _S11) * _INV53
                d = np.int64(u1 * n_places)
                ibuf[0, j] = last if d >= n_places else d
            if scoring:
                # Classification on a manipulable score: the threshold as the actor
                # believes it (seen, or estimated with noise), anchoring to it, and a
                # jump up to it when the gain of being cleared covers the cost.
                for j in range(m):
                    k = pl[j]
                    sees = see_all or (see_circle and ic[j] != 0)
                    tb = tau
                    if not sees and tau_noise > 0.0:
                        r = _mix((ukey ^ _SCORE_KEY) + np.uint64(b0 + j + 1) * _GOLDEN)
                        u3 = float(r >> _S32) * _INV32
                        u4 = float(r & _LO32) * _INV32
                        tb = tau + tau_noise * (np.sqrt(-2.0 * np.log(1.0 - u3)) * np.cos(_TWO_PI * u4))
                    x = score[b0 + j]
                    obs = x + anchor * tb
                    moved = 0.0
                    if decision_gain > 0.0 and obs < tb and score_cost * (tb - obs) <= decision_gain:
                        moved = tb - obs
                        obs = tb
                        tally[k, T_GAMED] += 1
                    flagged = obs < tau
                    tr[j] = 1 if flagged else 0
                    if x >= qualification:
                        fsum[k, F_BURDEN] += score_cost * moved
                        if flagged:
                            tally[k, T_FALSE_FLAGGED] += 1
                    elif not flagged:
                        tally[k, T_FALSE_CLEARED] += 1
                    fsum[k, F_SCORE] += obs
            # (2) Gather the per-place values of home and destination (scalar).
            if see_circle or can_game:
                for j in range(m):  # indices as uintp: no negative-index wraparound code
                    t = np.int64(tr[j] != 0)
                    r = np.uintp(2 * np.int64(pl[j]) + t)
                    for col in range(N_HOME):
                        buf[col, j] = home[r, col]
                    r = np.uintp(2 * ibuf[0, j] + t)
                    buf[B_DEST_TARGET, j] = far[r, D_TARGET]
                    buf[B_DEST_DETECT, j] = far[r, D_DETECT]
            else:  # nobody sees the targeting nor games (closed use): skip the rows only they need
                for j in range(m):
                    t = np.int64(tr[j] != 0)
                    r = np.uintp(2 * np.int64(pl[j]) + t)
                    buf[H_OPP, j] = home[r, H_OPP]
                    buf[H_OPP0, j] = home[r, H_OPP0]
                    buf[H_NEIGHBOUR, j] = home[r, H_NEIGHBOUR]
                    buf[H_DETECT, j] = home[r, H_DETECT]
                    buf[B_DEST_DETECT, j] = far[np.uintp(2 * ibuf[0, j] + t), D_DETECT]
            # (3) The rule (SIMD): learn, choose, meet enforcement.
            so = sophistication[b0 : b0 + m]
            be = belief[b0 : b0 + m]
            ca = caught[b0 : b0 + m]
            ac = action[b0 : b0 + m]
            ga = gain[b0 : b0 + m]
            ri = risk[b0 : b0 + m]
            for j in range(m):
                s = np.float64(so[j])
                b = np.float64(be[j])
                sees = see_all | (see_circle & (ic[j] != 0))  # bitwise: no short-circuit branches
                has_trait = tr[j] != 0
                # Learning: published targeting, own experience, neighbours' experience.
                b = b + s * (buf[H_TARGET, j] - b) if sees else b
                b = b + s * own_weight * (1.0 - b) if ca[j] != 0 else b
                b += s * experience_weight * (buf[H_NEIGHBOUR, j] - b)
                b = 0.0 if b < 0.0 else b
                b = 1.0 if b > 1.0 else b
                be[j] = b
                buf[B_BELIEF, j] = b
                # Choice: the option with the highest expected payoff; complying pays 0.
                shock = 1.0 + gain_noise * (2.0 * buf[B_U0, j] - 1.0)
                g_unit = ga[j] * shock
                penalty = ri[j] * fine
                g_here = g_unit * buf[H_OPP, j] - effort
                potential = g_unit * buf[H_OPP0, j] - effort > 0.0
                best = COMPLY
                best_u = 0.0
                u = g_here - b * penalty
                better = u > best_u
                best = VIOLATE if better else best
                best_u = u if better else best_u
                u = g_here - evasion_cost - b * evasion_factor * penalty
                better = u > best_u
                best = EVADE if better else best
                best_u = u if better else best_u
                # Displacement: commit this round's violation at one other place (drawn),
                # keeping the gain of home; known risk there if the targeting is visible,
                # otherwise the prior belief.
                dest = ibuf[0, j]
                b_dest = buf[B_DEST_TARGET, j] if sees else prior
                u = g_here - move_cost - b_dest * penalty
                better = (u > best_u) & (dest != pl[j])
                best = MOVE if better else best
                best_u = u if better else best_u
                u = g_here - game_cost - b * game_ratio * penalty
                better = (u > best_u) & has_trait & sees & can_game
                best = GAME if better else best
                # Consequences: actual enforcement where the actor now is.
                moved = best == MOVE
                gamed = best == GAME
                evading = best == EVADE
                violates = best != COMPLY
                q = buf[B_DEST_DETECT, j] if moved else (buf[H_DETECT_LO, j] if gamed else buf[H_DETECT, j])
                q = q * evasion_factor if evading else q
                q = 1.0 if q > 1.0 else q
                hit = buf[B_U2, j] < q
                got = violates & hit
                ca[j] = 1 if got else 0
                ac[j] = best
                wbuf[0, j] = (
                    np.uint64(1)
                    | (np.uint64(potential) << _S16)
                    | (np.uint64(sees) << _S32)
                    | (np.uint64(hit & (not violates)) << _S48)
                )
                wbuf[1, j] = (
                    np.uint64(violates)
                    | (np.uint64(got) << _S16)
                    | (np.uint64(moved) << _S32)
                    | (np.uint64(evading) << _S48)
                )
                ibuf[1, j] = dest if moved else np.int64(pl[j])
            # (4) Tallies, in actor order (float sums are order-sensitive).
            for j in range(m):
                k = np.uintp(pl[j])
                words_a[k] += wbuf[0, j]
                words_c[np.uintp(ibuf[1, j])] += wbuf[1, j]
                fsum[k, F_BELIEF] += buf[B_BELIEF, j]
            if can_game:  # gaming clears the observed trait (here: the rule loop stores no trait)
                for j in range(m):
                    if ac[j] == GAME:
                        tr[j] = 0
                        tally[pl[j], T_GAMED] += 1
        for k in range(n_places):
            a = words_a[k]
            w = words_c[k]
            tally[k, T_ACTORS] += a & _F16
            tally[k, T_POTENTIAL] += (a >> _S16) & _F16
            tally[k, T_SAW_TARGETING] += (a >> _S32) & _F16
            tally[k, T_INNOCENT_CHECKED] += a >> _S48
            tally[k, T_VIOLATIONS] += w & _F16
            tally[k, T_CAUGHT] += (w >> _S16) & _F16
            tally[k, T_MOVED] += (w >> _S32) & _F16
            tally[k, T_EVADING] += w >> _S48


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
    home,
    far,
    params,
    key,
    tallies,
    fsums,
):
    """The serial kernel, one chunk per parallel iteration (each writes only its own rows)."""
    for c in prange(tallies.shape[0]):
        _respond_serial(
            c,
            c + 1,
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
            home,
            far,
            params,
            key,
            tallies,
            fsums,
        )


# Below this many actors (four chunks) the parallel kernel saves too little: with two
# threads, three chunks split 2:1 and waking the threads costs ~10 us a round
# (benchmarks/parallel.py: 1.3x at 49,153 actors, 1.5x at 98,305, 2.1x at 1,000,000).
PARALLEL_MIN_ACTORS = 65_536


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
    home = np.empty((2 * n_places, N_HOME))
    far = np.empty((2 * n_places, 2))
    _place_tables(
        np.asarray(opportunity, dtype=np.float64),
        np.asarray(opportunity0, dtype=np.float64),
        np.asarray(detect, dtype=np.float64),
        np.asarray(published, dtype=np.float64),
        np.asarray(neighbour_rate, dtype=np.float64),
        params,
        home,
        far,
    )
    tallies = np.zeros((n_chunks, n_places, N_TALLY), dtype=np.int64)
    fsums = np.zeros((n_chunks, n_places, N_FSUM), dtype=np.float64)
    if parallel is None:  # one thread (e.g. a sweep worker): the serial kernel, without the thread pool
        parallel = n >= PARALLEL_MIN_ACTORS and numba.get_num_threads() > 1
    state = (
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
    )
    if parallel and n_chunks > 1:
        _respond_parallel(*state, home, far, params, np.uint64(key), tallies, fsums)
    else:  # one chunk is one task: the serial kernel does it without the thread pool
        _respond_serial(0, n_chunks, *state, home, far, params, np.uint64(key), tallies, fsums)
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
    """Compile (or load from the on-disk cache) the kernels a run uses; return seconds taken.

    Args:
        parallel: Also the parallel kernel (runs of ``PARALLEL_MIN_ACTORS`` or more).
    """
    import time

    t0 = time.perf_counter()
    n = CHUNK + 1 if parallel else 4  # two chunks: respond() takes the parallel path
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
    ones = np.ones(2)
    params = pack_params(0, 1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1)
    respond(actors, ones, ones, ones * 0.1, ones * 0.1, ones * 0.0, params, 1, parallel=False)
    if parallel:
        respond(actors, ones, ones, ones * 0.1, ones * 0.1, ones * 0.0, params, 1, parallel=True)
    return time.perf_counter() - t0
