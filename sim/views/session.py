"""Runs stepped round by round for the pictures: :class:`Side` and :class:`Session`.

A :class:`Side` is one :class:`~sim.model.GovernanceModel` stepped round by round,
keeping the history the pictures need. A :class:`Session` holds one side, or two
sides composed from the same seed that differ in one choice (a :class:`Contrast`,
e.g. the targeting strategy known or unknown), stepped together. Both share
their world and random draws (common random numbers), so what differs between
them is caused by that one choice.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.config import SimConfig
from sim.hydra_conf import load
from sim.kernels import population as kp
from sim.model import GovernanceModel
from sim.views.catalogue import DEFAULT_NAMES


@dataclass(frozen=True)
class Contrast:
    """Two variants of one choice, run side by side from the same seed.

    Attributes:
        label: What the dashboard's select shows.
        left: (title, overrides) of the left run.
        right: (title, overrides) of the right run.
        note: One sentence on what to look for.
    """

    label: str
    left: tuple[str, tuple[str, ...]]
    right: tuple[str, tuple[str, ...]]
    note: str = ""


CONTRASTS: dict[str, Contrast] = {
    "known_vs_unknown": Contrast(
        "strategy known vs unknown",
        ("Strategy known (use: public)", ("regime.use=open",)),
        ("Strategy unknown (use: closed)", ("regime.use=closed",)),
        "Actors who can see the targeting learn it and evade; watch evasion rise on the left, at the targeted places"
        " (triangles on the map).",
    ),
    "leak": Contrast(
        "the targeting leaks after round 25 vs it stays closed",
        ("Leaks after round 25", ("schedule=[{round:25,set:{regime.use:open}}]",)),
        ("Stays closed", ("schedule=[]",)),
        "The same run for 25 rounds; then the left's targeting becomes known (a schedule): watch evasion rise there.",
    ),
    "interpretation": Contrast(
        "interpretation: open vs closed",
        ("Open interpretation", ("regime.interpretation=open",)),
        ("Closed interpretation", ("regime.interpretation=closed",)),
        "Professionals' context knowledge corrects a confounded correlation only where they are heard.",
    ),
    "collection": Contrast(
        "collection: open vs closed",
        ("Open collection", ("regime.collection=open",)),
        ("Closed collection", ("regime.collection=closed",)),
        "Closed collection records only what the government's own inspections find.",
    ),
    "safe_environment": Contrast(
        "safe data environment vs none",
        ("Safe data environment (pseudonymised)", ("privacy.pseudonymisation=true",)),
        ("No safe data environment", ("privacy.pseudonymisation=false",)),
        "Partners share data whose use may cost them only when identification is ruled out.",
    ),
    "facilitation": Contrast(
        "facilitation: active vs none",
        ("Active facilitation", ("platform.facilitation=1.0",)),
        ("No facilitation", ("platform.facilitation=0.0",)),
        "Published data is turned into value only when reuse is supported.",
    ),
}


# Hydra's global state is not thread-safe; the dashboard composes from server threads.
_LOAD_LOCK = threading.Lock()


def load_config(overrides: Sequence[str]) -> SimConfig:
    """Compose and validate a config (:func:`sim.hydra_conf.load`), one thread at a time."""
    with _LOAD_LOCK:
        return load(list(overrides))


def describe(cfg: SimConfig) -> str:
    """A one-line description of the resolved choices of a run."""
    r = cfg.regime
    return (
        f"{cfg.arrangement.name}: {cfg.role.name}, {cfg.analytics.name}; framing {r.framing}, "
        f"collection {r.collection}, interpretation {r.interpretation}, use {r.use}"
    )


@dataclass
class Side:
    """One run, stepped round by round, with what the pictures need.

    Attributes:
        title: Heading of this run in the pictures.
        cfg: Its validated configuration.
        replication: Which replication of ``cfg`` (0 in the dashboard).
        model: The model.
        records: One dict per round: the ``rounds.parquet`` columns plus ``top_share``.
        believed: Index of the feature the government acted on, per round (-1: none).
    """

    title: str
    cfg: SimConfig
    replication: int = 0
    model: GovernanceModel = field(init=False)
    records: list[dict[str, float]] = field(default_factory=list)
    believed: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.model = GovernanceModel(self.cfg, self.replication)

    @property
    def round(self) -> int:
        """Rounds run so far."""
        return len(self.records)

    def step(self) -> None:
        """Run one round and keep its record."""
        self.model.step()
        rec = dict(self.model.record)
        units = self.model.last_units
        k = max(1, int(math.ceil(0.1 * units.size)))
        total = float(units.sum())
        rec["top_share"] = float(np.sort(units)[-k:].sum() / total) if total > 0 else 0.0
        self.records.append(rec)
        self.believed.append(int(self.model.believed_cause))

    def marks(self) -> list[int]:
        """Rounds after which a change acted so far: the run's schedule, and changes made now."""
        scheduled = [r for r in self.model.changes if 0 < r < self.round]
        return sorted({*scheduled, *self.model.applied})

    def series(self, column: str) -> np.ndarray:
        """The values of one record column over the rounds run so far."""
        return np.array([r[column] for r in self.records], dtype=np.float64)

    def place_harm(self) -> np.ndarray:
        """True harm per place in the last round: violations net of recovered ones."""
        t = self.model.tally_prev
        rec = self.cfg.government.recovery
        return np.maximum(t[:, kp.T_VIOLATIONS] - rec * t[:, kp.T_CAUGHT], 0.0).astype(np.float64)

    def place_evading(self) -> np.ndarray:
        """Actors per place in the last round who concealed a violation or gamed their observed trait."""
        t = self.model.tally_prev
        return (t[:, kp.T_EVADING] + t[:, kp.T_GAMED]).astype(np.float64)

    def place_units(self) -> np.ndarray:
        """Intervention units per place in the last round (government and partners)."""
        return np.asarray(self.model.last_units, dtype=np.float64)

    def kind(self, feature: int) -> str:
        """Kind of a feature index: ``cause``, ``proxy``, ``noise`` or ``none``."""
        return feature_kind(self.model, feature)

    def flagged(self) -> np.ndarray | None:
        """Places where the feature the government acts on is present (None: acts on none)."""
        b = self.model.believed_cause
        return None if b < 0 else self.model.features[:, b] > 0.5

    def total(self, column: str) -> float:
        """Sum of a flow column over the rounds run so far."""
        return float(sum(r[column] for r in self.records))


def feature_kind(model: GovernanceModel, feature: int) -> str:
    """Whether a feature index is a true driver, a confounded proxy or noise."""
    if feature < 0:
        return "none"
    if feature in set(model.driver_cols.tolist()):
        return "cause"
    if feature in set(model.proxy_cols.tolist()):
        return "proxy"
    return "noise"


class Session:
    """One run, or two runs of a contrast from the same seed, stepped together.

    Args:
        overrides: Hydra overrides shared by every side.
        contrast: A key of :data:`CONTRASTS`, or None for a single run.
        names: Names of the feature kinds for this arrangement (e.g. ``{"proxy": "fish shop"}``).

    Raises:
        ConfigError: The overrides do not make a valid configuration.
    """

    def __init__(
        self, overrides: Sequence[str], contrast: str | None = None, names: dict[str, str] | None = None
    ) -> None:
        self.overrides = list(overrides)
        self.contrast = CONTRASTS[contrast] if contrast else None
        self.names = {**DEFAULT_NAMES, **(names or {})}
        if self.contrast is None:
            cfg = load_config(self.overrides)
            self.sides = [Side(describe(cfg), cfg)]
        else:
            self.sides = [
                Side(title, load_config(self.overrides + list(extra)))
                for title, extra in (self.contrast.left, self.contrast.right)
            ]
        self.rounds = min(s.cfg.run.rounds for s in self.sides)

    @property
    def round(self) -> int:
        """Rounds run so far (the same on every side)."""
        return self.sides[0].round

    @property
    def done(self) -> bool:
        """Whether every configured round has run."""
        return self.round >= self.rounds

    def apply(self, sets: dict | None = None, shock: dict | None = None, side: int | None = None) -> None:
        """A change now, before the next round, on one side (an index) or on every side (None).

        Raises:
            ConfigError: The change is not allowed, or the run is over.
        """
        if self.done:
            from sim.config import ConfigError

            raise ConfigError("change", sets or shock, "a change before the run's last round")
        for j, s in enumerate(self.sides):
            if side is None or j == side:
                s.model.apply_now(sets, shock)

    def step(self) -> None:
        """Run one round on every side (nothing once done)."""
        if not self.done:
            for side in self.sides:
                side.step()
