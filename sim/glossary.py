"""What users read: the name of every choice and value, and the range every result can take.

Two catalogues, for everything that shows a run to people (the report, the dashboard,
the lessons), so that a choice has one name and a result one range everywhere:

- :func:`option_name` and :func:`value_name`: the names a strategist reads
  (``director, open creation / closed use``) for the swept choices a sweep's summary
  holds (``role=director, regime=open_creation_closed_use``). Every role, regime preset,
  phase setting and analytics level has one; any other key reads ``key = value``.
- :data:`BOUNDS`: the range each result column can take, from its definition in
  :mod:`sim.model.outcomes` (shares and rates in [0, 1], totals of non-negative
  quantities at least 0, public value unbounded). An interval of a mean must stay
  within it; ``tests/test_report_stats.py`` checks that a real sweep's results do.

It imports only :mod:`sim.config`, so reading it costs nothing (the views package
loads the model; the report does not need to).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.config import PHASES

ROLE_NAMES = {
    "none": "no role",
    "producer": "producer",
    "commissioner": "commissioner",
    "regulator": "regulator",
    "co_producer": "co-producer",
    "facilitator": "facilitator",
    "director": "director",
}
REGIME_NAMES = {
    "open": "open",
    "closed": "closed",
    "open_creation_closed_use": "open creation / closed use",
    "closed_creation_open_use": "closed creation / open use",
    "custom": "mixed regime",
}
ANALYTICS_NAMES = {
    "monitoring": "monitoring",
    "realtime": "real-time monitoring",
    "predictive": "predictive analysis",
    "profiling": "profiling",
    "discovery": "data discovery",
}
# The choices whose values have names of their own (the rest are numbers, read with their key).
CHOICE_KEYS = ("arrangement", "role", "regime", "analytics", *PHASES)
# Keys that sweeps and sampled experiments vary, by the name the essay gives them.
KEY_NAMES = {
    "arrangement": "arrangement",
    "role": "role",
    "regime": "regime",
    "analytics": "analytics",
    **{p: p for p in PHASES},
    "population.sophistication": "actor sophistication",
    "weights.legitimacy": "weight of legitimacy",
    "partners.alignment": "partner alignment",
    "partners.data_cost": "partner data cost",
    "professionals.accuracy": "professional accuracy",
    "world.proxy_given_driver": "proxy tracks cause",
    "world.actors": "actors",
    "run.rounds": "rounds",
    "schedule": "schedule",
}


def key_name(key: str) -> str:
    """The readable name of a swept key (``population.sophistication`` -> ``actor sophistication``)."""
    return KEY_NAMES.get(key, key)


def _number(value: Any) -> str:
    """A swept number as typed (``0.4``, ``500``), not as stored (``0.4000000001``, ``500.0``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return f"{value:.0f}"
    return f"{value:.6g}"


def value_name(key: str, value: Any) -> str:
    """The readable name of one value of one swept key, standing alone (a legend entry, a tick).

    Roles, regimes and analytics levels read as their names (``co-producer``, ``open
    creation / closed use``, ``real-time monitoring``), a phase with its setting
    (``closed use``), an arrangement as its name; a known numeric key as ``actor
    sophistication 0.4`` and any other key as ``key = value``.
    """
    text = str(value)
    if key == "role":
        return ROLE_NAMES.get(text, text.replace("_", "-"))
    if key == "regime":
        return REGIME_NAMES.get(text, text.replace("_", " "))
    if key == "analytics":
        return ANALYTICS_NAMES.get(text, text)
    if key in PHASES:
        return f"{text} {key}"
    if key == "arrangement":
        return text.rpartition("/")[2].replace("_", " ")
    if key == "schedule":
        return schedule_name(value)
    if key in KEY_NAMES:
        return f"{KEY_NAMES[key]} {_number(value)}"
    return f"{key} = {_number(value)}"


def schedule_name(value: Any) -> str:
    """A schedule as a strategist reads it: ``after round 25: use open`` (``no change`` for none).

    A sweep's summary holds the override as typed (``[{round:25,set:{regime.use:public}}]``);
    it is read as YAML once a space follows each colon. A value that does not read
    is shown as typed.
    """
    if value is None or (isinstance(value, str) and value.strip() in ("", "[]")) or value == []:
        return "no change"
    entries = value
    if isinstance(value, str):
        import yaml  # only for a swept schedule (PyYAML comes with OmegaConf)

        try:
            entries = yaml.safe_load(value.replace(":", ": "))
        except yaml.YAMLError:
            return f"schedule {value}"
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        return f"schedule {value}"
    parts = []
    for e in entries:
        what = [
            value_name(k.rpartition(".")[2] if k.startswith("regime.") else k, v)
            for k, v in (e.get("set") or {}).items()
        ]
        what += [
            f"{k} {_number(d):s}" if str(d).startswith("-") else f"{k} +{_number(d)}"
            for k, d in (e.get("shock") or {}).items()
        ]
        parts.append(f"after round {e.get('round')}: {', '.join(what)}")
    return "; ".join(parts)


def option_name(choices: Mapping[str, Any]) -> str:
    """The readable name of an option from its swept values, in their order.

    ``{"role": "director", "regime": "open_creation_closed_use"}`` reads ``director,
    open creation / closed use``; no swept values read ``all cells``.
    """
    return ", ".join(value_name(k, v) for k, v in choices.items()) or "all cells"


# ---- the range of each result column (a run total: sum over rounds for flows, else mean)
SHARE = (0.0, 1.0)
NON_NEGATIVE = (0.0, math.inf)
UNBOUNDED = (-math.inf, math.inf)
BOUNDS: dict[str, tuple[float, float]] = {
    # the public account (kEUR): cost and side effects are sums of non-negative terms
    # (config valuations are >= 0); public value weighs them with signs. Benefit is harm
    # prevented against what would happen without government action: with
    # feedback=acting a government that loses its legitimacy can do worse than that
    # (docs/ODD.md 7.13), so benefit has no lower bound.
    "cost": NON_NEGATIVE,
    "benefit": UNBOUNDED,
    "negative_side_effects": NON_NEGATIVE,
    "positive_side_effects": NON_NEGATIVE,
    "legitimacy": SHARE,
    "public_value": UNBOUNDED,
    # counts per run (harm: violations net of at most all of the caught ones)
    "harm": NON_NEGATIVE,
    "potential_harm": NON_NEGATIVE,
    "violations": NON_NEGATIVE,
    "caught": NON_NEGATIVE,
    "innocents_checked": NON_NEGATIVE,
    "government_units": NON_NEGATIVE,
    "partner_units": NON_NEGATIVE,
    "reusers": NON_NEGATIVE,
    "false_discoveries": NON_NEGATIVE,
    "gaming_burden": NON_NEGATIVE,
    # shares, rates and states in [0, 1] (means over rounds)
    "evasion_rate": SHARE,
    "data_shared": SHARE,
    "misallocation": SHARE,
    "privacy_exposure": SHARE,
    "trust": SHARE,
    "displacement_rate": SHARE,
    "engagement": SHARE,
    "contested": SHARE,
    "mean_belief": SHARE,
    "mean_detection": SHARE,
    "cause_considered": SHARE,
    "cause_identified": SHARE,
    "misclassified": SHARE,
    "top_share": SHARE,
    # the coalition and the decision rounds (docs/ODD.md 7.13)
    "coalition_size": NON_NEGATIVE,
    "partners_left": NON_NEGATIVE,
    "partners_returned": NON_NEGATIVE,
    "agreement": SHARE,
    "grievance": SHARE,
    # a correlation, and the score model's own scale
    "record_accuracy": (-1.0, 1.0),
    "score_threshold": UNBOUNDED,
    "score_estimate": UNBOUNDED,
}


def bounds(column: str) -> tuple[float, float]:
    """The range a result column can take (unbounded for a column not in :data:`BOUNDS`)."""
    return BOUNDS.get(column, UNBOUNDED)
