"""The indicators over the rounds: evasion alone, the shares together, others on axes of their own."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.views.catalogue import INDICATORS, METRICS
from sim.views.live import DPI, WIDTH, Live, _block_title, _blocks, _x, _x_axis, nice_ceiling
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
    """Indicators over rounds; in a comparison one block per side on the same scales."""

    def __init__(self, sides: Sequence[Side], rounds: int, metrics: Sequence[str] = INDICATORS) -> None:
        super().__init__()
        self.sides, self.rounds = list(sides), rounds
        self.panels = indicator_layout(metrics)
        self.axes: dict[tuple[int, int], object] = {}

    def key(self) -> object:
        """Limits of the panels with their own scale."""
        return tuple(self.widen(p[0], metric_limits(self.sides, p[0])) for p in self.panels)

    def build(self) -> Figure:
        """Panels per side, with titles, units and the legend."""
        sides, n = self.sides, len(self.sides)
        order = [m for panel in self.panels for m in panel]
        ncol = len(order) if n > 1 else 2
        legend_rows = int(math.ceil(len(order) / ncol))
        height = 3.3 + 0.2 * legend_rows + (0.3 if n > 1 else 0.0)
        fig = Figure(figsize=(WIDTH * n, height), dpi=DPI)
        top = 1 - (0.62 if n > 1 else 0.3) / height
        bottom = (0.45 + 0.2 * legend_rows) / height
        gs = _blocks(fig, n, 0.75 / (WIDTH * n), 1 - 0.1 / (WIDTH * n), bottom, top, wspace=0.16)
        for j in range(n):
            sub = gs[j].subgridspec(1, len(self.panels), wspace=0.32)
            for k, panel in enumerate(self.panels):
                ax = fig.add_subplot(sub[k])
                self.axes[j, k] = ax
                _x_axis(ax, self.rounds)
                ax.set_ylim(*self._limits[panel[0]])
                if len(panel) == 1 and not METRICS[panel[0]].share:
                    ax.set_title(METRICS[panel[0]].label, fontsize=10.5)
                    ax.set_ylabel(METRICS[panel[0]].unit, fontsize=9)
                else:
                    ax.set_title("shares and states", fontsize=10.5)
                    ax.set_ylabel("[0, 1]", fontsize=9)
                    ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0])
                ax.tick_params(labelsize=9)
            _block_title(fig, sides, gs, j, 0.99)
        indicator_legend(fig, order, 0.0, ncol)
        return fig

    def dynamic(self) -> list:
        """A line per metric and side."""
        out = []
        for (j, k), ax in self.axes.items():
            side = self.sides[j]
            for name in self.panels[k]:
                m = METRICS[name]
                y = m.scale * side.series(name) if side.round else np.zeros(0)
                out += ax.plot(_x(side), y, color=m.colour, linestyle=m.style, linewidth=1.9)
        return out
