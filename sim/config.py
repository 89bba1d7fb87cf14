"""Typed configuration of one simulation run, and its validation.

The dataclasses here are the schema behind the YAML in ``conf/`` and ``scenarios/``
(registered with Hydra's ConfigStore in :mod:`sim.hydra_conf`, so a misspelt key fails
at composition). This module imports neither Hydra nor the model: the model takes a
validated :class:`SimConfig`, the command line builds one from Hydra's output.

Every numeric field carries its allowed range in ``metadata`` so that
:func:`validate` can name the key, the value and what is allowed.

Why one piece (~500 lines): it is the schema, one dataclass per config section in
the order of ``conf/config.yaml``, each field with its default, range and meaning;
read top to bottom it is the reference of every key a user can set, and the
validation that names a key's range must see every section's fields.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PHASES = ("framing", "collection", "interpretation", "use")
PHASE_SETTINGS = ("open", "restricted", "closed")
PHASE_ALIASES = {"public": "open", "shielded": "closed", "none": "closed"}
ROLES = (
    "none",
    "producer",
    "commissioner",
    "regulator",
    "co_producer",
    "facilitator",
    "director",
)
ANALYTICS_LEVELS = ("monitoring", "realtime", "predictive", "profiling", "discovery")
RESOLUTIONS = ("place", "individual")
PROFILES = ("trait", "score")
LAYOUTS = ("random", "regular")
TARGETING = ("excess", "proportional")
DISPATCH = ("spread", "draw")
THRESHOLDS = ("naive", "robust", "estimated")
REGIME_PRESETS = ("open", "closed", "open_creation_closed_use", "closed_creation_open_use")
DESIGNS = ("none", "lhs", "sobol", "morris")
# Phases (framing, collection, interpretation, use) of each named regime (table 1).
REGIME_PRESET_PHASES = {
    ("open", "open", "open", "open"): "open",
    ("closed", "closed", "closed", "closed"): "closed",
    ("open", "open", "closed", "closed"): "open_creation_closed_use",
    ("closed", "closed", "open", "open"): "closed_creation_open_use",
}


class ConfigError(ValueError):
    """A configuration value that is not allowed.

    Attributes:
        key: Dotted config key, e.g. ``regime.use``.
        value: The offending value as given.
        allowed: Human-readable description of what is allowed.
        source: Where the value came from (command line, a scenario file, ...).
    """

    def __init__(self, key: str, value: Any, allowed: str, source: str = "") -> None:
        self.key, self.value, self.allowed, self.source = key, value, allowed, source
        where = f" (set in {source})" if source else ""
        super().__init__(f"{key}={value!r} is not allowed{where}. Allowed: {allowed}.")


def _num(default: float, lo: float | None = None, hi: float | None = None, doc: str = ""):
    """A numeric field with an inclusive allowed range."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc})


def _choice(default: str, choices: tuple[str, ...], doc: str = ""):
    """A string field restricted to ``choices``."""
    return field(default=default, metadata={"choices": choices, "doc": doc})


@dataclass
class RunConfig:
    """How long and how often to run."""

    rounds: int = _num(50, 1, 100_000, "rounds (policy cycles) per replication")
    replications: int = _num(10, 1, 100_000, "independent replications (worlds)")
    seed: int = _num(0, 0, 2**63 - 1, "base seed; world = f(seed, replication)")
    first_replication: int = _num(0, 0, 2**31 - 1, "index of the first replication run")
    threads: int = _num(0, 0, 1024, "kernel threads; 0 = all cores")


@dataclass
class WorldConfig:
    """Places, their true causes of harm, and the observable features."""

    places: int = _num(50, 2, 100_000, "places (neighbourhoods)")
    actors: int = _num(100_000, 1, 100_000_000, "strategic actors")
    drivers: int = _num(1, 1, 10, "true causal drivers of harm (e.g. the small square)")
    driver_prevalence: float = _num(0.2, 0.0, 1.0, "P(driver present at a place)")
    driver_effect: float = _num(3.0, 0.0, 100.0, "extra opportunity where a driver is")
    proxies: int = _num(1, 0, 10, "observable proxies confounded with a driver")
    proxy_given_driver: float = _num(0.7, 0.0, 1.0, "P(proxy | driver), e.g. fish shop")
    proxy_given_no_driver: float = _num(0.1, 0.0, 1.0, "P(proxy | no driver)")
    noise_feature_rate: float = _num(0.3, 0.0, 1.0, "P(noise feature present)")
    place_size_spread: float = _num(0.5, 0.0, 3.0, "lognormal sd of place populations")
    layout: str = _choice(
        "random",
        LAYOUTS,
        "random: drawn homes, sizes and drivers; regular: equal numbers of actors per place "
        "(equal sizes), every driver at the first round(driver_prevalence x places) places",
    )


@dataclass
class PopulationConfig:
    """Heterogeneous strategic actors (the reflexive population)."""

    gain_mean: float = _num(1.0, 0.0, 1e6, "median gain from violating, kEUR-free units")
    gain_spread: float = _num(0.6, 0.0, 5.0, "lognormal sd of gain")
    compliant_share: float = _num(0.3, 0.0, 1.0, "share with no gain from violating")
    violation_cost: float = _num(1.5, 0.0, 1e6, "effort/moral cost of any violation")
    risk_mean: float = _num(1.0, 0.0, 100.0, "mean risk aversion (weight on fines)")
    risk_spread: float = _num(0.3, 0.0, 5.0, "lognormal sd of risk aversion")
    sophistication: float = _num(0.3, 0.0, 1.0, "mean learning rate about targeting")
    sophistication_spread: float = _num(0.5, 0.0, 1.0, "spread of sophistication")
    prior_detection: float = _num(0.02, 0.0, 1.0, "initial believed detection probability")
    aligned_share: float = _num(0.05, 0.0, 1.0, "share of actors in the like-minded circle")
    trait_share: float = _num(0.3, 0.0, 1.0, "share with the observable profile trait")
    trait_gain_ratio: float = _num(2.0, 0.0, 100.0, "gain of trait holders / others")
    fine: float = _num(20.0, 0.0, 1e6, "sanction when caught, in gain units")
    evasion_cost: float = _num(1.0, 0.0, 1e6, "cost of concealing a violation")
    evasion_factor: float = _num(0.3, 0.0, 1.0, "detection multiplier when concealing")
    move_cost: float = _num(0.5, 0.0, 1e6, "cost of moving to another place")
    game_cost: float = _num(0.2, 0.0, 1e6, "cost of changing the observed trait")
    experience_weight: float = _num(0.3, 0.0, 1.0, "weight of neighbours' experience")
    own_experience_weight: float = _num(0.5, 0.0, 1.0, "belief jump after being caught")
    gain_noise: float = _num(0.25, 0.0, 1.0, "round-to-round gain fluctuation (+/-)")
    # Score profiling (analytics.profile=score): a true score per actor, an observed
    # score the actor can shift (Hardt et al. 2016; Perdomo et al. 2020).
    score_mean: float = _num(0.0, -1e6, 1e6, "mean of the true score")
    score_sd: float = _num(1.0, 0.0, 1e6, "sd of the true score (normal)")
    score_anchor: float = _num(0.0, -10.0, 10.0, "observed-score shift per unit of the believed threshold")
    decision_gain: float = _num(0.0, 0.0, 1e6, "gain from being cleared (observed score >= threshold)")
    score_cost: float = _num(1.0, 1e-6, 1e6, "cost per unit of raising the observed score")
    threshold_noise: float = _num(0.2, 0.0, 1e6, "sd of actors' estimate of a threshold they cannot see")


@dataclass
class GovernmentConfig:
    """The government's capacity and analysis habits."""

    capacity: float = _num(40.0, 0.0, 1000.0, "intervention units per 1,000 actors/round")
    targeting_focus: float = _num(2.0, 0.0, 10.0, "allocation exponent on estimated harm")
    memory: float = _num(0.8, 0.0, 1.0, "decay of recorded incidents per round")
    significance: float = _num(0.05, 1e-6, 0.5, "alpha for feature discovery")
    exploratory: bool = field(default=True, metadata={"doc": "re-estimate every round; false: blueprint (round 1's)"})
    # Exploratory (government.exploratory = true) and blueprint practice (false): essay table 4, ODD 7.7.
    exploration: float = _num(0.0, 0.0, 1.0, "exploratory: share of own units searching places not recently inspected")
    selectivity: float = _num(0.0, 0.0, 1.0, "exploratory: share of own prevention sent where the estimate is high")
    partner_learning: float = _num(0.0, 0.0, 1.0, "exploratory: how far a heard partner's say grows with its trust")
    standard: float = _num(5.0, 0.0, 1e9, "blueprint: recorded incidents per 1,000 actors per round it accepts")
    intensify: float = _num(0.0, 0.0, 10.0, "blueprint: capacity x (1 + intensify) while records exceed the standard")
    prevention_efficacy: float = _num(5.0, 0.0, 1e6, "prevention per unit per capita")
    prevention_decay: float = _num(0.8, 0.0, 1.0, "persistence of prevention per round")
    recovery: float = _num(0.5, 0.0, 1.0, "share of a caught violation's harm undone")
    voice_weight: float = _num(0.3, 0.0, 1.0, "weight of partners' analyses when heard")
    residual_weight: float = _num(0.1, 0.0, 1.0, "weight of raw records beside the model")
    prior_records: float = _num(1.0, 0.0, 1e9, "recorded incidents per place at the start")
    prior_records_driver: float = _num(0.0, 0.0, 1e9, "extra recorded incidents at the start where a driver is")
    targeting: str = _choice(
        "excess", TARGETING, "capacity share by (estimate - min)^focus (excess) or estimate^focus (proportional)"
    )
    dispatch: str = _choice(
        "spread", DISPATCH, "spread: units split over places; draw: each whole unit inspects one resident"
    )
    reporting: float = _num(0.0, 0.0, 1.0, "share of undetected violations residents report")
    adaptation: float = _num(0.0, 0.0, 1.0, "inspection-rate step per kEUR net return per inspection (0: fixed)")
    threshold: str = _choice("naive", THRESHOLDS, "score threshold: cut-off, gaming-robust, or estimated mean")
    qualification: float = _num(0.0, -1e6, 1e6, "true score from which an actor should be cleared")


@dataclass
class PartnersConfig:
    """Partners in the arrangement (firms, GPs, insurers, associations)."""

    count: int = _num(8, 0, 1000, "number of partners")
    alignment: float = _num(0.6, 0.0, 1.0, "mean alignment with the public goal")
    alignment_spread: float = _num(0.25, 0.0, 1.0, "spread of alignment")
    trust: float = _num(0.5, 0.0, 1.0, "initial trust in the government")
    trust_rate: float = _num(0.15, 0.0, 1.0, "trust adjustment per round")
    data_cost: float = _num(0.3, 0.0, 1.0, "mean cost to a partner of its data's use")
    coverage: float = _num(0.4, 0.0, 1.0, "share of places a partner's data covers")
    observation_rate: float = _num(0.3, 0.0, 1.0, "share of violations a partner sees")
    capacity: float = _num(5.0, 0.0, 1000.0, "units per 1,000 actors a partner can bring")
    share_threshold: float = _num(0.3, -1.0, 2.0, "net willingness needed to share data")
    # The coalition (essay ch. 5 rounds model, ch. 6): who stays at the table (off by default;
    # feedback=acting switches it on).
    exit_trust: float = _num(0.0, 0.0, 1.0, "a member with less trust leaves the arrangement (0: none leaves)")
    return_trust: float = _num(0.4, 0.0, 1.0, "an invited partner outside returns once its trust reaches this")
    agreement: float = _num(0.0, 0.0, 1.0, "mean trust/engagement at the table needed to agree on progress (0: always)")


@dataclass
class ProfessionalsConfig:
    """Front-line professionals with context knowledge."""

    count: int = _num(20, 0, 10_000, "number of professionals")
    accuracy: float = _num(0.85, 0.0, 1.0, "P(correct judgement of a place's cause)")
    beat: int = _num(3, 0, 100_000, "places each reviews per round when engaged")
    engagement: float = _num(0.6, 0.0, 1.0, "initial engagement")
    engagement_rate: float = _num(0.2, 0.0, 1.0, "engagement adjustment per round")


@dataclass
class PrivacyConfig:
    """Safe data environment (§2.6): pseudonymisation and group aggregation."""

    pseudonymisation: bool = field(default=False, metadata={"doc": "at the source"})
    min_group_size: int = _num(15, 1, 1_000_000, "smallest reported group")
    identifiable_share: float = _num(0.7, 0.0, 1.0, "part of data risk from identification")


@dataclass
class PlatformConfig:
    """Publishing data for others to reuse (facilitator role, open use)."""

    facilitation: float = _num(0.0, 0.0, 1.0, "active support for reuse (0 = none)")
    reuse_ease: float = _num(0.3, 0.0, 1.0, "how easy published data is to reuse")
    cost: float = _num(20.0, 0.0, 1e6, "platform running cost, kEUR/round")
    support_cost: float = _num(60.0, 0.0, 1e6, "cost of full facilitation, kEUR/round")


@dataclass
class ValuationConfig:
    """Prices that put the public account in one unit (kEUR)."""

    harm_cost: float = _num(1.0, 0.0, 1e6, "kEUR per violation/unmet need")
    unit_cost: float = _num(0.5, 0.0, 1e6, "kEUR per own intervention unit")
    burden_cost: float = _num(0.2, 0.0, 1e6, "kEUR per check of an innocent actor")
    privacy_cost: float = _num(200.0, 0.0, 1e7, "kEUR per round at full exposure")
    displacement_cost: float = _num(0.3, 0.0, 1e6, "kEUR per displaced actor")
    innovation_value: float = _num(80.0, 0.0, 1e7, "kEUR per partner reusing data")
    self_reliance_value: float = _num(0.1, 0.0, 1e6, "kEUR per partner-delivered unit")
    coordination_cost: float = _num(4.0, 0.0, 1e6, "kEUR per party at an open table")
    analytics_cost: float = _num(30.0, 0.0, 1e6, "kEUR per round per analytics step")


@dataclass
class LegitimacyConfig:
    """Support: how the environment authorises (Moore)."""

    initial: float = _num(0.5, 0.0, 1.0, "legitimacy at round 0")
    rate: float = _num(0.1, 0.0, 1.0, "adjustment per round")
    voice: float = _num(0.3, 0.0, 1.0, "weight of being heard")
    transparency: float = _num(0.2, 0.0, 1.0, "weight of seeing results")
    results: float = _num(0.3, 0.0, 1.0, "weight of harm reduced")
    fairness: float = _num(0.2, 0.0, 1.0, "weight of fair treatment")
    # What legitimacy does: compliance, partners' and professionals' willingness. All 0 by
    # default (legitimacy a ledger entry, as in the first version); conf/feedback/acting.yaml
    # (feedback=acting) switches them on.
    norm: float = _num(0.0, 0.0, 1e6, "actors' moral cost of violating per unit of legitimacy above 0.5")
    grievance: float = _num(0.0, 0.0, 1e6, "moral cost lost per unit of grievance (support lost faster than expected)")
    adaptation: float = _num(0.2, 0.0, 1.0, "how fast actors' expected legitimacy follows the actual")
    tolerance: float = _num(0.1, 0.0, 1.0, "shortfall below the expected legitimacy that leaves no grievance")
    partner_weight: float = _num(0.0, 0.0, 1.0, "partners' willingness to share and work per unit legitimacy above 0.5")
    professional_weight: float = _num(0.0, 0.0, 1.0, "professionals' engagement target per unit legitimacy above 0.5")


@dataclass
class WeightsConfig:
    """Weights of the public account in public_value (kEUR per unit of component)."""

    cost: float = _num(-1.0, -1e6, 1e6, "weight of cost (negative: a cost)")
    benefit: float = _num(1.0, -1e6, 1e6, "weight of benefit")
    negative_side_effects: float = _num(-1.0, -1e6, 1e6, "weight of harms")
    positive_side_effects: float = _num(1.0, -1e6, 1e6, "weight of spill-overs")
    legitimacy: float = _num(500.0, -1e9, 1e9, "kEUR per unit of legitimacy")


@dataclass
class RoleConfig:
    """The government's role: repertoire, cost structure, dependence on partners."""

    name: str = _choice("regulator", ROLES)
    intervenes: bool = field(default=True, metadata={"doc": "spends capacity at all"})
    enforcement: float = _num(1.0, 0.0, 1.0, "share of units that inspect and sanction")
    unit_cost_factor: float = _num(1.0, 0.0, 100.0, "cost of a unit relative to own")
    partner_work: float = _num(0.0, 0.0, 1.0, "how far partners take on the work")
    own_share_min: float = _num(1.0, 0.0, 1.0, "least share of capacity government keeps")
    contracted: bool = field(default=False, metadata={"doc": "partners paid to deliver"})
    publishes: bool = field(default=False, metadata={"doc": "publishes data for reuse"})
    coordinates: bool = field(default=False, metadata={"doc": "directs partner capacity"})
    overhead: float = _num(0.0, 0.0, 1e6, "fixed role cost, kEUR/round")


@dataclass
class RegimeConfig:
    """Open, restricted or closed, per phase of the data process (§2.5, table 1)."""

    name: str = "custom"
    framing: str = _choice("closed", PHASE_SETTINGS)
    collection: str = _choice("closed", PHASE_SETTINGS)
    interpretation: str = _choice("closed", PHASE_SETTINGS)
    use: str = _choice("closed", PHASE_SETTINGS)


@dataclass
class AnalyticsConfig:
    """One of the five analytics levels (§2.4, figure 1)."""

    name: str = _choice("monitoring", ANALYTICS_LEVELS)
    lag: int = _num(1, 0, 100, "rounds between data and action")
    resolution: str = _choice("place", RESOLUTIONS)
    features_searched: int = _num(5, 1, 1000, "candidate features the analysis searches")
    smoothing: float = _num(0.0, 0.0, 0.99, "forecast smoothing of the allocation")
    profile_focus: float = _num(1.0, 1.0, 100.0, "inspection ratio profiled/not profiled")
    profile: str = _choice("trait", PROFILES, "individual targeting on the observable trait or a score threshold")
    privacy: float = _num(0.1, 0.0, 1.0, "privacy exposure of the processing")
    steps: float = _num(1.0, 0.0, 100.0, "analytics effort (x valuation.analytics_cost)")


@dataclass
class SamplingConfig:
    """A sampled experiment (sim/sampling.py): uncertain parameters drawn from a design.

    A sweep ranges over ``sample``; each index stands for one design point, which
    is the same on every run (fixed ``seed``). The drawn values replace the named
    keys when the config is resolved.
    """

    design: str = _choice(
        "none",
        DESIGNS,
        "none, lhs (Latin hypercube), sobol (Saltelli scheme: Sobol' indices) or morris (elementary effects)",
    )
    samples: int = _num(0, 0, 1_000_000, "lhs: points; sobol: base N (N x (D+2) points); morris: trajectories")
    sample: int = _num(0, 0, 100_000_000, "this cell's design point (0 .. points - 1)")
    seed: int = _num(0, 0, 2**32 - 1, "seed of the design")
    levels: int = _num(4, 2, 100, "grid levels of a morris design")
    parameters: dict[str, Any] = field(
        default_factory=dict, metadata={"doc": "dotted numeric key -> [low, high], e.g. population.sophistication"}
    )


@dataclass
class ArrangementConfig:
    """Which arrangement (public issue and its partners) this is."""

    name: str = "default"
    issue: str = ""
    source: str = ""


@dataclass
class ProblemConfig:
    """The problem's structure (essay §6.5, table 7, after Hoppe): who agrees on what.

    A preset of ``conf/problem/`` names the type and sets the partners' alignment and
    starting trust with it (``partners.*``); what stays here is what no other section
    holds: how strongly the partners left out of a closed interpretation contest it.
    """

    name: str = field(default="none", metadata={"doc": "problem type (conf/problem/), none: as the arrangement has it"})
    contestation: float = _num(
        1.0, 0.0, 10.0, "weight of each non-aligned partner's counter-analysis: contested = min(1, this x share)"
    )


@dataclass
class SimConfig:
    """Everything one run needs; see ``docs/ODD.md`` for each mechanism."""

    arrangement: ArrangementConfig = field(default_factory=ArrangementConfig)
    problem: ProblemConfig = field(default_factory=ProblemConfig)
    role: RoleConfig = field(default_factory=RoleConfig)
    regime: RegimeConfig = field(default_factory=RegimeConfig)
    analytics: AnalyticsConfig = field(default_factory=AnalyticsConfig)
    run: RunConfig = field(default_factory=RunConfig)
    world: WorldConfig = field(default_factory=WorldConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    government: GovernmentConfig = field(default_factory=GovernmentConfig)
    partners: PartnersConfig = field(default_factory=PartnersConfig)
    professionals: ProfessionalsConfig = field(default_factory=ProfessionalsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    valuation: ValuationConfig = field(default_factory=ValuationConfig)
    legitimacy: LegitimacyConfig = field(default_factory=LegitimacyConfig)
    weights: WeightsConfig = field(default_factory=WeightsConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    # Changes that take effect during the run (sim/schedule.py checks and resolves them).
    schedule: list[Any] = field(
        default_factory=list,
        metadata={"doc": "changes after a round: [{round: 25, set: {regime.use: open}}, {round: 20, shock: {...}}]"},
    )


def _describe(meta: Mapping[str, Any], ftype: Any) -> str:
    if "choices" in meta:
        return ", ".join(meta["choices"])
    if ftype in (str, "str"):
        return "a string"
    if ftype is dict or str(ftype).startswith("dict"):
        return "a mapping of keys"
    if ftype is list or str(ftype).startswith("list"):
        return "a list, e.g. [{round: 25, set: {regime.use: open}}] (README: Policies that change mid-run)"
    lo, hi = meta.get("lo"), meta.get("hi")
    integer = ftype in (int, "int")
    kind = "an integer" if integer else "a number"

    def shown(bound: float) -> str:  # an integer bound in full (run.seed's 2**63 - 1), not as 9.22337e+18
        return str(int(bound)) if integer else f"{bound:g}"

    if lo is not None and hi is not None:
        return f"{kind} in [{shown(lo)}, {shown(hi)}]"
    if lo is not None:
        return f"{kind} >= {shown(lo)}"
    return kind


def _coerce(key: str, value: Any, ftype: Any, meta: Mapping[str, Any], source: str) -> Any:
    """Check one leaf value against its declared type and range; return it normalised."""
    tname = ftype if isinstance(ftype, str) else getattr(ftype, "__name__", str(ftype))
    if tname == "bool":
        if isinstance(value, bool):
            return value
        raise ConfigError(key, value, "true or false", source)
    if tname in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, value, _describe(meta, tname), source)
        if tname == "int" and not float(value).is_integer():
            raise ConfigError(key, value, _describe(meta, tname), source)
        if not math.isfinite(float(value)):
            raise ConfigError(key, value, _describe(meta, tname), source)
        lo, hi = meta.get("lo"), meta.get("hi")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ConfigError(key, value, _describe(meta, tname), source)
        return int(value) if tname == "int" else float(value)
    if tname == "str":
        if not isinstance(value, str):
            raise ConfigError(key, value, _describe(meta, tname) or "a string", source)
        choices = meta.get("choices")
        if choices:
            value = PHASE_ALIASES.get(value, value) if choices is PHASE_SETTINGS else value
            if value not in choices:
                raise ConfigError(key, value, ", ".join(choices), source)
        return value
    return value


def from_mapping(data: Mapping[str, Any], source: str = "") -> SimConfig:
    """Build and validate a :class:`SimConfig` from a nested mapping.

    Unknown keys, wrong types and out-of-range values raise :class:`ConfigError`.
    Keys the mapping leaves out keep their defaults. ``hydra`` and ``experiment``
    entries (Hydra's bookkeeping) are ignored.

    Args:
        data: Nested mapping, e.g. ``OmegaConf.to_container(cfg, resolve=True)``.
        source: Where the values came from, for error messages.

    Returns:
        The validated configuration.
    """
    if not isinstance(data, Mapping):
        raise ConfigError("<config>", type(data).__name__, "a mapping of keys", source)
    return _build(SimConfig, data, "", source, ignore=("hydra", "experiment"))


def _build(cls: type, data: Mapping[str, Any], prefix: str, source: str, ignore=()) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if key in ignore:
            continue
        if key not in fields:
            allowed = ", ".join(fields)
            raise ConfigError(full, value, f"one of the keys {allowed}", source)
        f = fields[key]
        ftype = f.type
        sub = _dataclass_for(cls, key)
        if sub is not None:
            if not isinstance(value, Mapping):
                raise ConfigError(full, value, f"a mapping with keys of {key}", source)
            kwargs[key] = _build(sub, value, full + ".", source)
        else:
            kwargs[key] = _coerce(full, value, ftype, f.metadata, source)
    obj = cls(**kwargs)
    return obj


def _dataclass_for(cls: type, name: str) -> type | None:
    hints = {
        "arrangement": ArrangementConfig,
        "problem": ProblemConfig,
        "role": RoleConfig,
        "regime": RegimeConfig,
        "analytics": AnalyticsConfig,
        "run": RunConfig,
        "world": WorldConfig,
        "population": PopulationConfig,
        "government": GovernmentConfig,
        "partners": PartnersConfig,
        "professionals": ProfessionalsConfig,
        "privacy": PrivacyConfig,
        "platform": PlatformConfig,
        "valuation": ValuationConfig,
        "legitimacy": LegitimacyConfig,
        "weights": WeightsConfig,
        "sampling": SamplingConfig,
    }
    return hints.get(name) if cls is SimConfig else None


def validate(cfg: SimConfig, source: str = "") -> SimConfig:
    """Re-check a config object (e.g. one edited in a notebook) and cross-field rules.

    Args:
        cfg: Configuration to check.
        source: Where it came from, for error messages.

    Returns:
        A normalised copy (phase aliases such as ``public`` resolved).
    """
    checked = from_mapping(dataclasses.asdict(cfg), source)
    r = checked.regime
    phases = (r.framing, r.collection, r.interpretation, r.use)
    r.name = REGIME_PRESET_PHASES.get(phases, "custom")
    w = checked.world
    if w.proxies > 0 and w.proxies > w.drivers * 10:
        raise ConfigError("world.proxies", w.proxies, "at most 10 per driver", source)
    if checked.analytics.features_searched < w.proxies:
        raise ConfigError(
            "analytics.features_searched",
            checked.analytics.features_searched,
            f"at least world.proxies ({w.proxies})",
            source,
        )
    return checked


def to_dict(cfg: SimConfig) -> dict[str, Any]:
    """Plain nested dict of a config (for JSON and hashing)."""
    return dataclasses.asdict(cfg)
