"""Pictures of a running arrangement, shared by the dashboard and the lessons.

A :class:`Side` is one :class:`~sim.model.GovernanceModel` stepped round by round,
keeping the history the pictures need. A :class:`Session` holds one side, or two
sides composed from the same seed that differ in one choice (a :class:`Contrast`,
e.g. the targeting strategy known or unknown), stepped together. Both share
their world and random draws (common random numbers), so what differs between
them is caused by that one choice.

The drawing functions take sides and return matplotlib figures (object API, no
pyplot: safe in the dashboard's server threads). Colours are the Okabe-Ito
palette, which stays distinct under the common colour-vision deficiencies; lines
also differ in style so nothing rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.views.account import AccountPicture, account_legend, account_limits, account_parts, draw_account
from sim.views.belief import BELIEF_ROWS, BeliefPicture, belief_axes, belief_summary, draw_belief
from sim.views.catalogue import (
    ACCOUNT_PARTS,
    BLACK,
    BLUE,
    DEFAULT_NAMES,
    GREEN,
    GREY,
    INDICATORS,
    KIND_COLOUR,
    KINDS,
    METRICS,
    ORANGE,
    PURPLE,
    SIDE_COLOURS,
    SKY,
    VERMILLION,
    YELLOW,
    Metric,
)
from sim.views.indicators import IndicatorsPicture, indicator_layout, indicator_legend, metric_limits
from sim.views.live import DPI, WAITING, WIDTH, Live, figure_png, nice_ceiling, png_bytes, side_colour
from sim.views.maps import MapPicture, draw_map, grid_shape, harm_scale, map_axes, map_legend
from sim.views.session import CONTRASTS, Contrast, Session, Side, describe, feature_kind, load_config

__all__ = [
    "BLACK",
    "ORANGE",
    "SKY",
    "GREEN",
    "YELLOW",
    "BLUE",
    "VERMILLION",
    "PURPLE",
    "GREY",
    "SIDE_COLOURS",
    "Metric",
    "METRICS",
    "INDICATORS",
    "ACCOUNT_PARTS",
    "KINDS",
    "KIND_COLOUR",
    "DEFAULT_NAMES",
    "Contrast",
    "CONTRASTS",
    "load_config",
    "describe",
    "Side",
    "feature_kind",
    "Session",
    "WIDTH",
    "DPI",
    "WAITING",
    "png_bytes",
    "figure_png",
    "nice_ceiling",
    "Live",
    "side_colour",
    "indicator_layout",
    "metric_limits",
    "indicator_legend",
    "IndicatorsPicture",
    "account_parts",
    "account_limits",
    "draw_account",
    "account_legend",
    "AccountPicture",
    "grid_shape",
    "harm_scale",
    "map_axes",
    "draw_map",
    "map_legend",
    "MapPicture",
    "BELIEF_ROWS",
    "belief_summary",
    "belief_axes",
    "draw_belief",
    "BeliefPicture",
]

# ---------------------------------------------------------------- indicators


# ---------------------------------------------------------------- public account


# ---------------------------------------------------------------- map of places


# ---------------------------------------------------------------- belief


class Board:
    """The dashboard's four pictures of a session, redrawn cheaply every step."""

    def __init__(self, session: Session, metrics: Sequence[str] = INDICATORS) -> None:
        s, r, n = session.sides, session.rounds, session.names
        self.pictures: dict[str, Live] = {
            "indicators": IndicatorsPicture(s, r, metrics),
            "map": MapPicture(s, n),
            "account": AccountPicture(s, r),
            "belief": BeliefPicture(s, r, n),
        }

    def pngs(self) -> dict[str, bytes]:
        """PNG of every picture at the current round."""
        return {name: picture.png() for name, picture in self.pictures.items()}
