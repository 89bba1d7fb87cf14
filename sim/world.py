"""The world of one replication: places, true causes, observable features, actors.

Everything here is drawn from a generator seeded by (``run.seed``, replication)
only, so every cell of a sweep with the same seed shares the same world
(common random numbers).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from sim.config import SimConfig

# Noise features drawn for every world, whatever the analytics level searches, so
# that analytics levels share their world. Searching more than this draws extra.
NOISE_FEATURES = 200

# Stream numbers for numpy generators: (seed, replication, stream[, round]).
STREAM_WORLD = 1
STREAM_PARTNERS = 2
STREAM_PROFESSIONALS = 3
STREAM_INSPECTIONS = 4  # whole inspections (draw dispatch) and how they are read, all rounds
STREAM_ROUND = 10


def generator(seed: int, replication: int, *keys: int) -> np.random.Generator:
    """A numpy generator that depends on (seed, replication, keys) only."""
    return np.random.default_rng(np.random.SeedSequence([seed, replication, *keys]))


def round_key(seed: int, replication: int, round_: int) -> int:
    """The 64-bit key from which every actor draw of a round derives."""
    ss = np.random.SeedSequence([seed, replication, 0xC0FFEE, round_])
    return int(ss.generate_state(1, np.uint64)[0])


def round_keys(seed: int, replication: int, first: int, count: int) -> np.ndarray:
    """``round_key`` for rounds ``first .. first + count - 1`` at once (uint64).

    Bit-identical to :func:`round_key` (NumPy's ``SeedSequence`` of
    ``[seed, replication, 0xC0FFEE, round]``, vectorised over the round by
    :func:`seed_states`), about 100 times cheaper per round. Rounds below 2**32.
    """
    rounds = np.arange(first, first + count, dtype=np.uint64)
    return seed_states([seed, replication, 0xC0FFEE, rounds], count, 1)[:, 0]


@dataclass
class World:
    """Places and their features.

    Attributes:
        drivers: (places, drivers) bool, the true causes of harm.
        proxies: (places, proxies) bool, features confounded with a driver.
        noise: (places, noise) bool, features unrelated to harm.
        weights: (places,) relative size of each place.
    """

    drivers: np.ndarray
    proxies: np.ndarray
    noise: np.ndarray
    weights: np.ndarray

    @property
    def features(self) -> np.ndarray:
        """All observable features: drivers, then proxies, then noise."""
        return np.hstack([self.drivers, self.proxies, self.noise]).astype(np.float64)

    @property
    def cause_present(self) -> np.ndarray:
        """Places where at least one true driver is present."""
        return self.drivers.any(axis=1)


def make_world(cfg: SimConfig, replication: int) -> World:
    """Draw places, drivers and features for one replication."""
    w = cfg.world
    rng = generator(cfg.run.seed, replication, STREAM_WORLD)
    drivers = rng.random((w.places, w.drivers)) < w.driver_prevalence
    if w.layout == "regular":  # a designed world (the draws above are still made: same streams)
        drivers[:] = (np.arange(w.places) < round(w.driver_prevalence * w.places))[:, None]
    proxies = np.zeros((w.places, w.proxies), dtype=bool)
    u = rng.random((w.places, max(w.proxies, 1)))
    for j in range(w.proxies):
        d = drivers[:, j % w.drivers]
        proxies[:, j] = np.where(d, u[:, j] < w.proxy_given_driver, u[:, j] < w.proxy_given_no_driver)
    n_noise = max(NOISE_FEATURES, cfg.analytics.features_searched)
    noise = rng.random((w.places, n_noise)) < w.noise_feature_rate
    weights = rng.lognormal(0.0, w.place_size_spread, w.places) if w.place_size_spread > 0 else np.ones(w.places)
    if w.layout == "regular":
        weights = np.ones(w.places)
    return World(drivers=drivers, proxies=proxies, noise=noise, weights=weights / weights.sum())


def _choice_by_weight(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """``rng.choice(len(p), size=n, p=p)``, the same draws and result, faster.

    NumPy draws n uniforms and binary-searches the cdf for each (branchy: ~40 ns each).
    Here a table of 4,096 buckets gives each uniform the range of cdf entries it can
    fall between, and a few vectorised passes count the entries at or below it: the
    same comparisons as ``searchsorted(side='right')``, so the same indices.
    """
    cdf = p.cumsum()
    cdf /= cdf[-1]
    u = rng.random(n)
    buckets = 4096
    edges = cdf.searchsorted(np.arange(buckets + 1) / buckets, side="right")  # exact: b / 4096
    b = (u * buckets).astype(np.int64)
    idx, hi = edges[b], edges[b + 1]
    last = cdf.shape[0] - 1
    while True:
        step = (idx < hi) & (cdf[np.minimum(idx, last)] <= u)
        if not step.any():
            return idx
        idx += step


def make_actors(cfg: SimConfig, replication: int, world: World) -> dict[str, np.ndarray]:
    """Draw the strategic population: 24 bytes of state per actor, sorted by home place.

    Returns:
        Arrays ``place`` (int32), ``gain``, ``risk``, ``sophistication``, ``belief``
        (float32), ``trait``, ``in_circle``, ``caught``, ``action`` (int8); with
        score profiling also ``score`` (float32, the true score).
    """
    p = cfg.population
    n = cfg.world.actors
    rng = generator(cfg.run.seed, replication, STREAM_WORLD, 1)
    place = _choice_by_weight(rng, world.weights, n)
    if cfg.world.layout == "regular":
        place = np.arange(n) % cfg.world.places
    # Stored sorted by home (the kernel's blocks then each live at one place): every
    # other trait is drawn independently of the home, so sorting the homes alone
    # leaves the population's joint distribution as drawn.
    place = np.repeat(np.arange(cfg.world.places, dtype=np.int32), np.bincount(place, minlength=cfg.world.places))
    trait = (rng.random(n) < p.trait_share).astype(np.int8)
    gain = (
        rng.lognormal(math.log(max(p.gain_mean, 1e-12)), p.gain_spread, n)
        if p.gain_spread > 0
        else np.full(n, p.gain_mean)
    )
    gain *= np.where(trait == 1, p.trait_gain_ratio, 1.0)
    # Intrinsically compliant actors lose by violating (moral cost exceeds gain).
    gain = np.where(rng.random(n) < p.compliant_share, -gain, gain).astype(np.float32)
    risk = (
        rng.lognormal(math.log(max(p.risk_mean, 1e-12)), p.risk_spread, n)
        if p.risk_spread > 0
        else np.full(n, p.risk_mean)
    ).astype(np.float32)
    in_circle = (rng.random(n) < p.aligned_share).astype(np.int8)
    # Sophistication is drawn last: beta draws use a variable number of uniforms.
    m = p.sophistication
    c = 2.0 / p.sophistication_spread if p.sophistication_spread > 0 else math.inf
    if 0.0 < m < 1.0 and math.isfinite(c):  # a spread below ~1e-308 overflows c: no spread
        soph = rng.beta(m * c, (1.0 - m) * c, n)
    else:
        soph = np.full(n, m)
    extra = {}
    if cfg.analytics.resolution == "individual" and cfg.analytics.profile == "score":
        # Drawn after everything else, so that the other arrays stay common.
        extra["score"] = rng.normal(p.score_mean, p.score_sd, n).astype(np.float32)
    return {
        "place": place,
        "gain": gain,
        "risk": risk,
        "sophistication": soph.astype(np.float32),
        "belief": np.full(n, p.prior_detection, dtype=np.float32),
        "trait": trait,
        "in_circle": in_circle,
        "caught": np.zeros(n, dtype=np.int8),
        "action": np.zeros(n, dtype=np.int8),
        **extra,
    }


# Worlds and populations already drawn in this process, by what they depend on. Every
# cell of a sweep with the same seed shares them (common random numbers), and drawing
# 100,000 actors costs about as much as 10 rounds of the model.
_REPLICATIONS: OrderedDict[tuple, tuple[World, dict[str, np.ndarray]]] = OrderedDict()
_CACHE_BYTES = 256 * 2**20
MUTABLE = ("belief", "trait", "caught", "action")  # the actor arrays the kernel updates


def make_replication(cfg: SimConfig, replication: int) -> tuple[World, dict[str, np.ndarray]]:
    """``make_world`` and ``make_actors``, reused within a process (same numbers).

    The world and the actors' fixed traits are shared between models; the arrays the
    kernel updates (``MUTABLE``) are fresh copies for each call.
    """
    score = cfg.analytics.resolution == "individual" and cfg.analytics.profile == "score"
    key = (cfg.run.seed, replication, repr(cfg.world), repr(cfg.population), cfg.analytics.features_searched, score)
    hit = _REPLICATIONS.get(key)
    if hit is None:
        world = make_world(cfg, replication)
        hit = (world, make_actors(cfg, replication, world))
        size = sum(a.nbytes for a in hit[1].values())
        if size <= _CACHE_BYTES // 4:  # huge populations: not kept
            _REPLICATIONS[key] = hit
            while sum(sum(a.nbytes for a in v[1].values()) for v in _REPLICATIONS.values()) > _CACHE_BYTES:
                _REPLICATIONS.popitem(last=False)
    else:
        _REPLICATIONS.move_to_end(key)
    world, actors = hit
    return world, {name: (a.copy() if name in MUTABLE else a) for name, a in actors.items()}


def place_counts(place: np.ndarray, n_places: int) -> np.ndarray:
    """Actors per place (``np.bincount``), from the sorted homes in ~1/7 of its time.

    ``make_actors`` stores actors sorted by home place; any other order is counted
    by ``np.bincount``.
    """
    if place.size and bool((place[1:] >= place[:-1]).all()):
        return np.diff(np.searchsorted(place, np.arange(n_places + 1, dtype=place.dtype)))
    return np.bincount(place, minlength=n_places)


def _words(n: int) -> list[int]:
    """The 32-bit words SeedSequence makes of a non-negative int (least significant first)."""
    out = [n & 0xFFFFFFFF] if n == 0 else []
    while n > 0:
        out.append(n & 0xFFFFFFFF)
        n >>= 32
    return out


def seed_states(entropy: list[int | np.ndarray], count: int, n_words64: int) -> np.ndarray:
    """``SeedSequence(e).generate_state(n_words64, uint64)`` for ``count`` entropies at once.

    ``entropy`` lists the entries of ``e``: ints (the same in every sequence) or arrays
    of ``count`` values below 2**32 (one per sequence). NumPy's hashing (O'Neill's
    seed_seq, pool size 4) vectorised over the sequences; bit-identical to NumPy.

    Returns:
        A (count, n_words64) uint64 array.
    """
    m32, s16 = np.uint64(0xFFFFFFFF), np.uint64(16)
    cols: list[np.ndarray] = []
    for e in entropy:
        if isinstance(e, np.ndarray):
            cols.append(e.astype(np.uint64))
        else:
            cols += [np.full(count, w, dtype=np.uint64) for w in _words(int(e))]
    const = 0x43B0D7E5  # INIT_A

    def hashmix(v: np.ndarray) -> np.ndarray:
        nonlocal const
        v = v ^ np.uint64(const)
        const = (const * 0x931E8875) & 0xFFFFFFFF  # MULT_A
        v = (v * np.uint64(const)) & m32
        return v ^ (v >> s16)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = (np.uint64(0xCA01F9DD) * x - np.uint64(0x4973F715) * y) & m32
        return r ^ (r >> s16)

    zero = np.zeros(count, dtype=np.uint64)
    pool = [hashmix(cols[i] if i < len(cols) else zero) for i in range(4)]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(4, len(cols)):
        for dst in range(4):
            pool[dst] = mix(pool[dst], hashmix(cols[src]))
    const_b = 0x8B51F9DD  # INIT_B
    out = np.empty((count, 2 * n_words64), dtype=np.uint64)
    for i in range(2 * n_words64):
        v = pool[i % 4] ^ np.uint64(const_b)
        const_b = (const_b * 0x58F38DED) & 0xFFFFFFFF  # MULT_B
        v = (v * np.uint64(const_b)) & m32
        out[:, i] = v ^ (v >> s16)
    return out[:, 0::2] | (out[:, 1::2] << np.uint64(32))


_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_M128 = (1 << 128) - 1


def pcg64_state(words: np.ndarray) -> dict:
    """The state ``PCG64`` seeds itself with from four SeedSequence words (as NumPy's pcg64_set_seed)."""
    w = words.tolist()  # Python ints
    initstate, initseq = (w[0] << 64) | w[1], (w[2] << 64) | w[3]
    inc = ((initseq << 1) | 1) & _M128
    state = (inc + initstate) & _M128  # one step from 0, plus the initial state
    state = (state * _PCG_MULT + inc) & _M128
    return {"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0}
