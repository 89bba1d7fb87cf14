"""Reflexive response of the strategic population: the hot loop.

One call advances every actor by one round: learn about detection (from the
published targeting if the actor can see it, from its own and its neighbours'
experience), choose to comply, violate, evade, move or game the observed trait,
and meet the actual enforcement. Per-place tallies come back as integer counts.
With score profiling a first pass (``_classify``) gives each actor its observed
score and class; runs without it never compile that pass.

Random numbers come from a counter-based generator: SplitMix64 (Steele, Lea and
Flood 2014) seeded with the round key, read at positions ``2i`` and ``2i + 1`` for actor
``i``: 128 bits per actor-round, of which a 24-bit uniform for the gain shock, 32 bits
for the destination and a 24-bit uniform for inspection (the rule computes in float32,
whose 24-bit significand these fill exactly); score profiling reads a second sequence
(``_SCORE_KEY``) for its normal draws. Every draw is a pure function of the round key
and the actor index, so results do not depend on thread count or order.

Actors are processed in fixed-size chunks; each chunk writes its own tally row, so
results do not depend on how chunks are shared between threads. Parallel runs split
the chunks between Python threads that each call the same compiled kernel with the
GIL released (``nogil``): nothing more to compile, and no OpenMP pool spinning between
rounds.

Layout of the work (why it is fast): populations are stored sorted by home place
(``sim.world.make_actors``), and a chunk's actors go in blocks of up to ``BLOCK``
actors of one place (in a chunk found sorted, a block ends where a vectorised count of
its place ends, not by a scan actor by actor), padded to whole vectors of eight (no
scalar loop tails: see ``mp``), through four loops: (1) the draws; (2) a gather of what
the drawn destination would bring; (3) the rule, straight-line float32 code over
contiguous arrays that LLVM turns into SIMD eight lanes wide (booleans combined with ``&``/``|``,
not ``and``/``or``, whose short-circuits compile to branches; no 64-bit values, which
would halve the lanes), with the home place's values as scalars; (4) the tallies as
sums over the block, then a scatter of the actors who moved. The per-place values
come from small tables built at the start of each call, computed as the rule would
compute them inline; they and the block buffers are allocated inside the kernel, so
LLVM knows they alias nothing, which is what lets the loops vectorise. Actor arrays are
indexed as ``np.uintp(b0 + j)``: an unsigned index needs no negative-index wraparound
(which would stop the vectoriser), and taking no per-block slices saves their reference
counting, which costs short blocks (small places) most. Unsorted input gives the same
results, in blocks found actor by actor (slowly). Beliefs are summed per place in fixed
point (2**-30), so the sum is exact and does not depend on the order of addition.
``benchmarks/profile_kernel.py`` times each loop.

All helpers live in this file (Numba's cache does not see edits in other files).

Why one piece (~680 lines): Numba's on-disk cache keys a compiled kernel by the file
it is defined in, and misses an edit to a helper in another file, so every helper a
kernel calls lives beside it here; the one jit policy is defined once, here too.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

# The one jit policy of sim's kernels: cached on disk, NumPy's error model (no
# exceptions from the hot loop), the GIL released (parallel runs use threads), and no
# C-callable wrapper (nothing takes a kernel as a first-class function; the wrapper of
# ``_respond``'s 20 arguments cost ~0.05 s of every cold compile).
_jit = njit(cache=True, error_model="numpy", nogil=True, no_cfunc_wrapper=True)

CHUNK = 16_384  # actors per tally row (the unit of parallel work; fixed, so results never depend on threads)
BLOCK = 256  # actors per pass of the four loops (their buffers stay in the L1 cache)

# Actions (values of the ``action`` array).
COMPLY, VIOLATE, EVADE, MOVE, GAME = 0, 1, 2, 3, 4

# Columns of the per-place tally.
T_ACTORS = 0  # actors living at the place
T_POTENTIAL = 1  # would violate without any government action
T_VIOLATIONS = 2  # violations committed (all kinds)
T_EVADING = 3  # violations with concealment (score profiling: by actors who did not also game their score)
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
_GOLDEN2 = np.uint64(2 * 0x9E3779B97F4A7C15 % 2**64)  # an actor's step: two positions
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S40 = np.uint64(40)
_INV32 = 1.0 / 4294967296.0  # 2**-32
_INV24 = np.float32(1.0 / 16777216.0)  # 2**-24
# The rule computes in float32 (eight SIMD lanes, not four); constants of that type keep
# every operation in float32 (a float64 literal would promote the expression).
_F0 = np.float32(0.0)
_F1 = np.float32(1.0)
_F2 = np.float32(2.0)
_TWO_PI = 2.0 * np.pi
_FIX = np.float32(1073741824.0)  # 2**30: beliefs are summed per place in this fixed point
# The smallest normal float32 (~1.2e-38). A belief that decays below it (no detection
# for many rounds) is set to 0: as a subnormal number, every SIMD operation on its
# lane takes a slow microcode path (the rule ran ~60% slower once 1.6% of beliefs
# were subnormal), and no choice depends on a belief that small.
_F_NORMAL = np.float32(np.finfo(np.float32).tiny)

# Per-actor tallies are packed two to a uint32 (16 bits each: a chunk has fewer than
# 2**16 actors), so loop (4) does four integer additions per actor, not eight. The rule
# loop has no 64-bit values, so it runs eight float32 lanes wide. Words 0 and 1 count at
# the home place (actors, potential; saw targeting, innocents checked), words 2 and 3
# where the actor acted (violations, caught; moved, evading).
_S32 = np.uint64(32)
_U16 = np.uint32(16)
_F16 = np.uint32(0xFFFF)
N_WORD = 4

# Rows of the rule's float buffer: the destination's values, the draws, the belief kept
# for the extra lanes of a block (see ``mp``).
B_DEST_TARGET, B_DEST_DETECT, B_U0, B_U2, B_KEEP = 0, 1, 2, 3, 4
N_BUF = 5


@_jit
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_jit
def _draws(ukey, i):
    """Actor i's draws of a round: gain shock and inspection (float32, 24 bits), destination (32 bits)."""
    pos = ukey + np.uint64(2 * i + 1) * _GOLDEN
    r = _mix(pos)
    shock = np.float32(np.int32(r >> _S40)) * _INV24
    inspection = np.float32(np.int32(_mix(pos + _GOLDEN) >> _S40)) * _INV24
    return shock, float(r & _LO32) * _INV32, inspection


@_jit
def _score_draws(score_key, i):
    """Actor i's two uniforms for the normal draw of score profiling (``score_key = key ^ _SCORE_KEY``)."""
    r = _mix(score_key + np.uint64(i + 1) * _GOLDEN)
    return float(r >> _S32) * _INV32, float(r & _LO32) * _INV32


@_jit
def uniform(key, index, stream):
    """Draw ``stream`` (0 shock, 1 destination, 2 inspection, 3-4 score normal) of an actor; for tests."""
    if stream >= 3:
        return _score_draws(np.uint64(key) ^ _SCORE_KEY, index)[stream - 3]
    shock, destination, inspection = _draws(np.uint64(key), index)
    return float(shock) if stream == 0 else (destination if stream == 1 else float(inspection))


@_jit
def _classify(c0, c1, place, trait, in_circle, score, action, params, key, tallies, fsums):
    """Score profiling, chunks ``c0 .. c1 - 1``: each actor's observed score and class.

    Classification on a manipulable score: the threshold as the actor believes it
    (seen, or estimated with noise), anchoring to it, and a jump up to it when the gain
    of being cleared covers the cost. Sets ``trait`` (1 = flagged) before the rule runs,
    and ``action`` to GAME for the actors who gamed their score (COMPLY for the others;
    the rule reads it, then sets the action it chooses), so that an actor who games its
    score and evades counts once among those evading or gaming.
    """
    n = place.shape[0]
    visibility = params[0]
    tau = params[16]  # the government's threshold (published)
    anchor = params[17]  # shift of the observed score per unit of the believed threshold
    decision_gain = params[18]  # gain from being cleared (observed score >= threshold)
    score_cost = params[19]  # cost per unit of raising the observed score
    tau_noise = params[20]  # sd of the threshold as estimated by actors who cannot see it
    qualification = params[21]  # true score from which an actor should be cleared
    see_all = visibility >= 2.0
    see_circle = visibility >= 1.0
    ukey = np.uint64(key) ^ _SCORE_KEY
    for c in range(c0, c1):
        tally = tallies[c]
        fsum = fsums[c]
        for i in range(c * CHUNK, c * CHUNK + CHUNK if c * CHUNK + CHUNK < n else n):
            k = place[i]
            tb = tau
            if not (see_all or (see_circle and in_circle[i] != 0)) and tau_noise > 0.0:
                u3, u4 = _score_draws(ukey, i)
                tb = tau + tau_noise * (np.sqrt(-2.0 * np.log(1.0 - u3)) * np.cos(_TWO_PI * u4))
            x = score[i]
            obs = x + anchor * tb
            moved = 0.0
            action[i] = COMPLY
            if decision_gain > 0.0 and obs < tb and score_cost * (tb - obs) <= decision_gain:
                moved = tb - obs
                obs = tb
                tally[k, T_GAMED] += 1
                action[i] = GAME
            flagged = obs < tau
            trait[i] = 1 if flagged else 0
            if x >= qualification:
                fsum[k, F_BURDEN] += score_cost * moved
                if flagged:
                    tally[k, T_FALSE_FLAGGED] += 1
            elif not flagged:
                tally[k, T_FALSE_CLEARED] += 1
            fsum[k, F_SCORE] += obs


@_jit
def _respond(
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
    """Chunks ``c0 .. c1 - 1``; chunk c covers actors c * CHUNK .. and fills ``tallies[c]``, ``fsums[c]``."""
    n = place.shape[0]
    n_places = opportunity.shape[0]
    visibility = params[0]  # 0 closed, 1 restricted circle, 2 public
    fine = np.float32(params[1])
    evasion_cost = np.float32(params[2])
    evasion_factor = np.float32(params[3])
    move_cost = np.float32(params[4])
    game_cost = np.float32(params[5])
    experience_weight = np.float32(params[6])
    own_weight = np.float32(params[7])
    gain_noise = np.float32(params[8])
    prior = np.float32(params[9])
    mult_hi = params[10]  # actual multiplier of detection, trait holders
    mult_lo = params[11]  # actual multiplier of detection, others
    pub_hi = params[12]  # published multiplier, trait holders
    pub_lo = params[13]  # published multiplier, others
    effort = np.float32(params[14])  # fixed cost of any violation (effort, moral cost)
    base_effort = np.float32(params[22])  # the same without the government's legitimacy (potential harm)
    scoring = params[15] != 0.0  # profile on a score (``_classify`` set the trait)
    see_all = visibility >= 2.0
    see_circle = visibility >= 1.0
    can_game = pub_hi > pub_lo and not scoring
    game_ratio = np.float32(pub_lo / pub_hi if can_game else 0.0)
    ukey = np.uint64(key)
    places32 = np.uint64(np.uint32(n_places))  # (32 bits: the destination's multiply is 32 x 32)
    # Per-place tables (float32, as the rule computes), row 2k + trait for what depends
    # on the trait: the detection believed from the published targeting (``target``)
    # and the actual detection (``actual``), at home and at a place the actor may move
    # to; ``lo`` is the actual detection of a cleared trait (after gaming).
    # (One array, as every buffer of a type and shape here: each distinct allocation is
    # one more function for Numba to compile.)
    tables = np.empty((3, 2 * n_places), dtype=np.float32)
    target, actual, actual_lo = tables[0], tables[1], tables[2]
    for k in range(n_places):
        for t in range(2):
            believed = published[k] * (pub_hi if t else pub_lo)
            target[2 * k + t] = 1.0 if believed > 1.0 else believed  # min(believed, 1.0)
            actual[2 * k + t] = detect[k] * (mult_hi if t else mult_lo)
        actual_lo[k] = detect[k] * mult_lo
    # Block buffers, allocated here so that LLVM knows they alias nothing.
    buf = np.empty((N_BUF, BLOCK), dtype=np.float32)
    # destination drawn; caught and action kept (extra lanes); the movers' positions
    ibuf = np.empty((3, BLOCK), dtype=np.int32)
    wbuf = np.empty((N_WORD + 2, BLOCK), dtype=np.uint32)  # packed tally words; belief (fixed point); moved
    bbuf, mbuf, movers_at = wbuf[N_WORD], wbuf[N_WORD + 1], ibuf[2]
    words = np.empty((N_WORD, n_places), dtype=np.uint32)
    beliefs = np.empty(n_places, dtype=np.int64)
    for c in range(c0, c1):
        tally = tallies[c]
        fsum = fsums[c]
        words[:] = 0
        beliefs[:] = 0
        start = c * CHUNK
        stop = start + CHUNK if start + CHUNK < n else n
        # Is the chunk sorted by place? (One vectorised pass; then a block's extent is a count.)
        disorder = np.int32(0)
        for i in range(start, stop - 1):
            disorder += np.int32(place[np.uintp(i + 1)] < place[np.uintp(i)])
        b0 = start
        while b0 < stop:
            # The block: up to BLOCK actors of one home place (a run of a sorted population).
            m = BLOCK if BLOCK < stop - b0 else stop - b0
            k0 = np.int64(place[b0])
            if disorder == 0:  # sorted: the place's run is its count, found by a vectorised sum
                if place[b0 + m - 1] != k0:
                    same = np.int32(0)
                    for j in range(m):
                        same += np.int32(place[np.uintp(b0 + j)] == k0)
                    m = same
            else:  # unsorted: the run, actor by actor
                run = 1
                while run < m and place[b0 + run] == k0:
                    run += 1
                m = run
            # The loops run over ``mp`` lanes, ``m`` rounded up to whole vectors of eight:
            # a vector loop ends its last few iterations in scalar code, which cost ~25 ns
            # an actor (short blocks, small places, paid most). The extra lanes are the
            # chunk's next actors (never past the chunk: another thread may hold the next
            # one), done again, for real, in their own block: their state is kept before
            # the rule and put back after it, and their tally words are cleared.
            mp = (m + 7) & ~7
            if mp > stop - b0:
                mp = m
            for j in range(m, mp):
                i = np.uintp(b0 + j)
                buf[B_KEEP, j] = belief[i]
                ibuf[1, j] = np.int32(caught[i]) | (np.int32(action[i]) << 8)
            # (1) Draws: SplitMix64 at positions 2i, 2i + 1: gain shock (24 bits) and
            # destination (32 bits), inspection (24 bits).
            # The same numbers as ``_draws``, computed cheaper: the position advances by an
            # addition, not a 64-bit multiply, and the destination floor(u1 * places) in
            # integers, (32 bits * places) >> 32, with a 32-bit multiply: the same as the
            # float product's, which is exact below 2**53 (places <= 100,000 < 2**21).
            pos = ukey + np.uint64(2 * b0 + 1) * _GOLDEN
            for j in range(mp):
                r = _mix(pos)
                buf[B_U0, j] = np.float32(np.int32(r >> _S40)) * _INV24
                buf[B_U2, j] = np.float32(np.int32(_mix(pos + _GOLDEN) >> _S40)) * _INV24
                ibuf[0, j] = np.int32(((r & _LO32) * places32) >> _S32)
                pos += _GOLDEN2
            # (2) Gather what the destination drawn would bring (scalar).
            for j in range(mp):
                r = np.uintp(2 * np.int64(ibuf[0, j]) + np.int64(trait[np.uintp(b0 + j)] != 0))
                buf[B_DEST_TARGET, j] = target[r]
                buf[B_DEST_DETECT, j] = actual[r]
            # (3) The rule (SIMD): learn, choose, meet enforcement. Home values are the
            # block's place's, by trait.
            r0 = np.uintp(2 * k0)
            home_target0, home_target1 = target[r0], target[r0 + 1]
            home_actual0, home_actual1 = actual[r0], actual[r0 + 1]
            home_actual_lo = actual_lo[k0]
            opp = np.float32(opportunity[k0])
            opp0 = np.float32(opportunity0[k0])
            neighbours = np.float32(neighbour_rate[k0])
            for j in range(mp):
                s = sophistication[np.uintp(b0 + j)]
                b = belief[np.uintp(b0 + j)]
                sees = see_all | (see_circle & (in_circle[np.uintp(b0 + j)] != 0))  # bitwise: no short-circuit branches
                has_trait = trait[np.uintp(b0 + j)] != 0
                gamed_score = scoring & (action[np.uintp(b0 + j)] == GAME)  # set by _classify this round
                # Learning: published targeting, own experience, neighbours' experience.
                b = b + s * ((home_target1 if has_trait else home_target0) - b) if sees else b
                b = b + s * own_weight * (_F1 - b) if caught[np.uintp(b0 + j)] != 0 else b
                b += s * experience_weight * (neighbours - b)
                b = _F0 if b < _F_NORMAL else b  # clipped to [0, 1]; subnormal beliefs are 0
                b = _F1 if b > _F1 else b
                belief[np.uintp(b0 + j)] = b
                bbuf[j] = np.uint32(b * _FIX)
                # Choice: the option with the highest expected payoff; complying pays 0.
                shock = _F1 + gain_noise * (_F2 * buf[B_U0, j] - _F1)
                g_unit = gain[np.uintp(b0 + j)] * shock
                penalty = risk[np.uintp(b0 + j)] * fine
                g_here = g_unit * opp - effort
                potential = g_unit * opp0 - base_effort > _F0
                best = COMPLY
                best_u = _F0
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
                better = (u > best_u) & (dest != k0)
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
                q = home_actual1 if has_trait else home_actual0
                q = buf[B_DEST_DETECT, j] if moved else (home_actual_lo if gamed else q)
                q = q * evasion_factor if evading else q
                q = _F1 if q > _F1 else q
                hit = buf[B_U2, j] < q
                got = violates & hit
                caught[np.uintp(b0 + j)] = 1 if got else 0
                action[np.uintp(b0 + j)] = best
                wbuf[0, j] = np.uint32(1) | (np.uint32(potential) << _U16)
                wbuf[1, j] = np.uint32(sees) | (np.uint32(hit & (not violates)) << _U16)
                wbuf[2, j] = np.uint32(violates) | (np.uint32(got) << _U16)
                wbuf[3, j] = np.uint32(moved) | (np.uint32(evading & (not gamed_score)) << _U16)
                mbuf[j] = np.uint32(moved)
            for j in range(m, mp):  # the extra lanes: state as it was, nothing tallied
                i = np.uintp(b0 + j)
                belief[i] = buf[B_KEEP, j]
                caught[i] = np.int8(ibuf[1, j] & 0xFF)
                action[i] = np.int8(ibuf[1, j] >> 8)
                for w in range(N_WORD + 2):  # the words, belief and moved
                    wbuf[w, j] = 0
            # (4) Tallies: sums at the home place (SIMD), then the movers' violations
            # where they committed them (listed without branches, then scattered).
            w0 = np.uint32(0)
            w1 = np.uint32(0)
            w2 = np.uint32(0)
            w3 = np.uint32(0)
            movers = np.uint32(0)
            sum_b = np.int64(0)
            for j in range(mp):
                moves = mbuf[j] != 0
                w0 += wbuf[0, j]
                w1 += wbuf[1, j]
                w2 += np.uint32(0) if moves else wbuf[2, j]
                w3 += np.uint32(0) if moves else wbuf[3, j]
                movers += np.uint32(moves)
                sum_b += np.int64(bbuf[j])
            words[0, k0] += w0
            words[1, k0] += w1
            words[2, k0] += w2
            words[3, k0] += w3
            beliefs[k0] += sum_b
            if movers > 0:
                count = 0
                for j in range(mp):
                    movers_at[count] = j
                    count += mbuf[j]
                for i in range(count):
                    j = movers_at[i]
                    k = np.uintp(ibuf[0, j])
                    words[2, k] += wbuf[2, j]
                    words[3, k] += wbuf[3, j]
            if can_game:  # gaming clears the observed trait (here: the rule loop stores no trait)
                for j in range(m):
                    if action[np.uintp(b0 + j)] == GAME:
                        trait[np.uintp(b0 + j)] = 0
                        tally[k0, T_GAMED] += 1
            b0 += m
        for k in range(n_places):
            tally[k, T_ACTORS] += words[0, k] & _F16
            tally[k, T_POTENTIAL] += words[0, k] >> _U16
            tally[k, T_SAW_TARGETING] += words[1, k] & _F16
            tally[k, T_INNOCENT_CHECKED] += words[1, k] >> _U16
            tally[k, T_VIOLATIONS] += words[2, k] & _F16
            tally[k, T_CAUGHT] += words[2, k] >> _U16
            tally[k, T_MOVED] += words[3, k] & _F16
            tally[k, T_EVADING] += words[3, k] >> _U16
            fsum[k, F_BELIEF] = beliefs[k] / _FIX


# Below this many actors (four chunks) parallel work saves too little: waking a thread
# costs tens of microseconds a round (benchmarks/parallel.py times both).
PARALLEL_MIN_ACTORS = 65_536

_POOL: tuple[int, ThreadPoolExecutor] | None = None  # (process id, pool)


def _pool(workers: int) -> ThreadPoolExecutor:
    """A process-wide pool of at least ``workers`` threads (started on first use).

    A forked child does not inherit the threads, so it gets a pool of its own.
    """
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid() or _POOL[1]._max_workers < workers:
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sim-kernel"))
    return _POOL[1]


def _in_threads(kernel, n_chunks: int, threads: int, args: tuple) -> None:
    """Run ``kernel(c0, c1, *args)`` over all chunks: contiguous runs of chunks, one per thread."""
    if threads <= 1:
        kernel(0, n_chunks, *args)
        return
    bounds = [n_chunks * t // threads for t in range(threads + 1)]
    futures = [_pool(threads - 1).submit(kernel, bounds[t], bounds[t + 1], *args) for t in range(1, threads)]
    kernel(bounds[0], bounds[1], *args)  # this thread does the first run
    for f in futures:
        f.result()


def _threads() -> int:
    """``numba.get_num_threads()``, without starting Numba's own thread pool to ask.

    sim's parallel runs use Python threads (:func:`_in_threads`), never Numba's pool,
    which ``get_num_threads`` starts (with a process lock) on its first call. Until
    something has started it (``numba.set_num_threads`` does), the answer is Numba's
    documented default, ``numba.config.NUMBA_NUM_THREADS``.
    """
    from numba.np.ufunc import parallel

    if not getattr(parallel, "_is_initialized", True):
        return numba.config.NUMBA_NUM_THREADS
    return numba.get_num_threads()


_FLOAT64 = np.dtype(np.float64)  # NumPy's dtypes of native byte order are singletons: ``is`` compares


def _f64(x) -> np.ndarray:
    """``np.asarray(x, dtype=np.float64)``, skipped for what is one already (the model's arrays)."""
    return x if type(x) is np.ndarray and x.dtype is _FLOAT64 else np.asarray(x, dtype=np.float64)


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
            are updated in place. Any order of actors works; sorted by ``place`` is
            fastest.
        opportunity: Gain multiplier per place now (after prevention).
        opportunity0: Gain multiplier per place without any government action.
        detect: Actual inspection probability per actor per place this round.
        published: Detection per place as published (what seeing actors learn).
        neighbour_rate: Last round's caught/violations per place.
        params: Float64 vector of behavioural parameters (see ``pack_params``).
        key: 64-bit round key; all draws derive from it.
        parallel: Force threads (True) or one thread (False); default by size and
            ``numba.get_num_threads()`` (:func:`_threads`).

    Returns:
        ``(tally, fsum)``: int64 counts per place (columns ``T_*``) and float sums
        per place (columns ``F_*``: beliefs, observed scores, manipulation burden).
    """
    place = actors["place"]
    n = place.shape[0]
    n_places = opportunity.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK or 1
    tallies = np.zeros((n_chunks, n_places, N_TALLY), dtype=np.int64)
    fsums = np.zeros((n_chunks, n_places, N_FSUM), dtype=np.float64)
    ukey = np.uint64(key)
    threads = 1
    if parallel or (parallel is None and n >= PARALLEL_MIN_ACTORS):
        threads = min(_threads(), n_chunks)
    if params[15] != 0.0:  # score profiling: classify first (sets the observed trait)
        classify = (place, actors["trait"], actors["in_circle"], actors["score"], actors["action"], params, ukey)
        _in_threads(_classify, n_chunks, threads, (*classify, tallies, fsums))
    args = (
        place,
        actors["gain"],
        actors["risk"],
        actors["sophistication"],
        actors["belief"],
        actors["trait"],
        actors["in_circle"],
        actors["caught"],
        actors["action"],
        _f64(opportunity),
        _f64(opportunity0),
        _f64(detect),
        _f64(published),
        _f64(neighbour_rate),
        params,
        ukey,
        tallies,
        fsums,
    )
    _in_threads(_respond, n_chunks, threads, args)
    if n_chunks == 1:  # small worlds: skip the reduction (same numbers)
        return tallies[0], fsums[0]
    return tallies.sum(axis=0), fsums.sum(axis=0)


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
    base_effort: float | None = None,
) -> np.ndarray:
    """Pack the behavioural parameters in the order the kernel reads them.

    The last seven apply only when ``scoring`` (profiling on a score): the
    government's threshold, actors' anchoring to it, the gain of being cleared,
    the cost per unit of raising the observed score, the noise of actors'
    estimate of a threshold they cannot see, and the qualification cut-off.
    ``base_effort`` is the cost of a violation without the norm that legitimacy
    carries (default: ``effort``): what "would violate without any government
    action" (``T_POTENTIAL``) is counted with, since legitimacy is the government's
    doing too.
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
            effort if base_effort is None else base_effort,
        ],
        dtype=np.float64,
    )


def warmup(parallel: bool = False, scoring: bool = False) -> float:
    """Compile (or load from the on-disk cache) the kernels a run uses; return seconds taken.

    Args:
        parallel: Also start the threads that parallel runs use.
        scoring: Also the score-profiling pass (``_classify``).
    """
    import time

    t0 = time.perf_counter()
    n = CHUNK + 1 if parallel else 4  # two chunks: respond() can use two threads
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
    if scoring:
        actors["score"] = np.zeros(n, np.float32)
    params = pack_params(0, 1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1, scoring=scoring)
    respond(actors, ones, ones, ones * 0.1, ones * 0.1, ones * 0.0, params, 1, parallel=False)  # compiles
    if parallel:  # starts the threads
        respond(actors, ones, ones, ones * 0.1, ones * 0.1, ones * 0.0, params, 1, parallel=True)
    return time.perf_counter() - t0
