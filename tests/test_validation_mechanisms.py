"""One test per mechanism added for the validation cases (each off by default)."""

import numpy as np
import pytest

from sim.hydra_conf import load
from sim.kernels import population as kp
from sim.model import GovernanceModel, _target_share

SMALL = ["world.actors=400", "world.places=8", "partners.count=0", "professionals.count=0"]


def test_regular_layout_places_actors_and_drivers_by_index():
    m = GovernanceModel(load([*SMALL, "world.layout=regular", "world.driver_prevalence=0.25"]))
    np.testing.assert_array_equal(m.actors["place"], np.repeat(np.arange(8), 50))  # equal sizes, stored by place
    np.testing.assert_array_equal(m.world.drivers[:, 0], np.arange(8) < 2)
    np.testing.assert_allclose(m.world.weights, 1 / 8)
    # Everything drawn after the layout is common with the random layout (same streams).
    r = GovernanceModel(load(SMALL))
    np.testing.assert_array_equal(m.actors["gain"], r.actors["gain"])


def test_proportional_targeting_follows_the_estimate_itself():
    est = np.array([1.0, 3.0])
    np.testing.assert_allclose(_target_share(est, 1.0, proportional=True), [0.25, 0.75])
    np.testing.assert_allclose(_target_share(est, 1.0), [0.0, 1.0])  # the default: excess over the minimum


def test_prior_records_at_driver_places():
    m = GovernanceModel(load(["arrangement=validation/ensign_corrected_start"]))
    np.testing.assert_array_equal(m.records, [10.0, 1.0])


def test_draw_dispatch_sends_one_whole_inspection_to_a_place_drawn_by_share():
    m = GovernanceModel(load(["arrangement=validation/ensign_equal"]))
    for _ in range(300):
        m.step()
        # The unit goes to A with A's share of the records (proportional targeting) ...
        assert m.dispatch_p[0] == pytest.approx(m.records[0] / m.records.sum())
        # ... and inspects the one actor there for certain; the other place is not inspected.
        assert m.record["mean_detection"] == 0.5
        assert m.record["caught"] <= 1


def test_open_interpretation_thins_discoveries_by_inspection_share():
    """Ensign et al.'s correction: a discovery at k counts with probability min_j p_j / p_k."""
    kept = {}
    for interp in ("closed", "open"):
        m = GovernanceModel(load(["arrangement=validation/ensign_equal", f"regime.interpretation={interp}"]))
        m.dispatch_p = np.array([0.8, 0.2])
        m.tally_prev[:, kp.T_CAUGHT] = 20_000
        m.tally_prev[:, kp.T_VIOLATIONS] = 20_000
        before = m.records.copy()
        m.collection(np.random.default_rng(0))
        kept[interp] = m.records - before
    np.testing.assert_array_equal(kept["closed"], [20_000, 20_000])
    assert kept["open"][1] == 20_000
    assert abs(kept["open"][0] / 20_000 - 0.25) < 0.01


def test_reporting_records_violations_the_government_did_not_find():
    m = GovernanceModel(load(["arrangement=validation/fish_shop", "world.places=50", "world.actors=250"]))
    m.step()
    violations = m.tally_prev[:, kp.T_VIOLATIONS].copy()
    m.step()  # role none: nothing is discovered; residents report every violation (reporting 1, memory 0)
    np.testing.assert_array_equal(m.records, violations)
    none = GovernanceModel(
        load(["arrangement=validation/fish_shop", "world.places=50", "world.actors=250", "government.reporting=0"])
    )
    none.step()
    none.step()
    assert none.records.sum() == 0


@pytest.mark.parametrize(("found", "direction"), [(0.5, 1), (0.1, -1)])
def test_adaptive_inspection_rate_follows_the_net_return_per_inspection(found, direction):
    cfg = load(["arrangement=validation/inspection_game"])
    m = GovernanceModel(cfg)
    m.tally_prev[:, :] = 0
    m.tally_prev[0, kp.T_CAUGHT] = int(100 * found)
    m.tally_prev[0, kp.T_INNOCENT_CHECKED] = 100 - int(100 * found)
    before = m.capacity
    m._adapt_capacity()
    expected = 1000 * cfg.government.adaptation * (found * 1.0 * 1.0 - 0.2)  # r = harm_cost x recovery, k = 0.2
    assert np.sign(m.capacity - before) == direction
    assert m.capacity - before == pytest.approx(expected)


def test_fixed_capacity_by_default():
    m = GovernanceModel(load(["world.actors=2000"]))
    for _ in range(3):
        m.step()
    assert m.capacity == m.cfg.government.capacity


@pytest.mark.parametrize(("policy", "threshold"), [("naive", 0.0), ("robust", 0.5)])
def test_score_profiling_flags_actors_below_the_threshold(policy, threshold):
    cfg = load(
        [
            "arrangement=validation/strategic_classification",
            "world.actors=20000",
            f"government.threshold={policy}",
            "regime.use=open",
        ]
    )
    m = GovernanceModel(cfg)
    m.step()
    assert m.threshold == threshold
    x = m.actors["score"].astype(np.float64)  # the kernel compares in double precision
    # Public threshold, B = 1, c = 2: actors within B / c below it jump to it; the rest stay.
    reach = (x >= threshold) | (2.0 * (threshold - x) <= 1.0)
    np.testing.assert_array_equal(m.actors["trait"] == 1, ~reach)
    assert m.record["misclassified"] == pytest.approx(np.mean(reach != (x >= 0)))


def test_estimated_threshold_is_the_least_squares_mean_of_observed_scores():
    cfg = load(["arrangement=validation/performative", "population.score_anchor=0.5", "run.rounds=3"])
    m = GovernanceModel(cfg)
    thetas = []
    for _ in range(3):
        m.step()
        thetas.append(m.score_estimate)
    mean_x = float(m.actors["score"].astype(np.float64).mean())
    assert thetas[0] == 0.0  # no data yet: the start
    assert thetas[1] == pytest.approx(mean_x, abs=1e-4)  # nobody anchored to 0
    assert thetas[2] == pytest.approx(mean_x + 0.5 * thetas[1], abs=1e-4)


def test_score_profiling_is_off_by_default():
    m = GovernanceModel(load(["world.actors=2000", "analytics=profiling"]))
    m.step()
    assert "score" not in m.actors and "misclassified" not in m.record


@pytest.mark.parametrize("seed", [0, 7, 2**32, 2**63 - 1])
@pytest.mark.parametrize("replication", [0, 5, 2**33])
def test_round_keys_in_blocks_equal_the_seed_sequence_keys(seed, replication):
    from sim.world import round_key, round_keys

    keys = round_keys(seed, replication, 1000, 64)
    assert [int(k) for k in keys] == [round_key(seed, replication, t) for t in range(1000, 1064)]
