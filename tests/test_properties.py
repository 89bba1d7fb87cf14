"""Property-based tests over the valid configuration space (hypothesis).

Configurations are drawn from the schema itself: every numeric field of the
behavioural sections within its declared range (sizes capped so each example
runs in milliseconds), every choice field over its choices.
"""

import dataclasses
import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import config as C
from sim.run import run

# Caps that keep an example fast; the ranges below them are the schema's own.
CAPS = {
    "world.places": 12,
    "world.actors": 1500,
    "world.drivers": 3,
    "world.proxies": 3,
    "partners.count": 6,
    "professionals.count": 6,
    "professionals.beat": 5,
    "analytics.features_searched": 40,
    "analytics.lag": 3,
    "privacy.min_group_size": 30,
}
SECTIONS = (
    "world",
    "population",
    "government",
    "partners",
    "professionals",
    "privacy",
    "platform",
    "valuation",
    "legitimacy",
    "weights",
    "role",
    "regime",
    "analytics",
    "problem",
)
SKIP = {"role.name", "regime.name", "analytics.name", "problem.name"}
RATES = [
    "legitimacy",
    "evasion_rate",
    "data_shared",
    "misallocation",
    "privacy_exposure",
    "trust",
    "displacement_rate",
    "engagement",
    "cause_considered",
    "cause_identified",
]


def field_strategy(key, f):
    meta = f.metadata
    if "choices" in meta:
        return st.sampled_from(meta["choices"])
    if f.type in ("bool", bool):
        return st.booleans()
    lo, hi = meta.get("lo"), meta.get("hi")
    hi = min(hi, CAPS.get(key, hi)) if hi is not None else CAPS.get(key)
    if f.type in ("int", int):
        return st.integers(int(lo), int(hi))
    # Most mass inside sensible magnitudes, but the bounds themselves too.
    return st.one_of(st.floats(lo, min(hi, max(lo, 0) + 10.0)), st.sampled_from([lo, hi]), st.floats(lo, hi))


def section_strategy(name):
    cls = type(getattr(C.SimConfig(), name))
    fields = {
        f.name: field_strategy(f"{name}.{f.name}", f)
        for f in dataclasses.fields(cls)
        if f"{name}.{f.name}" not in SKIP and (f.metadata or f.type in ("bool", bool))
    }
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def configs(draw):
    data = {s: draw(section_strategy(s)) for s in SECTIONS}
    data["role"]["name"] = draw(st.sampled_from(C.ROLES))
    data["analytics"]["name"] = draw(st.sampled_from(C.ANALYTICS_LEVELS))
    data["run"] = {
        "rounds": draw(st.integers(1, 4)),
        "replications": draw(st.integers(1, 2)),
        "seed": draw(st.integers(0, 2**32)),
    }
    w = data["world"]
    w.setdefault("places", 12)
    w.setdefault("actors", 1500)
    # Cross-field rules of validate(): at most 10 proxies per driver, search >= proxies.
    w["proxies"] = min(w.get("proxies", 1), 10 * w.get("drivers", 1))
    a = data["analytics"]
    a["features_searched"] = max(a.get("features_searched", 5), w["proxies"])
    return C.validate(C.from_mapping(data))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(configs())
def test_any_valid_config_runs_clean(cfg):
    df = run(cfg, parallel=False)
    assert len(df) == cfg.run.rounds * cfg.run.replications
    values = df.drop(columns=["replication", "round"]).to_numpy(dtype=float)
    assert np.isfinite(values).all(), df.columns[~np.isfinite(values).all(axis=0)].tolist()
    for c in RATES:
        assert df[c].between(0.0, 1.0).all(), (c, df[c].min(), df[c].max())
    w = cfg.weights
    identity = (
        w.cost * df.cost
        + w.benefit * df.benefit
        + w.negative_side_effects * df.negative_side_effects
        + w.positive_side_effects * df.positive_side_effects
        + w.legitimacy * df.legitimacy
    )
    scale = np.maximum(1.0, np.abs(identity))
    assert (np.abs(df.public_value - identity) <= 1e-9 * scale).all()
    assert (df.cost >= 0).all() and (df.harm >= -1e-9).all()
    # Same numbers whatever the kernel's threading.
    pd.testing.assert_frame_equal(df, run(cfg, parallel=True))


def test_strategy_covers_the_schema():
    """The generator reaches every behavioural field (a guard against silent narrowing)."""
    for name in SECTIONS:
        cls = type(getattr(C.SimConfig(), name))
        for f in dataclasses.fields(cls):
            key = f"{name}.{f.name}"
            if key in SKIP:
                continue
            assert f.metadata or f.type in ("bool", bool), key
            assert not (
                f.metadata.get("lo") is not None and f.metadata.get("hi") is not None and math.isnan(f.metadata["lo"])
            ), key
