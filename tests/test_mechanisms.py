"""One mechanism test per phase setting, plus the essay's headline effects.

Each test states the expected direction, runs paired cells (same seeds: common
random numbers) over enough replications, and checks that the 95% interval of the
paired difference of run totals excludes zero.
"""

import numpy as np

from sim.run import interval, run, run_totals


def paired(cfg_a, cfg_b, column, rounds_from=None):
    """Mean and 95% interval of (B - A) per replication."""
    a, b = run(cfg_a), run(cfg_b)
    if rounds_from is not None:
        a, b = a[a["round"] >= rounds_from], b[b["round"] >= rounds_from]
    ta, tb = run_totals(a), run_totals(b)
    assert (ta.replication.to_numpy() == tb.replication.to_numpy()).all()
    return interval((tb[column] - ta[column]).to_numpy())


def test_framing_open_puts_the_true_cause_among_the_candidates(small):
    m, lo, hi = paired(small("regime.framing=closed"), small("regime.framing=open"), "cause_considered")
    assert lo > 0, (m, lo, hi)


def test_collection_open_brings_partner_data_and_truer_records(small):
    a, b = small("regime.collection=closed"), small("regime.collection=open")
    m, lo, hi = paired(a, b, "data_shared")
    assert lo > 0, (m, lo, hi)
    m, lo, hi = paired(a, b, "record_accuracy")
    assert lo > 0, (m, lo, hi)


def test_interpretation_open_corrects_confounded_estimates(small):
    """Closed interpretation keeps capacity on the proxy; open brings it to the cause."""
    a = small("regime.interpretation=closed", rounds=40, reps=8)
    b = small("regime.interpretation=open", rounds=40, reps=8)
    m, lo, hi = paired(a, b, "misallocation", rounds_from=30)
    assert hi < 0, (m, lo, hi)

    # Over the rounds (after the first data arrive): open keeps falling, closed does not.
    def fall(df):
        mid = df[(df["round"] >= 4) & (df["round"] <= 10)].groupby("replication").misallocation.mean()
        late = df[df["round"] > 30].groupby("replication").misallocation.mean()
        return interval((mid - late).to_numpy())

    m_open, lo_open, _ = fall(run(b))
    m_closed, _, _ = fall(run(a))
    assert lo_open > 0, m_open
    assert m_closed < 0.02, m_closed


def test_interpretation_open_engages_professionals(small):
    m, lo, hi = paired(small("regime.interpretation=closed"), small("regime.interpretation=open"), "engagement")
    assert lo > 0, (m, lo, hi)


def test_use_public_raises_evasion_and_lowers_benefit_with_reflexive_actors(small):
    """Must-show 2: zwartwerken, use public vs closed."""
    a = small("arrangement=zwartwerken", "regime.use=closed", reps=8)
    b = small("arrangement=zwartwerken", "regime.use=public", reps=8)
    m, lo, hi = paired(a, b, "evasion_rate")
    assert lo > 0, (m, lo, hi)
    m, lo, hi = paired(a, b, "benefit")
    assert hi < 0, (m, lo, hi)


def test_use_restricted_shows_targeting_only_to_the_circle(small):
    """Restricted use: fewer actors see the targeting, so less evasion than public."""
    a = small("arrangement=zwartwerken", "regime.use=restricted", "population.aligned_share=0.1", reps=8)
    b = small("arrangement=zwartwerken", "regime.use=public", "population.aligned_share=0.1", reps=8)
    m, lo, hi = paired(a, b, "evasion_rate")
    assert lo > 0, (m, lo, hi)
    m, lo, hi = paired(a, b, "benefit")
    assert hi < 0, (m, lo, hi)


def test_non_adapting_population_does_not_react_to_publication(small):
    """Orphan bikes do not learn: publishing the route changes nothing they do."""
    a = run(small("arrangement=weesfietsen", "regime.use=closed", reps=3))
    b = run(small("arrangement=weesfietsen", "regime.use=public", reps=3))
    np.testing.assert_array_equal(a.violations.to_numpy(), b.violations.to_numpy())
    assert (b.evasion_rate == 0).all()


def test_open_regime_in_co_creation_gives_more_value_at_lower_cost(small):
    """Must-show 3: gezonde_wijk, regime open vs closed."""
    a = small("arrangement=gezonde_wijk", "regime=closed", reps=8)
    b = small("arrangement=gezonde_wijk", "regime=open", reps=8)
    m, lo, hi = paired(a, b, "public_value")
    assert lo > 0, (m, lo, hi)
    m, lo, hi = paired(a, b, "cost")
    assert hi < 0, (m, lo, hi)
    m, lo, hi = paired(a, b, "partner_units")
    assert lo > 0, (m, lo, hi)


def test_pseudonymisation_raises_data_sharing(small):
    """A safe data environment lowers what sharing costs a partner (§2.6)."""
    a = small("arrangement=zwartwerken", "regime=open", "privacy.pseudonymisation=false", reps=8)
    b = small("arrangement=zwartwerken", "regime=open", "privacy.pseudonymisation=true", reps=8)
    m, lo, hi = paired(a, b, "data_shared")
    assert lo > 0, (m, lo, hi)


def test_closed_control_erodes_support_and_open_builds_it(small):
    df_closed = run(small("regime=closed", rounds=30, reps=4))
    df_open = run(small("regime=open", rounds=30, reps=4))
    first, last = 1, 30
    assert (
        df_closed[df_closed["round"] == last].legitimacy.mean()
        < df_closed[df_closed["round"] == first].legitimacy.mean()
    )
    assert df_open[df_open["round"] == last].legitimacy.mean() > df_open[df_open["round"] == first].legitimacy.mean()
