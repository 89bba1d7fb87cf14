"""What the pictures show, and in which colours.

Colours are the Okabe-Ito palette, which stays distinct under the common
colour-vision deficiencies; lines also differ in style so nothing rests on colour
alone. :data:`METRICS` says how each per-round indicator is drawn, :data:`INDICATORS`
which are always shown, :data:`ACCOUNT_PARTS` how the public account is stacked, and
:data:`KINDS` the kinds of feature the government may act on, with their colours and
default names.

The readable names of the swept choices (``director, open creation / closed use``) and
the range each result can take are in :mod:`sim.glossary`, shared with the report.
"""

from __future__ import annotations

from dataclasses import dataclass

# Okabe-Ito colours.
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)
GREY = "#8C8C8C"
# Heading colour of the left and right run of a comparison.
SIDE_COLOURS = (VERMILLION, BLUE)


@dataclass(frozen=True)
class Metric:
    """How one per-round indicator is shown.

    Attributes:
        label: Legend or panel label.
        unit: Axis label (with unit) when the metric has an axis of its own.
        scale: Factor applied before plotting (100 for percentages).
        share: Whether the value is a share in [0, 1] (drawn on the common share axis).
        colour: Line colour.
        style: Line style (so lines differ without colour too).
        zero: Whether its own axis starts at zero; a total that varies by a few per cent
            (harm) gets an axis around its values instead, with the numbers on it.
    """

    label: str
    unit: str
    scale: float = 1.0
    share: bool = True
    colour: str = "#000000"
    style: str = "-"
    zero: bool = True


METRICS: dict[str, Metric] = {
    "evasion_rate": Metric("evasion and gaming", "% of actors", 100.0, False, "#D55E00", "-"),
    "trust": Metric("partner trust", "[0, 1]", colour="#0072B2", style="-"),
    "data_shared": Metric("partner data shared", "share", colour="#009E73", style="-."),
    "legitimacy": Metric("legitimacy", "[0, 1]", colour="#CC79A7", style="--"),
    "misallocation": Metric("misallocation", "share of capacity", colour="#E69F00", style=":"),
    "cause_identified": Metric("acts on the true cause", "1 = yes", colour="#000000", style="-"),
    "top_share": Metric("capacity on busiest 10% of places", "share", colour="#56B4E9", style="-"),
    "record_accuracy": Metric("record accuracy", "corr(records, violations)", 1.0, False, "#000000", "-"),
    "harm": Metric("harm", "violations net of recovery", 1.0, False, "#D55E00", "-", zero=False),
    "displacement_rate": Metric("displacement", "% of actors moved", 100.0, False, "#E69F00", "-"),
    "reusers": Metric("partners reusing data", "partners per round", 1.0, False, "#009E73", "-"),
    "positive_side_effects": Metric("positive side effects", "kEUR per round", 1.0, False, "#56B4E9", "-"),
    "benefit": Metric("benefit", "kEUR per round", 1.0, False, "#009E73", "-"),
}
# Always shown (the list); lessons add the ones they watch.
INDICATORS = ("evasion_rate", "trust", "data_shared", "legitimacy")

# The public account as stacked contributions to public_value: (column, weight key, label, colour).
ACCOUNT_PARTS = (
    ("benefit", "benefit", "benefit", GREEN),
    ("positive_side_effects", "positive_side_effects", "positive side effects", SKY),
    ("legitimacy", "legitimacy", "support (legitimacy x weight)", PURPLE),
    ("cost", "cost", "cost", ORANGE),
    ("negative_side_effects", "negative_side_effects", "negative side effects", VERMILLION),
)

# What the government may act on, by kind of feature (see :func:`feature_kind`).
KINDS = ("cause", "proxy", "noise", "none")
KIND_COLOUR = {"cause": GREEN, "proxy": VERMILLION, "noise": PURPLE, "none": GREY}
DEFAULT_NAMES = {"cause": "true cause", "proxy": "confounded proxy", "noise": "unrelated feature", "none": "nothing"}
