"""The report's intervals stay within what a quantity can be; the replications a difference needs; the names."""

import math

import numpy as np
import pytest
from scipy import stats

from sim.config import ANALYTICS_LEVELS, PHASES, REGIME_PRESETS, ROLES
from sim.glossary import BOUNDS, NON_NEGATIVE, SHARE, bounds, option_name, value_name
from sim.report import intervals
from tests.report import reference_level

# Few worlds and values at or near a bound: where the t-interval leaves the possible range.
NEAR_BOUNDS = [
    ("evasion_rate", [0.0, 0.0, 0.012]),
    ("evasion_rate", [0.0003, 0.001]),
    ("data_shared", [0.0, 0.86, 0.0]),
    ("data_shared", [0.99, 1.0, 0.97]),
    ("misallocation", [0.05, 0.9]),
    ("trust", [1.0, 1.0, 0.6]),
    ("legitimacy", [0.001, 0.002, 0.0]),
    ("negative_side_effects", [328.0, 270_000.0, 133_000.0]),
    ("positive_side_effects", [36_221.0, 553_252.0]),
    ("cost", [0.0, 0.0, 5.0]),
    ("harm", [1.0, 1_000_000.0, 2.0]),
]


def t_interval(x):
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - half, x.mean() + half


@pytest.mark.parametrize("column, values", NEAR_BOUNDS)
def test_levels_stay_within_their_bounds_where_the_t_interval_does_not(column, values):
    low, high = BOUNDS[column]
    t_low, t_high = t_interval(values)
    assert t_low < low or t_high > high  # the case this is about: the plain interval is impossible
    m, lo, hi = intervals.level(np.array(values), column)
    assert low <= lo <= m <= hi <= high
    assert lo > low and hi < high  # strictly inside: a spread sample never pins the mean to a bound
    np.testing.assert_allclose([m, lo, hi], reference_level(values, low, high), rtol=1e-12)


@pytest.mark.parametrize("column", ["evasion_rate", "cost", "public_value"])
def test_a_mean_on_its_bound_or_without_spread_has_no_width(column):
    low = BOUNDS[column][0] if math.isfinite(BOUNDS[column][0]) else 0.0
    assert intervals.level(np.full(3, low), column) == (low, low, low)
    assert intervals.level(np.full(2, 0.25), column) == (0.25, 0.25, 0.25)
    m, lo, hi = intervals.level(np.array([0.3]), column)
    assert m == 0.3 and math.isnan(lo) and math.isnan(hi)


def test_far_from_the_bounds_the_interval_is_the_t_interval():
    rng = np.random.default_rng(1)
    share = 0.5 + 0.05 * rng.standard_normal(200)
    total = 10_000 + 100 * rng.standard_normal(200)
    for column, x in (("legitimacy", share), ("cost", total)):
        _, lo, hi = intervals.level(x, column)
        np.testing.assert_allclose([lo, hi], t_interval(x), rtol=2e-3)
    x = np.array([-5.0, 1.0, 20.0])  # public value may be negative: the t-interval, untouched
    np.testing.assert_allclose(intervals.level(x, "public_value")[1:], t_interval(x), rtol=1e-12)


def test_rounding_slack_is_pulled_in_and_an_impossible_value_is_refused():
    m, lo, hi = intervals.level(np.array([1.0 + 1e-15, 1.0, 0.9]), "trust")
    assert hi <= 1.0 and m <= 1.0
    with pytest.raises(
        ValueError, match=r"data_shared = 1\.2 is outside the range data_shared can take, \[0\.0, 1\.0\]"
    ):
        intervals.level(np.array([0.5, 1.2]), "data_shared")
    with pytest.raises(ValueError, match="cost = -3.0"):
        intervals.level(np.array([-3.0, 2.0]), "cost")


def test_paired_differences_keep_the_t_interval_within_the_reach_of_a_difference():
    d = np.array([0.0, 0.9, 0.0])  # differences of shares: the t-interval runs to 1.6
    m, lo, hi = intervals.difference(d, "data_shared")
    t_low, t_high = t_interval(d)
    assert t_high > 1 and (lo, hi) == (pytest.approx(t_low), 1.0) and m == pytest.approx(0.3)
    d = np.array([-4000.0, 1000.0, 2500.0])  # a cost may fall: negative and unbounded
    np.testing.assert_allclose(intervals.difference(d, "cost")[1:], t_interval(d), rtol=1e-12)


def exact_power(n, effect):
    """Power of the two-sided paired t-test at the 5% level (noncentral t), effect = delta / sd."""
    df, crit, shift = n - 1, stats.t.ppf(0.975, n - 1), effect * math.sqrt(n)
    return 1 - stats.nct.cdf(crit, df, shift) + stats.nct.cdf(-crit, df, shift)


@pytest.mark.parametrize("sd, delta", [(1.0, 2.0), (1.0, 1.0), (3.0, -1.5), (205_287.0, 20_000.0), (1.0, 0.05)])
def test_replications_needed_is_the_smallest_n_with_80_percent_power(sd, delta):
    n = intervals.replications_needed(sd, delta)
    assert exact_power(n, abs(delta) / sd) >= 0.8 > exact_power(n - 1, abs(delta) / sd)


def test_replications_needed_at_the_edges():
    assert intervals.replications_needed(1.0, 0.0) is None  # the same results: no number is enough
    assert intervals.replications_needed(0.0, 5.0) == 2
    assert intervals.replications_needed(1.0, 1e-6) is None  # more than a million
    assert intervals.replications_needed(math.nan, 1.0) is None


def test_every_choice_has_a_readable_name():
    assert option_name({"role": "director", "regime": "open_creation_closed_use"}) == (
        "director, open creation / closed use"
    )
    names = {value_name("role", r) for r in ROLES} | {value_name("regime", r) for r in REGIME_PRESETS}
    names |= {value_name("analytics", a) for a in ANALYTICS_LEVELS}
    assert len(names) == len(ROLES) + len(REGIME_PRESETS) + len(ANALYTICS_LEVELS)  # none shared
    assert not any("_" in n for n in names)
    assert value_name("use", "restricted") == "restricted use"
    assert option_name({p: "open" for p in PHASES}) == "open framing, open collection, open interpretation, open use"
    assert value_name("population.sophistication", 0.4) == "actor sophistication 0.4"
    assert value_name("weights.legitimacy", 500.0) == "weight of legitimacy 500"
    assert value_name("world.seasons", 3) == "world.seasons = 3"  # an unknown key reads key = value
    assert option_name({}) == "all cells"


def test_bounds_come_from_one_catalogue():
    for col in ("evasion_rate", "data_shared", "misallocation", "trust", "legitimacy", "cause_identified"):
        assert bounds(col) == SHARE
    for col in ("cost", "negative_side_effects", "positive_side_effects", "harm", "coalition_size"):
        assert bounds(col) == NON_NEGATIVE
    # benefit is harm prevented against no government action: with feedback=acting it can be negative
    assert bounds("public_value") == (-math.inf, math.inf) == bounds("not_a_column") == bounds("benefit")
