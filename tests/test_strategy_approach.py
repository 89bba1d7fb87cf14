"""Exploratory versus blueprint working practice (essay §5.3, table 4; ODD 7.7).

The essay's direction: data-driven steering is searching by nature, so where the
problem is new (nobody knows yet where it lies) and partners are at the table, an
exploratory government that re-estimates, searches and learns with partners puts its
work on the cause and delivers more public value than a blueprint that fixes its
programme at the start and monitors it against a standard. Each test runs paired
cells (common random numbers) and checks that the 95% interval of the paired
difference of run totals excludes zero; the mechanism tests check each behaviour
apart.
"""

import numpy as np

from sim.hydra_conf import load
from sim.model import GovernanceModel
from sim.run import interval, run, run_totals

EXPERIMENT = "experiment=exploratory_vs_blueprint"  # the knobs as the essay describes them


def paired(cfg_a, cfg_b, column):
    """Mean and 95% interval of (B - A) per replication."""
    ta, tb = run_totals(run(cfg_a)), run_totals(run(cfg_b))
    assert (ta.replication.to_numpy() == tb.replication.to_numpy()).all()
    return interval((tb[column] - ta[column]).to_numpy())


def test_exploratory_acts_on_the_cause_and_adds_value_where_the_problem_is_new(small):
    """Open arrangement, no prior records where the driver is: exploratory beats the blueprint."""
    blueprint = small(EXPERIMENT, "regime=open", "government.exploratory=false", rounds=30, reps=8)
    exploratory = small(EXPERIMENT, "regime=open", "government.exploratory=true", rounds=30, reps=8)
    m, lo, hi = paired(blueprint, exploratory, "misallocation")
    assert hi < 0, (m, lo, hi)
    m, lo, hi = paired(blueprint, exploratory, "public_value")
    assert lo > 0, (m, lo, hi)


def test_blueprint_meets_its_standard_by_intensity_never_by_retargeting(small):
    """Records above the standard raise the programme's capacity: less harm, more cost, same places."""
    plain = small(EXPERIMENT, "regime=open", "government.exploratory=false", "government.intensify=0", rounds=30)
    standard = small(EXPERIMENT, "regime=open", "government.exploratory=false", rounds=30)
    a, b = run(plain), run(standard)
    # The programme's places are unchanged (the same shares of more units: equal to rounding).
    np.testing.assert_allclose(b.misallocation.to_numpy(), a.misallocation.to_numpy(), rtol=1e-12)
    ta, tb = run_totals(a), run_totals(b)
    m, lo, hi = interval((tb.government_units - ta.government_units).to_numpy())
    assert lo > 0, (m, lo, hi)
    m, lo, hi = interval((tb.harm - ta.harm).to_numpy())
    assert hi < 0, (m, lo, hi)
    m, lo, hi = interval((tb.cost - ta.cost).to_numpy())
    assert lo > 0, (m, lo, hi)


def test_blueprint_keeps_its_share_of_units_per_place_while_it_scales():
    cfg = load([EXPERIMENT, "regime=open", "government.exploratory=false", "world.actors=5000", "run.rounds=12"])
    model = GovernanceModel(cfg)
    shares, capacities = [], []
    for _ in range(cfg.run.rounds):
        model.step()
        shares.append(model.last_units / model.last_units.sum())
        capacities.append(model.capacity)
    assert max(capacities) > cfg.government.capacity  # the standard was exceeded and acted on
    for s in shares[1:]:
        np.testing.assert_allclose(s, shares[0], rtol=1e-12)


def test_the_search_finds_what_the_targeting_left_in_a_closed_loop(small):
    """Closed collection records only what inspections find; searching makes the records truer, harm lower."""
    a = small("government.exploration=0", rounds=30)
    b = small("government.exploration=0.2", rounds=30)
    m, lo, hi = paired(a, b, "record_accuracy")
    assert lo > 0, (m, lo, hi)
    m, lo, hi = paired(a, b, "harm")
    assert hi < 0, (m, lo, hi)


def test_the_search_is_the_exploratory_governments_alone(small):
    """A blueprint does not search: the knob leaves it as it was, to the bit."""
    a = run(small("government.exploratory=false", "government.exploration=0", rounds=10, reps=2))
    b = run(small("government.exploratory=false", "government.exploration=0.5", rounds=10, reps=2))
    assert a.equals(b)


def test_selective_stimulation_puts_prevention_on_the_cause(small):
    """The producer's prevention concentrated where the estimate stands out lands more where the driver is."""
    a = small("role=producer", "regime=open", "government.selectivity=0", rounds=30, reps=12)
    b = small("role=producer", "regime=open", "government.selectivity=1", rounds=30, reps=12)
    m, lo, hi = paired(a, b, "misallocation")
    assert hi < 0, (m, lo, hi)


def _first_units(*overrides: str) -> np.ndarray:
    model = GovernanceModel(load(["regime=open", "world.actors=5000", "run.rounds=1", *overrides]))
    model.step()
    return model.last_units


def test_learning_with_partners_gives_say_by_trust():
    """A partner's say is (1 - m) + m x 2 x trust: none when no one trusts, double when all trust fully."""
    unheard = _first_units("government.voice_weight=0")
    distrusted = _first_units("government.partner_learning=1", "partners.trust=0")
    np.testing.assert_array_equal(distrusted, unheard)  # nobody trusts: nobody is weighed in
    heard = _first_units("partners.trust=1")
    learnt = _first_units("government.partner_learning=1", "partners.trust=1")
    doubled = _first_units("government.voice_weight=0.6", "partners.trust=1")
    assert not np.array_equal(learnt, heard)
    np.testing.assert_allclose(learnt, doubled, rtol=1e-9)
