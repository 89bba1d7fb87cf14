"""The indicators over the rounds: evasion alone, the shares together, others on axes of their own."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.views.catalogue import GREY, INDICATORS, METRICS
from sim.views.live import (
    BOARD_DPI,
    BOARD_SIZE,
    SMALLEST_PT,
    Live,
    _margins,
    _x,
    _x_axis,
    nice_ceiling,
    side_colour,
)
from sim.views.session import Side


def indicator_layout(metrics: Sequence[str]) -> list[list[str]]:
    """Which metrics share an axis: evasion alone, the shares together, others alone."""
    shares = [m for m in metrics if METRICS[m].share]
    own = [m for m in metrics if not METRICS[m].share]
    ordered = [m for m in own if m == "evasion_rate"] + [m for m in own if m != "evasion_rate"]
    panels = [[m] for m in ordered[:1]]
    if shares:
        panels.append(shares)
    panels.extend([m] for m in ordered[1:])
    return panels


def metric_limits(sides: Sequence[Side], metric: str) -> tuple[float, float]:
    """Shared y-range of a metric on its own axis, in nice steps (so the sides compare by eye)."""
    m = METRICS[metric]
    if m.share:
        return -0.03 * m.scale, 1.03 * m.scale
    if metric == "record_accuracy":
        return -1.05, 1.05
    values = [m.scale * s.series(metric) for s in sides if s.round]
    top = max((float(v.max()) for v in values), default=0.0)
    bottom = min((float(v.min()) for v in values), default=0.0)
    if not m.zero and values and top > 0:
        step = nice_ceiling(max(top - bottom, 0.02 * top) / 4)
        return step * (math.floor(bottom / step) - 1), step * (math.ceil(top / step) + 1)
    floor = 2.0 if metric in ("evasion_rate", "displacement_rate") else 1.0  # a flat line looks flat
    hi = max(nice_ceiling(1.1 * top), floor)
    lo = 0.0 if bottom >= 0 else -nice_ceiling(-1.1 * bottom)
    return lo, hi


def indicator_legend(fig: Figure, metrics: Sequence[str], y: float, ncol: int) -> None:
    """Legend of the indicator lines (colour and line style per metric)."""
    handles = [
        Line2D([], [], color=METRICS[m].colour, linestyle=METRICS[m].style, linewidth=1.9, label=METRICS[m].label)
        for m in metrics
    ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, y), ncol=ncol, fontsize=9, frameon=False)


class IndicatorsPicture(Live):
    """Indicators over rounds, a panel per group; in a comparison both sides on the same axes.

    One run draws each metric in its own colour. Side by side, colour is the side and
    line style the metric, so the sides compare on one axis without a second block.
    """

    def __init__(self, sides: Sequence[Side], rounds: int, metrics: Sequence[str] = INDICATORS) -> None:
        super().__init__()
        self.sides, self.rounds = list(sides), rounds
        self.panels = indicator_layout(metrics)
        self.axes: list = []

    def key(self) -> object:
        """Limits of the panels with their own scale."""
        return tuple(self.widen(p[0], metric_limits(self.sides, p[0])) for p in self.panels)

    def _colour(self, j: int, metric: str) -> str:
        return METRICS[metric].colour if len(self.sides) == 1 else side_colour(self.sides, j)

    def build(self) -> Figure:
        """A panel per group of metrics, with titles, units and the legend."""
        if len(self.sides) == 1:
            shown = [(m, METRICS[m].colour) for panel in self.panels for m in panel]
            handles = []
        else:  # colour is the side; a shared panel's metrics are told apart by line style
            shown = [(m, GREY) for panel in self.panels if len(panel) > 1 for m in panel]
            handles = [
                Line2D([], [], color=side_colour(self.sides, j), linewidth=4, label=s.title.split(" (")[0])
                for j, s in enumerate(self.sides)
            ]
        handles += [
            Line2D([], [], color=c, linestyle=METRICS[m].style, linewidth=1.9, label=METRICS[m].label) for m, c in shown
        ]
        ncol = min(len(handles), 3)
        legend_rows = int(math.ceil(len(handles) / ncol))
        fig = Figure(figsize=BOARD_SIZE, dpi=BOARD_DPI)
        left, right, bottom, top = _margins(fig, 0.62, 0.08, 0.42 + 0.19 * legend_rows, 0.25)
        grid = fig.add_gridspec(1, len(self.panels), left=left, right=right, bottom=bottom, top=top, wspace=0.36)
        self.axes = []
        for k, panel in enumerate(self.panels):
            ax = fig.add_subplot(grid[k])
            self.axes.append(ax)
            _x_axis(ax, self.rounds)
            ax.set_ylim(*self._limits[panel[0]])
            if len(panel) == 1 and not METRICS[panel[0]].share:
                ax.set_title(METRICS[panel[0]].label, fontsize=10)
                ax.set_ylabel(METRICS[panel[0]].unit, fontsize=SMALLEST_PT, labelpad=1)
            else:
                ax.set_title("shares and states", fontsize=10)
                ax.set_ylabel("[0, 1]", fontsize=SMALLEST_PT, labelpad=1)
                ax.set_yticks([0.0, 0.5, 1.0])
            if len(panel) == 1:
                ax.locator_params(axis="y", nbins=4)
        fig.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=ncol,
            fontsize=SMALLEST_PT,
            frameon=False,
            handlelength=2.4,
            columnspacing=1.2,
        )
        return fig

    def dynamic(self) -> list:
        """A line per metric and side, and a dotted line in the side's colour where a change acted."""
        out = []
        for k, ax in enumerate(self.axes):
            for j, side in enumerate(self.sides):
                for after in side.marks():
                    colour = side_colour(self.sides, j) if len(self.sides) > 1 else GREY
                    out.append(ax.axvline(after + 0.5, color=colour, linestyle=":", linewidth=1.6))
                for name in self.panels[k]:
                    m = METRICS[name]
                    y = m.scale * side.series(name) if side.round else np.zeros(0)
                    out += ax.plot(_x(side), y, color=self._colour(j, name), linestyle=m.style, linewidth=1.9)
        return out
