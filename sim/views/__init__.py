"""Pictures of a running arrangement, shared by the dashboard and the lessons.

The runs they draw are :class:`Side` and :class:`Session` (:mod:`~sim.views.session`:
one model stepped round by round, or two that differ in one choice, a :class:`Contrast`,
and share their world and draws).

The drawing functions take sides and return matplotlib figures (object API, no
pyplot: safe in the dashboard's server threads). Colours are the Okabe-Ito
palette, which stays distinct under the common colour-vision deficiencies; lines
also differ in style so nothing rests on colour alone.

Where each thing lives (every name is importable from ``sim.views`` itself):

- ``session.py``: :class:`Side`, :class:`Session`, the :data:`CONTRASTS` a session
  can run side by side, and composing their configs (:func:`load_config`).
- ``catalogue.py``: what is shown and in which colour: the palette, the
  :data:`METRICS` and the always-shown :data:`INDICATORS`, the parts of the public
  account, the kinds of feature.
- ``live.py``: :class:`Live`, the base of every picture (static part drawn once,
  data blitted on top), PNG encoding and the layout helpers the pictures share.
- ``indicators.py``, ``account.py``, ``maps.py``, ``belief.py``: one picture each
  (indicators over the rounds, the public account, the map of places, what the
  government acts on), with the drawing functions the lessons reuse.
- ``board.py``: :class:`Board`, the dashboard's four pictures of a session.

Imports run one way, each module importing only those listed before it: ``catalogue``,
``session``, ``live``, the four pictures, ``board``.
"""

from __future__ import annotations

from sim.views.account import AccountPicture, account_legend, account_limits, account_parts, draw_account
from sim.views.belief import BELIEF_ROWS, BeliefPicture, belief_axes, belief_summary, draw_belief, flag_summary
from sim.views.board import Board
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
from sim.views.live import (
    BOARD_DPI,
    BOARD_SIZE,
    DPI,
    SMALLEST_PT,
    WAITING,
    WIDTH,
    Live,
    figure_png,
    nice_ceiling,
    png_bytes,
    side_colour,
)
from sim.views.live import _x_axis as _x_axis  # lessons.py draws its own panels on the shared rounds axis
from sim.views.maps import MapPicture, draw_map, grid_shape, harm_scale, map_axes, map_legend, map_title
from sim.views.session import CONTRASTS, Contrast, Session, Side, describe, feature_kind, load_config

__all__ = [
    # session
    "CONTRASTS",
    "Contrast",
    "Session",
    "Side",
    "describe",
    "feature_kind",
    "load_config",
    # catalogue
    "ACCOUNT_PARTS",
    "BLACK",
    "BLUE",
    "DEFAULT_NAMES",
    "GREEN",
    "GREY",
    "INDICATORS",
    "KINDS",
    "KIND_COLOUR",
    "METRICS",
    "ORANGE",
    "PURPLE",
    "SIDE_COLOURS",
    "SKY",
    "VERMILLION",
    "YELLOW",
    "Metric",
    # live
    "BOARD_DPI",
    "BOARD_SIZE",
    "DPI",
    "SMALLEST_PT",
    "WAITING",
    "WIDTH",
    "Live",
    "figure_png",
    "nice_ceiling",
    "png_bytes",
    "side_colour",
    # indicators
    "IndicatorsPicture",
    "indicator_layout",
    "indicator_legend",
    "metric_limits",
    # account
    "AccountPicture",
    "account_legend",
    "account_limits",
    "account_parts",
    "draw_account",
    # maps
    "MapPicture",
    "draw_map",
    "grid_shape",
    "harm_scale",
    "map_axes",
    "map_legend",
    "map_title",
    # belief
    "BELIEF_ROWS",
    "BeliefPicture",
    "belief_axes",
    "belief_summary",
    "draw_belief",
    "flag_summary",
    # board
    "Board",
]
