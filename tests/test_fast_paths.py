"""The model's cheaper paths give exactly what the plain NumPy calls they replace give."""

import numpy as np
import pytest

from sim.agents import Professional
from sim.config import SimConfig
from sim.model import GovernanceModel, _RoundStreams
from sim.world import (
    _choice_by_weight,
    generator,
    make_actors,
    make_replication,
    make_world,
    pcg64_state,
    place_counts,
    seed_states,
)


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3, 2**63 - 1])
@pytest.mark.parametrize("replication", [0, 5, 2**33])
def test_round_generators_equal_seeded_generators(seed, replication):
    streams = _RoundStreams(seed, replication, rounds=200)
    for t in (0, 1, 63, 64, 150, 199, 250):
        for s in (1, 2, 3, 4):
            ref = generator(seed, replication, 10, t, s)
            gen = streams.generator(t, s)
            assert gen.bit_generator.state == ref.bit_generator.state
            np.testing.assert_array_equal(gen.random(5), ref.random(5))


def test_seed_states_with_short_entropy_equal_numpy():
    rounds = np.arange(3, 9)
    words = seed_states([4, rounds], rounds.size, 4)
    for i, t in enumerate(rounds):
        expected = np.random.SeedSequence([4, int(t)]).generate_state(4, np.uint64)
        np.testing.assert_array_equal(words[i], expected)
        bits = np.random.PCG64(0)
        bits.state = pcg64_state(words[i])
        assert bits.state == np.random.PCG64(np.random.SeedSequence([4, int(t)])).state


@pytest.mark.parametrize("case", range(30))
def test_choice_by_weight_equals_generator_choice(case):
    rng = np.random.default_rng(case)
    p = rng.lognormal(0.0, rng.uniform(0, 3), int(rng.integers(2, 2000)))
    if case % 3 == 0:
        p[rng.integers(0, p.size, p.size // 2)] = 0.0
    p /= p.sum()
    n = int(rng.integers(1, 30_000))
    a, b = np.random.default_rng([case, 1]), np.random.default_rng([case, 1])
    np.testing.assert_array_equal(_choice_by_weight(a, p, n), b.choice(p.size, size=n, p=p))
    assert a.random() == b.random()  # the same draws consumed


def test_replication_cache_gives_equal_and_independent_actors():
    cfg = SimConfig()
    cfg.world.actors = 3000
    world = make_world(cfg, 2)
    fresh = make_actors(cfg, 2, world)
    _, first = make_replication(cfg, 2)
    _, second = make_replication(cfg, 2)
    for name, values in fresh.items():
        np.testing.assert_array_equal(first[name], values)
        np.testing.assert_array_equal(second[name], values)
    first["belief"][:] = 0.5  # the kernel's arrays are each model's own
    first["trait"][:] = 0
    assert not np.array_equal(first["belief"], second["belief"])
    np.testing.assert_array_equal(second["trait"], fresh["trait"])
    cfg.population.gain_mean = 2.0  # anything the actors depend on is part of the key
    _, other = make_replication(cfg, 2)
    assert not np.array_equal(other["gain"], fresh["gain"])


def test_reviews_pick_distinct_places_of_the_area():
    cfg = SimConfig()
    cfg.world.actors = 2000
    cfg.professionals.beat = 3
    m = GovernanceModel(cfg, 0)
    cause = m.cause_present
    rng = np.random.default_rng(3)
    seen = np.zeros(cfg.world.places)
    for _ in range(200):
        places, judged = Professional.review_all(m.professionals, rng, cause, cfg.professionals.beat)
        start = 0
        for p in m.professionals:
            if not p.contributed:
                continue
            k = min(cfg.professionals.beat, p.area.size)
            picks = places[start : start + k]
            assert len(set(picks.tolist())) == k and set(picks.tolist()) <= set(p.area.tolist())
            start += k
        assert start == places.size == judged.size
        np.add.at(seen, places, 1)
    assert (seen > 0).all()  # every place of every area gets reviewed


def test_place_counts_equal_bincount_sorted_or_not():
    rng = np.random.default_rng(5)
    place = np.sort(rng.integers(0, 7, 500)).astype(np.int32)
    place[place == 3] = 2  # a place with nobody
    for p in (place, rng.permutation(place), place[:1], place[:0]):
        np.testing.assert_array_equal(place_counts(p, 9), np.bincount(p, minlength=9))
