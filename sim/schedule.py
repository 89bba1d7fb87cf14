"""A policy schedule: changes to the configuration that take effect during a run.

A scenario or the command line gives ``schedule``, a list of changes, each made
*after* a round (essay ch. 5: an arrangement steered over time)::

    schedule:
      - round: 25                 # after round 25: rounds 1-25 as without it
        set: {regime.use: open}   # any key that can change mid-run, or a group
      - round: 30
        set: {role: facilitator}  # a config group's preset (conf/role/facilitator.yaml)
      - round: 20
        shock: {legitimacy: -0.2} # a one-off change of the state: legitimacy, trust

``round: 0`` changes the settings before the first round. A change's keys are the
config's dotted keys; ``role``, ``regime`` and ``analytics`` with a name take that
group's preset, as on the command line. Only keys that the rounds read can change
mid-run: what is drawn or built at the start (the world, the population's traits,
the partners and professionals, the run's length and seeds) cannot, and saying so
is an error that names the key (:func:`resolve`). Validation builds every
configuration the run will pass through, so an impossible value fails before any
work, with the entry's index in the key (``schedule[0].set.regime.use``).

A change draws no random numbers and moves no stream (each phase's draws are keyed
by round, ``sim.model.streams``): two runs that differ only in a change after round
25 have identical rounds 1-25, and afterwards share every draw the change does not
alter (common random numbers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.config import ConfigError, SimConfig, from_mapping, to_dict, validate
from sim.paths import CONF_DIR
from sim.world import NOISE_FEATURES

# Config groups whose presets a change may name (``set: {role: facilitator}``).
GROUPS = ("role", "regime", "analytics")
# Sections drawn or fixed at the start of a run: none of their keys can change.
FIXED_SECTIONS = ("arrangement", "run", "world", "sampling")
# Keys of the other sections that are drawn or built at the start (sim.world's
# actors, sim.model.parties' partners and professionals, the records and the
# legitimacy a run starts from, the score arrays that profiling needs).
FIXED_KEYS = frozenset(
    {
        "population.gain_mean",
        "population.gain_spread",
        "population.compliant_share",
        "population.risk_mean",
        "population.risk_spread",
        "population.sophistication",
        "population.sophistication_spread",
        "population.prior_detection",
        "population.aligned_share",
        "population.trait_share",
        "population.trait_gain_ratio",
        "population.score_mean",
        "population.score_sd",
        "partners.count",
        "partners.alignment",
        "partners.alignment_spread",
        "partners.trust",
        "partners.data_cost",
        "partners.coverage",
        "partners.capacity",
        "professionals.count",
        "professionals.accuracy",
        "professionals.beat",
        "professionals.engagement",
        "government.prior_records",
        "government.prior_records_driver",
        "legitimacy.initial",
        "analytics.resolution",
        "analytics.profile",
        "problem.name",  # names the partners' alignment and trust, drawn at the start
    }
)
# What a shock may move, and by how much: the state variables in [0, 1].
SHOCKS = ("legitimacy", "trust")


@dataclass
class Change:
    """One resolved entry of the schedule.

    Attributes:
        index: Its position in ``schedule`` (for messages).
        after: The round after which it acts (0: before the first).
        cfg: The configuration in force from round ``after + 1`` on.
        keys: The dotted keys it sets, with their values (groups expanded).
        shock: Additions to the state (``legitimacy``, ``trust``), clipped to [0, 1].
    """

    index: int
    after: int
    cfg: SimConfig
    keys: dict[str, Any] = field(default_factory=dict)
    shock: dict[str, float] = field(default_factory=dict)


def _group_preset(group: str, name: Any, key: str) -> dict[str, Any]:
    """The keys of a config group's preset file, as dotted keys (``regime: open``)."""
    folder = CONF_DIR / group
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    if not isinstance(name, str) or name not in names:
        raise ConfigError(key, name, f"one of the {group} presets {', '.join(names)}")
    from omegaconf import OmegaConf  # only where a change names a preset

    data = OmegaConf.to_container(OmegaConf.load(folder / f"{name}.yaml"), resolve=True)
    return {f"{group}.{k}": v for k, v in data.items() if k != "defaults"}


def _flatten(data: Mapping[str, Any], prefix: str, key: str) -> dict[str, Any]:
    """``{regime: {use: open}}`` or ``{regime.use: open}`` -> ``{"regime.use": "open"}``."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if not isinstance(k, str):
            raise ConfigError(f"{key}.{k}", v, "a config key such as regime.use")
        full = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, full + ".", key))
        elif full in GROUPS:
            out.update(_group_preset(full, v, f"{key}.{full}"))
        else:
            out[full] = v
    return out


def _set(data: dict[str, Any], dotted: str, value: Any, key: str) -> None:
    """Set one dotted key in a nested config dict, refusing keys the schema lacks."""
    section, _, name = dotted.partition(".")
    sections = [f.name for f in dataclasses.fields(SimConfig) if f.name != "schedule"]
    if section not in sections or (name and name not in data.get(section, {})) or not name:
        where = data.get(section)
        allowed = (
            f"a key of {section}: {', '.join(where)}"
            if isinstance(where, dict) and section != "sampling"
            else f"a config key section.name, with section one of {', '.join(sections)}"
        )
        raise ConfigError(key, value, allowed)
    # A preset may repeat a fixed key's value (analytics presets all say resolution: place).
    if (section in FIXED_SECTIONS or dotted in FIXED_KEYS) and data[section][name] != value:
        raise ConfigError(
            key,
            value,
            "a key that can change mid-run: this one is drawn or built at the start "
            "(world, run, the population's traits, partners, professionals); set it for the whole run instead",
        )
    data[section][name] = value


def _entry(raw: Any, i: int, rounds: int) -> tuple[int, dict[str, Any], dict[str, float]]:
    """Check one schedule entry's form: its round, what it sets, its shock."""
    key = f"schedule[{i}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "a mapping {round: R, set: {key: value}} and/or {shock: {legitimacy: d}}")
    unknown = [k for k in raw if k not in ("round", "set", "shock")]
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}", raw[unknown[0]], "round, set or shock")
    after = raw.get("round")
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < rounds:
        raise ConfigError(
            f"{key}.round",
            after,
            f"an integer in [0, {rounds - 1}]: the round after which the change acts (run.rounds={rounds})",
        )
    sets = raw.get("set", {}) or {}
    shock = raw.get("shock", {}) or {}
    if not isinstance(sets, Mapping):
        raise ConfigError(f"{key}.set", sets, "a mapping of config keys to values, e.g. {regime.use: open}")
    if not isinstance(shock, Mapping):
        raise ConfigError(f"{key}.shock", shock, f"a mapping of {', '.join(SHOCKS)} to a change in [-1, 1]")
    if not sets and not shock:
        raise ConfigError(key, dict(raw), "an entry that sets a key or gives a shock")
    shocks: dict[str, float] = {}
    for name, d in shock.items():
        if name not in SHOCKS:
            raise ConfigError(f"{key}.shock.{name}", d, f"one of {', '.join(SHOCKS)}")
        if isinstance(d, bool) or not isinstance(d, int | float) or not -1.0 <= d <= 1.0:
            raise ConfigError(f"{key}.shock.{name}", d, "a number in [-1, 1] (added to the state, kept in [0, 1])")
        shocks[name] = float(d)
    return after, _flatten(sets, "", f"{key}.set"), shocks


def resolve(cfg: SimConfig, source: str = "") -> list[Change]:
    """Check ``cfg.schedule`` and build each configuration the run will pass through.

    Entries act in the order of their rounds (entries after the same round in the
    order given); each builds on the configuration before it.

    Args:
        cfg: A validated configuration.
        source: Where the values came from, for error messages.

    Returns:
        The changes, in the order they act.

    Raises:
        ConfigError: An entry's form, an unknown key, a key that cannot change
            mid-run, a round outside the run or a value the schema refuses; the key
            names the entry (``schedule[1].set.regime.use``).
    """
    if not isinstance(cfg.schedule, list | tuple):
        raise ConfigError("schedule", cfg.schedule, "a list of changes [{round: R, set: {key: value}}]", source)
    try:
        entries = [(*_entry(raw, i, cfg.run.rounds), i) for i, raw in enumerate(cfg.schedule)]
    except ConfigError as exc:
        raise ConfigError(exc.key, exc.value, exc.allowed, source) from None
    changes: list[Change] = []
    current = cfg
    for after, sets, shocks, i in sorted(entries, key=lambda e: (e[0], e[3])):
        data = to_dict(current)
        for dotted, value in sets.items():
            try:
                _set(data, dotted, value, f"schedule[{i}].set.{dotted}")
            except ConfigError as exc:
                raise ConfigError(exc.key, exc.value, exc.allowed, source) from None
        try:
            new = validate(from_mapping(data, source), source)
        except ConfigError as exc:
            raise ConfigError(f"schedule[{i}].set.{exc.key}", exc.value, exc.allowed, source) from None
        # The world's features are drawn at the start: a search can grow only into them.
        available = max(NOISE_FEATURES, cfg.analytics.features_searched)
        if new.analytics.features_searched > available:
            raise ConfigError(
                f"schedule[{i}].set.analytics.features_searched",
                new.analytics.features_searched,
                f"at most {available} mid-run (the features this run's world has); set it for the whole run instead",
                source,
            )
        resolved = {k: getattr(getattr(new, k.split(".")[0]), k.split(".")[1]) for k in sets}  # aliases resolved
        changes.append(Change(i, after, new, resolved, shocks))
        current = new
    return changes


def change_now(
    cfg: SimConfig, after: int, sets: Mapping[str, Any] | None = None, shock: Mapping[str, float] | None = None
) -> Change:
    """One change made now, after round ``after``, on the configuration in force (the dashboard's switch).

    Checked as a schedule entry is (:func:`resolve`): the same keys, presets and
    shocks, the same errors. A change of the run's schedule that acts later starts
    again from that schedule's own configuration, without this one.
    """
    entry: dict[str, Any] = {"round": after}
    if sets:
        entry["set"] = dict(sets)
    if shock:
        entry["shock"] = dict(shock)
    return resolve(dataclasses.replace(cfg, schedule=[entry]))[0]


def check(cfg: SimConfig, source: str = "") -> SimConfig:
    """Validate the schedule of ``cfg`` (see :func:`resolve`); return ``cfg`` unchanged."""
    resolve(cfg, source)
    return cfg


def rounds_of(cfg: SimConfig) -> list[int]:
    """The rounds after which a change acts (for markers on time series), sorted, without repeats."""
    return sorted({int(e["round"]) for e in cfg.schedule if isinstance(e, Mapping) and "round" in e})
