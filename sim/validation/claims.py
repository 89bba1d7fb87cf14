"""The essay's claims (concepts §11) as a table of paired experiments on the presets.

Each :class:`Claim` names its preset and a few :class:`Measure` entries; a measure
names the cells it needs (overrides of the preset, on top of :data:`CLAIM_BASE`),
the per-replication statistic it reads from their rounds frames, and the side of a
bound its 95% interval must lie on. The cells of one claim share ``run.seed``, so
they share their worlds and random draws (common random numbers) and the statistic
is a paired difference. Nothing here runs: :mod:`sim.validation.cases.essay_claims`
runs every distinct cell once (:func:`claim_cells`) and checks each claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.run import run_totals

# The reduced configuration every cell runs in, on top of its preset and overrides.
CLAIM_BASE = ("world.actors=20000", "run.rounds=40", "run.replications=30")
LATE = 30  # rounds from which a steady-state measure is read


@dataclass(frozen=True)
class Measure:
    """One paired measure of a claim.

    Attributes:
        label: What is measured, with its unit.
        cells: Overrides of each cell it needs (on top of CLAIM_BASE).
        value: Per-replication values from the cells' rounds frames.
        above: Passes if the 95% interval lies above this value.
        below: Passes if the 95% interval lies below this value.
    """

    label: str
    cells: tuple[tuple[str, ...], ...]
    value: Callable[..., np.ndarray]
    above: float | None = None
    below: float | None = None


@dataclass(frozen=True)
class Claim:
    """A stylized fact of the essay as a paired experiment.

    Attributes:
        number: The claim's number in concepts §11 (its case is ``C<number>``).
        short: A few words for the case's title.
        text: The claim as the essay states it.
        preset: The arrangement preset(s) it runs on.
        setup: The cells compared, in words.
        measures: The paired measures; the claim holds if every one does.
        gap: What the model would need if the claim is not reproduced.
    """

    number: int
    short: str
    text: str
    preset: str
    setup: str
    measures: tuple[Measure, ...]
    gap: str = ""  # what the model would need if the claim is not reproduced


def _total(col: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """Per-replication run total (sum of flows, mean of rates) of a column."""

    def f(df: pd.DataFrame) -> np.ndarray:
        return run_totals(df)[col].to_numpy()

    return f


def _diff(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """B - A of a run total."""
    tot = _total(col)
    return lambda a, b: tot(b) - tot(a)


def _late_diff(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """B - A of a column's mean over the late rounds (steady state)."""

    def late(df: pd.DataFrame) -> np.ndarray:
        return df[df["round"] > LATE].groupby("replication")[col].mean().to_numpy()

    return lambda a, b: late(b) - late(a)


def _first_identified(df: pd.DataFrame) -> np.ndarray:
    """Round in which the true cause is first identified (rounds + 1 if never)."""
    rounds = int(df["round"].max())
    hit = df[df["cause_identified"] > 0].groupby("replication")["round"].min()
    return hit.reindex(sorted(df["replication"].unique())).fillna(rounds + 1).to_numpy()


def _support_trend(df: pd.DataFrame) -> np.ndarray:
    """Legitimacy in the last 5 rounds minus the first 5."""
    rounds = int(df["round"].max())
    by = df.groupby("replication")
    first = by.apply(lambda g: g[g["round"] <= 5]["legitimacy"].mean(), include_groups=False)
    last = by.apply(lambda g: g[g["round"] > rounds - 5]["legitimacy"].mean(), include_groups=False)
    return (last - first).to_numpy()


def _lost_share(closed: pd.DataFrame, public: pd.DataFrame) -> np.ndarray:
    b = _total("benefit")
    return 1.0 - b(public) / b(closed)


ZW, GW, OV, WB, ODP = "zwartwerken", "gezonde_wijk", "overlast", "woninginbraken", "open_data_platform"
RESTRICTED_APPLICATION = ("regime=closed", "regime.interpretation=restricted", "regime.use=restricted")

CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "publishing the targeting",
        "Publishing the targeting analysis (open use) lowers the enforcement benefit, "
        "more so the more reflexive the actors.",
        ZW,
        "use closed vs public; reflexivity population.sophistication 0.5 (preset) vs 0.1",
        (
            Measure(
                "benefit, public - closed (kEUR/run)",
                ((f"arrangement={ZW}",), (f"arrangement={ZW}", "regime.use=open")),
                _diff("benefit"),
                below=0.0,
            ),
            Measure(
                "share of benefit lost by publishing, sophistication 0.5 - 0.1",
                (
                    (f"arrangement={ZW}",),
                    (f"arrangement={ZW}", "regime.use=open"),
                    (f"arrangement={ZW}", "population.sophistication=0.1"),
                    (f"arrangement={ZW}", "regime.use=open", "population.sophistication=0.1"),
                ),
                lambda c5, p5, c1, p1: _lost_share(c5, p5) - _lost_share(c1, p1),
                above=0.0,
            ),
        ),
    ),
    Claim(
        2,
        "co-creation with aligned partners",
        "Co-creation with aligned partners: open regimes give more public value at lower government cost; "
        "partners take over part of the work.",
        GW,
        "regime closed vs open",
        (
            Measure(
                "public value, open - closed (kEUR/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("public_value"),
                above=0.0,
            ),
            Measure(
                "cost, open - closed (kEUR/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("cost"),
                below=0.0,
            ),
            Measure(
                "partner units, open - closed (units/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("partner_units"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        3,
        "closed interpretation and confounding",
        "Closed interpretation on confounded data keeps capacity on the wrong places (the fish-shop effect); "
        "open interpretation with professionals' context knowledge finds the true cause sooner.",
        OV,
        "interpretation closed vs open",
        (
            Measure(
                f"misallocation after round {LATE}, open - closed (share)",
                (
                    (f"arrangement={OV}", "regime.interpretation=closed"),
                    (f"arrangement={OV}", "regime.interpretation=open"),
                ),
                _late_diff("misallocation"),
                below=0.0,
            ),
            Measure(
                "round the true cause is first identified, open - closed (never: 41)",
                (
                    (f"arrangement={OV}", "regime.interpretation=closed"),
                    (f"arrangement={OV}", "regime.interpretation=open"),
                ),
                lambda a, b: _first_identified(b) - _first_identified(a),
                below=0.0,
            ),
        ),
    ),
    Claim(
        4,
        "closed creation, open application in a circle",
        "Closed creation + open application within a restricted, like-minded circle keeps most of the "
        "enforcement benefit while improving interpretation and support.",
        ZW,
        "regime closed vs closed creation with interpretation and use restricted",
        (
            Measure(
                "benefit, restricted / closed (ratio; most: > 0.5)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                lambda a, b: _total("benefit")(b) / _total("benefit")(a),
                above=0.5,
            ),
            Measure(
                "misallocation, restricted - closed (share)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                _diff("misallocation"),
                below=0.0,
            ),
            Measure(
                "legitimacy, restricted - closed (mean per round)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                _diff("legitimacy"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        5,
        "partners' data sharing",
        "Partners withhold data when its use may cost them; a safe environment (pseudonymisation, clear rules) "
        "raises sharing.",
        ZW,
        "regime open; partners.data_cost 0.2 vs 0.6 (preset); pseudonymisation off vs on",
        (
            Measure(
                "data shared, data cost 0.6 - 0.2 (share)",
                ((f"arrangement={ZW}", "regime=open", "partners.data_cost=0.2"), (f"arrangement={ZW}", "regime=open")),
                _diff("data_shared"),
                below=0.0,
            ),
            Measure(
                "data shared, pseudonymised - not (share)",
                (
                    (f"arrangement={ZW}", "regime=open"),
                    (f"arrangement={ZW}", "regime=open", "privacy.pseudonymisation=true"),
                ),
                _diff("data_shared"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        6,
        "analytics levels",
        "Higher analytics levels raise benefits but also privacy costs and, where actions become predictable, evasion.",
        ZW,
        "analytics monitoring vs predictive (the preset: smoothed, stable, so predictable, allocation)",
        (
            Measure(
                "benefit, predictive - monitoring (kEUR/run)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("benefit"),
                above=0.0,
            ),
            Measure(
                "privacy exposure, predictive - monitoring (mean per round)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("privacy_exposure"),
                above=0.0,
            ),
            Measure(
                "evasion rate, predictive - monitoring (mean per round)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("evasion_rate"),
                above=0.0,
            ),
        ),
        gap=(
            "Privacy exposure rises with the level, but benefit and evasion do not. In the model the levels "
            "differ only in lag, smoothing, the number of features searched and the resolution: no level "
            "forecasts better where harm will be (the analysis at every level fits the same records), so a "
            "higher level cannot raise the benefit; and actors respond to the current allocation (published, "
            "or learned from last round's experience), not to how predictable it is, so a stable allocation "
            "does not make evasion easier. The model would need (1) a forecast skill per level: predictive and "
            "profiling analyses that see part of next round's violations (e.g. from partner data or "
            "individual histories) before allocating, and (2) actors who learn the allocation from its past "
            "(publication after the round, belief updating on a moving average), so that a smoothed allocation "
            "is one they can anticipate and evade."
        ),
    ),
    Claim(
        7,
        "support over time",
        "One-sided closed control erodes support over time; openness builds it unless it enables gaming that is "
        "seen as unfair.",
        f"{OV}, {WB}",
        "overlast: regime closed, open; woninginbraken (profiling) open, with vs without gaming (game_cost 1000)",
        (
            Measure(
                "legitimacy, last 5 - first 5 rounds, closed (overlast)",
                ((f"arrangement={OV}", "regime=closed"),),
                _support_trend,
                below=0.0,
            ),
            Measure(
                "legitimacy, last 5 - first 5 rounds, open (overlast)",
                ((f"arrangement={OV}", "regime=open"),),
                _support_trend,
                above=0.0,
            ),
            Measure(
                "legitimacy gain, with - without gaming (open woninginbraken)",
                (
                    (f"arrangement={WB}", "regime=open", "population.game_cost=1000"),
                    (f"arrangement={WB}", "regime=open"),
                ),
                lambda a, b: _support_trend(b) - _support_trend(a),
                below=0.0,
            ),
        ),
    ),
    Claim(
        8,
        "open data platform",
        "An open data platform without active facilitation sees little reuse.",
        ODP,
        "platform.facilitation 0 (preset) vs 1; 12 partners",
        (
            Measure(
                "share of partners reusing the data per round, no facilitation (little: < 0.25)",
                ((f"arrangement={ODP}",),),
                lambda a: a.groupby("replication")["reusers"].mean().to_numpy() / 12,
                below=0.25,
            ),
            Measure(
                "reusing partners per round, facilitation 1 - 0",
                ((f"arrangement={ODP}",), (f"arrangement={ODP}", "platform.facilitation=1")),
                _late_diff("reusers"),
                above=0.0,
            ),
        ),
    ),
)


def claim_cells() -> list[tuple[str, ...]]:
    """The distinct cells (overrides) the claims need, in order of first use; shared cells once."""
    cells: list[tuple[str, ...]] = []
    for claim in CLAIMS:
        for m in claim.measures:
            for c in m.cells:
                if c not in cells:
                    cells.append(c)
    return cells
