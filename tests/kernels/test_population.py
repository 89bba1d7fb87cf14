"""The population kernel against a plain-Python reference of the same rule."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from sim.kernels import population as kp

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def py_mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


SCORE_KEY = 0xD1B54A32D192ED03


def py_uniform(key: int, index: int, stream: int) -> float:
    """SplitMix64 seeded with the round key, positions 2i (streams 0, 1) and 2i + 1 (stream 2)."""
    if stream >= 3:  # score profiling's own sequence: position i
        r = py_mix(((key ^ SCORE_KEY) + (index + 1) * GOLDEN) & MASK)
        return (r >> 32 if stream == 3 else r & 0xFFFFFFFF) / 2.0**32
    r = py_mix((key + (2 * index + 1 + (stream == 2)) * GOLDEN) & MASK)
    if stream in (0, 2):  # 24-bit uniforms (float32)
        return (r >> 40) / 2.0**24
    return (r & 0xFFFFFFFF) / 2.0**32


def py_normal(key: int, index: int) -> float:
    """Box-Muller from streams 3 and 4."""
    u1, u2 = py_uniform(key, index, 3), py_uniform(key, index, 4)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def reference(actors, opportunity, opportunity0, detect, published, neighbour_rate, p, key):
    """Plain-Python statement of the rule in sim/kernels/population.py.

    The rule computes in float32 (``f``), the score profiling in float64, as the kernel.
    """
    f = np.float32
    (
        visibility,
        fine,
        evasion_cost,
        evasion_factor,
        move_cost,
        game_cost,
        exp_w,
        own_w,
        gain_noise,
        prior,
        mult_hi,
        mult_lo,
        pub_hi,
        pub_lo,
        effort,
        scoring,
        tau,
        anchor,
        decision_gain,
        score_cost,
        tau_noise,
        qualification,
        base_effort,
    ) = p
    n_places = len(opportunity)
    tally = np.zeros((n_places, kp.N_TALLY), dtype=np.int64)
    fsum = np.zeros((n_places, kp.N_FSUM))
    beliefs = [0] * n_places
    for i in range(len(actors["place"])):
        k = int(actors["place"][i])
        s = actors["sophistication"][i]
        b = actors["belief"][i]
        sees = visibility >= 2 or (visibility >= 1 and actors["in_circle"][i] != 0)
        has_trait = actors["trait"][i] != 0
        gamed_score = False
        if scoring:
            believed = tau if sees or tau_noise <= 0 else tau + tau_noise * py_normal(key, i)
            x = float(actors["score"][i])
            obs = x + anchor * believed
            moved = 0.0
            if decision_gain > 0 and obs < believed and score_cost * (believed - obs) <= decision_gain:
                moved, obs = believed - obs, believed
                tally[k, kp.T_GAMED] += 1
                gamed_score = True
            has_trait = obs < tau
            actors["trait"][i] = int(has_trait)
            if x >= qualification:
                fsum[k, kp.F_BURDEN] += score_cost * moved
                tally[k, kp.T_FALSE_FLAGGED] += has_trait
            else:
                tally[k, kp.T_FALSE_CLEARED] += not has_trait
            fsum[k, kp.F_SCORE] += obs
        mult = mult_hi if has_trait else mult_lo
        pub = pub_hi if has_trait else pub_lo
        if sees:
            b = b + s * (f(min(published[k] * pub, 1.0)) - b)
            tally[k, kp.T_SAW_TARGETING] += 1
        if actors["caught"][i]:
            b = b + s * f(own_w) * (f(1) - b)
        b = b + s * f(exp_w) * (f(neighbour_rate[k]) - b)
        b = min(f(0) if b < np.finfo(np.float32).tiny else b, f(1))  # subnormal beliefs are 0, as the kernel's
        actors["belief"][i] = b
        g = actors["gain"][i] * (f(1) + f(gain_noise) * (f(2) * f(py_uniform(key, i, 0)) - f(1)))
        pen = actors["risk"][i] * f(fine)
        here = g * f(opportunity[k]) - f(effort)
        if g * f(opportunity0[k]) - f(base_effort) > 0:
            tally[k, kp.T_POTENTIAL] += 1
        options = {
            kp.COMPLY: f(0),
            kp.VIOLATE: here - b * pen,
            kp.EVADE: here - f(evasion_cost) - b * f(evasion_factor) * pen,
        }
        dest = min(int(py_uniform(key, i, 1) * n_places), n_places - 1)
        if dest != k:
            bd = f(min(published[dest] * pub, 1.0)) if sees else f(prior)
            options[kp.MOVE] = here - f(move_cost) - bd * pen
        if has_trait and sees and pub_hi > pub_lo and not scoring:
            options[kp.GAME] = here - f(game_cost) - b * f(pub_lo / pub_hi) * pen
        best, best_u = kp.COMPLY, f(0)
        for a in (kp.VIOLATE, kp.EVADE, kp.MOVE, kp.GAME):  # strict improvement, kernel order
            if a in options and options[a] > best_u:
                best, best_u = a, options[a]
        tally[k, kp.T_ACTORS] += 1
        beliefs[k] += int(b * f(2**30))  # fixed point, as the kernel sums
        if best == kp.MOVE:
            k = dest
            tally[k, kp.T_MOVED] += 1
        if best == kp.GAME:
            actors["trait"][i] = 0
            mult = mult_lo
            tally[k, kp.T_GAMED] += 1
        q = f(detect[k] * mult)
        if best == kp.EVADE:
            q = q * f(evasion_factor)
            tally[k, kp.T_EVADING] += not gamed_score  # each actor once among those evading or gaming
        hit = py_uniform(key, i, 2) < min(q, f(1))
        actors["caught"][i] = 0
        if best == kp.COMPLY:
            tally[k, kp.T_INNOCENT_CHECKED] += hit
        else:
            tally[k, kp.T_VIOLATIONS] += 1
            if hit:
                actors["caught"][i] = 1
                tally[k, kp.T_CAUGHT] += 1
        actors["action"][i] = best
    fsum[:, kp.F_BELIEF] = np.array(beliefs) / 2**30
    return tally, fsum


def make_state(n, n_places, seed, sort=False):
    """Actors at random homes; ``sort``: stored by home, as ``make_actors`` stores them."""
    rng = np.random.default_rng(seed)
    place = rng.integers(n_places, size=n).astype(np.int32)
    return {
        "place": np.sort(place) if sort else place,
        "gain": (rng.lognormal(0, 0.8, n) * rng.choice([-1, 1], n)).astype(np.float32),
        "risk": rng.lognormal(0, 0.3, n).astype(np.float32),
        "sophistication": rng.random(n).astype(np.float32),
        "belief": (rng.random(n) * 0.2).astype(np.float32),
        "trait": (rng.random(n) < 0.3).astype(np.int8),
        "in_circle": (rng.random(n) < 0.4).astype(np.int8),
        "caught": (rng.random(n) < 0.1).astype(np.int8),
        "action": np.zeros(n, np.int8),
        "score": rng.normal(0.1, 1.0, n).astype(np.float32),
    }


@pytest.mark.parametrize("visibility", [0, 1, 2])
@pytest.mark.parametrize("profiling", [False, True])
@pytest.mark.parametrize("sort", [False, True])
def test_kernel_matches_reference(visibility, profiling, sort):
    """Unsorted homes: blocks of one actor each; sorted: blocks up to BLOCK of one place."""
    n, n_places = 3000, 7
    rng = np.random.default_rng(5)
    opp0 = 1 + 3 * (rng.random(n_places) < 0.4)
    opp = opp0 * rng.uniform(0.5, 1.0, n_places)
    detect = rng.uniform(0, 0.4, n_places)
    neighbour = rng.uniform(0, 0.3, n_places)
    hi, lo = (2.5, 0.6) if profiling else (1.0, 1.0)
    params = kp.pack_params(visibility, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05, hi, lo, hi, lo, 0.5)
    key = 0xDEADBEEF12345
    a, b = make_state(n, n_places, 1, sort), make_state(n, n_places, 1, sort)
    tally, fsum = kp.respond(a, opp, opp0, detect, detect, neighbour, params, key, parallel=False)
    ref, ref_f = reference(b, opp, opp0, detect, detect, neighbour, params, key)
    np.testing.assert_array_equal(tally, ref)
    for name in ("action", "caught", "trait", "place"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    np.testing.assert_array_equal(a["belief"], b["belief"])
    np.testing.assert_array_equal(fsum[:, kp.F_BELIEF], ref_f[:, kp.F_BELIEF])
    assert tally[:, kp.T_VIOLATIONS].sum() > 0 and tally[:, kp.T_CAUGHT].sum() > 0
    if visibility == 2:
        assert tally[:, kp.T_MOVED].sum() + tally[:, kp.T_EVADING].sum() > 0

    if sort:  # the movers' scatter out of one-place blocks is exercised
        assert tally[:, kp.T_MOVED].sum() > 0


def test_potential_harm_is_counted_without_the_legitimacy_norm():
    """``base_effort`` (the cost without legitimacy's norm) sets only who would violate without government action."""
    n, n_places = 3000, 7
    rng = np.random.default_rng(8)
    opp0 = 1 + 3 * (rng.random(n_places) < 0.4)
    opp = opp0 * rng.uniform(0.5, 1.0, n_places)
    detect = rng.uniform(0, 0.4, n_places)
    neighbour = rng.uniform(0, 0.3, n_places)
    key = 0xFEED
    tallies = {}
    for base in (0.5, 1.5):
        params = kp.pack_params(1, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05, effort=0.5, base_effort=base)
        a, b = make_state(n, n_places, 1, True), make_state(n, n_places, 1, True)
        tally, _ = kp.respond(a, opp, opp0, detect, detect, neighbour, params, key, parallel=False)
        ref, _ = reference(b, opp, opp0, detect, detect, neighbour, params, key)
        np.testing.assert_array_equal(tally, ref)
        tallies[base] = tally
    others = [c for c in range(kp.N_TALLY) if c != kp.T_POTENTIAL]
    np.testing.assert_array_equal(tallies[0.5][:, others], tallies[1.5][:, others])
    assert tallies[1.5][:, kp.T_POTENTIAL].sum() < tallies[0.5][:, kp.T_POTENTIAL].sum()


@pytest.mark.parametrize("shuffle_chunk", [None, 1])
def test_kernel_matches_reference_over_chunks_of_small_places(shuffle_chunk):
    """Several chunks of small places (runs not whole eights): padded blocks, a block's end found
    by a count in sorted chunks, padding never past a chunk's end; one chunk unsorted (``1``)."""
    n, n_places = 2 * kp.CHUNK + 1001, 97
    rng = np.random.default_rng(11)
    opp0 = 1 + 3 * (rng.random(n_places) < 0.4)
    detect = rng.uniform(0, 0.4, n_places)
    neighbour = rng.uniform(0, 0.3, n_places)
    params = kp.pack_params(1, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05, 2.0, 0.5, 2.0, 0.5, 0.5)
    a = make_state(n, n_places, 6, sort=True)
    if shuffle_chunk is not None:  # one chunk's actors out of order (its places too)
        chunk = slice(shuffle_chunk * kp.CHUNK, (shuffle_chunk + 1) * kp.CHUNK)
        order = rng.permutation(kp.CHUNK)
        for name in a:
            a[name][chunk] = a[name][chunk][order]
    b = {name: arr.copy() for name, arr in a.items()}
    tally, fsum = kp.respond(a, opp0, opp0, detect, detect, neighbour, params, 31, parallel=False)
    ref, ref_f = reference(b, opp0, opp0, detect, detect, neighbour, params, 31)
    np.testing.assert_array_equal(tally, ref)
    np.testing.assert_array_equal(fsum[:, kp.F_BELIEF], ref_f[:, kp.F_BELIEF])
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert tally[:, kp.T_MOVED].sum() > 0 and tally[:, kp.T_GAMED].sum() > 0


BOUNDS_CHILD = """
import numpy as np
from sim.kernels import population as kp
n_places = (kp.CHUNK + 5000) // 13
n = 13 * n_places  # places of 13 actors: every block is padded, the array's last one included
rng = np.random.default_rng(3)
actors = {
    "place": np.repeat(np.arange(n_places, dtype=np.int32), 13),
    "gain": rng.lognormal(0, 0.8, n).astype(np.float32),
    "risk": np.ones(n, np.float32),
    "sophistication": rng.random(n).astype(np.float32),
    "belief": (rng.random(n) * 0.2).astype(np.float32),
    "trait": (rng.random(n) < 0.3).astype(np.int8),
    "in_circle": (rng.random(n) < 0.4).astype(np.int8),
    "caught": np.zeros(n, np.int8),
    "action": np.zeros(n, np.int8),
    "score": rng.normal(0.1, 1.0, n).astype(np.float32),
}
p = np.full(n_places, 0.2)
for scoring in (False, True):
    params = kp.pack_params(1, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05, 2.0, 0.5, 2.0, 0.5, 0.5, scoring=scoring)
    for parallel in (False, True):
        kp.respond(actors, p + 1, p + 1, p, p, p, params, 7, parallel=parallel)
print("in bounds")
"""


def test_kernels_never_index_outside_their_arrays(tmp_path):
    """With Numba's bounds checks on (a fresh compile), padded blocks stay inside the arrays."""
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", BOUNDS_CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "in bounds" in out.stdout


@pytest.mark.parametrize("visibility", [0, 1, 2])
@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_kernel_matches_reference_with_score_profiling(visibility, threshold):
    """Threshold classification on a manipulable score (anchoring, gaming, noisy beliefs)."""
    n, n_places = 3000, 5
    rng = np.random.default_rng(9)
    opp0 = 1 + 3 * (rng.random(n_places) < 0.4)
    detect = rng.uniform(0, 0.4, n_places)
    neighbour = rng.uniform(0, 0.3, n_places)
    params = kp.pack_params(
        visibility, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05, 2.0, 0.5, 2.0, 0.5, 0.5,
        scoring=True, threshold=threshold, anchor=0.1, decision_gain=1.0, score_cost=2.0,
        threshold_noise=0.2, qualification=0.0,
    )  # fmt: skip
    key = 0xABCDEF987
    a, b = make_state(n, n_places, 4), make_state(n, n_places, 4)
    tally, fsum = kp.respond(a, opp0, opp0, detect, detect, neighbour, params, key, parallel=False)
    ref, ref_f = reference(b, opp0, opp0, detect, detect, neighbour, params, key)
    np.testing.assert_array_equal(tally, ref)
    np.testing.assert_allclose(fsum, ref_f, rtol=1e-9, atol=1e-6)
    for name in ("action", "caught", "trait"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert tally[:, kp.T_GAMED].sum() > 0 and tally[:, kp.T_FALSE_CLEARED].sum() > 0
    if threshold > 0:  # qualified actors below a raised threshold pay to reach it
        assert fsum[:, kp.F_BURDEN].sum() > 0


def test_rng_matches_pure_python_and_is_uniform():
    key = 123456789
    for i in (0, 1, 99, 2**31 + 7):
        for stream in (0, 1, 2, 3, 4):
            assert kp.uniform(key, i, stream) == py_uniform(key, i, stream)
    u = np.array([[kp.uniform(key, i, s) for s in range(5)] for i in range(20000)])
    assert 0 <= u.min() and u.max() < 1
    for s in range(5):
        counts = np.histogram(u[:, s], bins=10, range=(0, 1))[0]
        # Chi-square with 9 df: 99.9% quantile is 27.9.
        assert ((counts - 2000) ** 2 / 2000).sum() < 27.9, s
    # Streams of an actor, and neighbouring actors, are uncorrelated (|r| < 4 / sqrt(n)).
    r = np.corrcoef(np.column_stack([u, np.roll(u[:, 0], 1)]).T)
    assert np.abs(r - np.eye(6)).max() < 4 / np.sqrt(20000)


def test_serial_and_parallel_are_bit_identical():
    n, n_places = 3 * kp.CHUNK + 17, 11
    rng = np.random.default_rng(2)
    opp0 = 1 + 3 * (rng.random(n_places) < 0.4)
    detect = rng.uniform(0, 0.4, n_places)
    params = kp.pack_params(2, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05, 2.0, 0.5, 2.0, 0.5, 0.5)
    a, b = make_state(n, n_places, 3, sort=True), make_state(n, n_places, 3, sort=True)
    ta, sa = kp.respond(a, opp0, opp0, detect, detect, detect, params, 77, parallel=False)
    tb, sb = kp.respond(b, opp0, opp0, detect, detect, detect, params, 77, parallel=True)
    np.testing.assert_array_equal(ta, tb)
    np.testing.assert_array_equal(sa, sb)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def test_parallel_run_in_a_forked_child_after_one_in_the_parent():
    """A forked child has none of the parent's threads: it must start its own, not wait forever."""
    import multiprocessing

    n, n_places = 3 * kp.CHUNK, 5
    detect = np.full(n_places, 0.1)
    params = kp.pack_params(2, 5.0, 0.4, 0.3, 0.6, 0.2, 0.3, 0.5, 0.25, 0.05)
    expected, _ = kp.respond(
        make_state(n, n_places, 6, sort=True), detect, detect, detect, detect, detect, params, 9, parallel=True
    )
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_child_tally, (n, n_places, params)).get(timeout=60)
    np.testing.assert_array_equal(got, expected)


def _child_tally(n, n_places, params):
    detect = np.full(n_places, 0.1)
    return kp.respond(
        make_state(n, n_places, 6, sort=True), detect, detect, detect, detect, detect, params, 9, parallel=True
    )[0]


def test_thread_count_asked_without_starting_numbas_pool():
    """Parallel runs use Python threads: asking how many must not start Numba's own pool.

    ``numba.get_num_threads`` starts that pool (and a process lock that a sweep worker,
    ended by its executor, would leave behind); until something starts it, the count
    is Numba's documented default. Once ``numba.set_num_threads`` has run, its value.
    """
    code = (
        "import numpy as np, numba\n"
        "from numba.np.ufunc import parallel\n"
        "from sim.kernels import population as kp\n"
        "n = 2 * kp.CHUNK\n"
        "st = {'place': np.zeros(n, np.int32), 'gain': np.ones(n, np.float32), 'risk': np.ones(n, np.float32),\n"
        "      'sophistication': np.ones(n, np.float32), 'belief': np.zeros(n, np.float32),\n"
        "      'trait': np.zeros(n, np.int8), 'in_circle': np.zeros(n, np.int8), 'caught': np.zeros(n, np.int8),\n"
        "      'action': np.zeros(n, np.int8)}\n"
        "one = np.ones(1)\n"
        "params = kp.pack_params(0, 1, 1, .5, 1, 1, .5, .5, .1, .1)\n"
        "kp.respond(st, one, one, one * 0.1, one * 0.1, one * 0, params, 1, parallel=True)\n"
        "print(parallel._is_initialized, kp._threads() == numba.config.NUMBA_NUM_THREADS)\n"
        "numba.set_num_threads(1)\n"
        "print(parallel._is_initialized, kp._threads())\n"
    )
    env = {**os.environ, "NUMBA_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "True", "1"]


def test_beliefs_never_become_subnormal():
    """Beliefs that decay without detection go to 0, not through float32's subnormal range (slow on CPUs)."""
    n, n_places = 2000, 4
    state = make_state(n, n_places, 7, sort=True)
    state["belief"][:] = np.float32(1e-30)
    state["sophistication"][:] = np.float32(1.0)
    state["caught"][:] = 0
    zero = np.zeros(n_places)
    params = kp.pack_params(0, 5.0, 0.4, 0.3, 0.6, 0.2, 0.9, 0.5, 0.25, 0.05)
    tiny = np.finfo(np.float32).tiny
    for t in range(40):  # x 0.1 a round: 1e-30 passes 1.2e-38 after ~8 rounds
        kp.respond(state, zero + 1.0, zero + 1.0, zero, zero, zero, params, t, parallel=False)
        b = state["belief"]
        assert not ((b > 0) & (b < tiny)).any(), t
    assert (state["belief"] == 0).all()
