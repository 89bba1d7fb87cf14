"""The public account per round: the five components stacked (gains up, costs down) and their sum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.views.catalogue import ACCOUNT_PARTS, BLACK
from sim.views.live import (
    BOARD_DPI,
    BOARD_SIZE,
    SMALLEST_PT,
    Live,
    _blocks,
    _margins,
    _waiting,
    _x,
    _x_axis,
    nice_ceiling,
    side_colour,
)
from sim.views.session import Side


def account_parts(side: Side) -> list[tuple[str, str, np.ndarray]]:
    """Weighted contributions of the five components to public_value, per round.

    Returns:
        ``(label, colour, values)`` per component; the values sum to ``public_value``.
    """
    w = side.cfg.weights
    return [(label, colour, getattr(w, key) * side.series(col)) for col, key, label, colour in ACCOUNT_PARTS]


def account_limits(sides: Sequence[Side]) -> tuple[float, float]:
    """A y-range (kEUR per round, nice steps) that holds every side's stacked account."""
    lo, hi = 0.0, 0.0
    for side in sides:
        if side.round:
            parts = np.array([v for _, _, v in account_parts(side)])
            hi = max(hi, float(np.clip(parts, 0, None).sum(axis=0).max()))
            lo = min(lo, float(np.clip(parts, None, 0).sum(axis=0).min()))
    return -nice_ceiling(-1.05 * lo) if lo < 0 else -1.0, nice_ceiling(1.05 * hi) if hi > 0 else 1.0


def draw_account(ax, side: Side) -> list:
    """The dynamic part: stacked contributions (gains up, costs down) and the public_value line."""
    if not side.round:
        return [_waiting(ax)]
    x = _x(side)
    up = np.zeros(side.round)
    down = np.zeros(side.round)
    out = []
    for _, colour, values in account_parts(side):
        pos, neg = np.clip(values, 0, None), np.clip(values, None, 0)
        if pos.any():
            out.append(ax.fill_between(x, up, up + pos, step="mid", color=colour, alpha=0.85, linewidth=0))
            up = up + pos
        if neg.any():
            out.append(ax.fill_between(x, down, down + neg, step="mid", color=colour, alpha=0.85, linewidth=0))
            down = down + neg
    out += ax.plot(x, side.series("public_value"), color=BLACK, linewidth=1.8, marker="o", markersize=2.5)
    for after in side.marks():  # a scheduled change or a trainer's switch acted here
        out.append(ax.axvline(after + 0.5, color=BLACK, linestyle=":", linewidth=1.6))
    return out


def account_legend(fig: Figure, y: float, ncol: int = 6) -> None:
    """Legend of the account: the five components and the public_value line."""
    handles = [Patch(color=c, alpha=0.85, label=lab) for _, _, lab, c in ACCOUNT_PARTS]
    handles.append(Line2D([], [], color=BLACK, linewidth=1.8, marker="o", markersize=3, label="public value (sum)"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, y), ncol=ncol, fontsize=9, frameon=False)


class AccountPicture(Live):
    """The public account per round, stacked; one panel per side on one scale."""

    def __init__(self, sides: Sequence[Side], rounds: int) -> None:
        super().__init__()
        self.sides, self.rounds = list(sides), rounds
        self.axes: list = []

    def key(self) -> object:
        """The shared y-range."""
        return self.widen("account", account_limits(self.sides))

    def build(self) -> Figure:
        """One panel per side on the shared scale, and the legend."""
        n = len(self.sides)
        fig = Figure(figsize=BOARD_SIZE, dpi=BOARD_DPI)
        gs = _blocks(fig, n, *_margins(fig, 0.8, 0.08, 0.95, 0.25), wspace=0.08)
        ylim = self._limits["account"]
        self.axes = []
        for j in range(n):
            ax = fig.add_subplot(gs[j])
            _x_axis(ax, self.rounds)
            ax.axhline(0.0, color=BLACK, linewidth=0.8)
            ax.set_ylim(*ylim)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.yaxis.set_major_formatter("{x:,.0f}")
            if j == 0:
                ax.set_ylabel("kEUR per round", fontsize=SMALLEST_PT, labelpad=1)
            else:
                ax.tick_params(labelleft=False)
            if n == 1:
                ax.set_title("public account per round (sums to public value)", fontsize=10)
            else:
                ax.set_title(
                    self.sides[j].title.split(" (")[0], fontsize=10, fontweight="bold", color=side_colour(self.sides, j)
                )
            ax.tick_params(axis="y", labelsize=SMALLEST_PT)
            self.axes.append(ax)
        handles = [Patch(color=c, alpha=0.85, label=lab) for _, _, lab, c in ACCOUNT_PARTS]
        handles.append(Line2D([], [], color=BLACK, linewidth=1.8, marker="o", markersize=3, label="public value (sum)"))
        fig.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=3,
            fontsize=SMALLEST_PT,
            frameon=False,
            columnspacing=1.0,
            handlelength=1.5,
        )
        return fig

    def dynamic(self) -> list:
        """The stacked account of every side."""
        return [a for ax, side in zip(self.axes, self.sides, strict=True) for a in draw_account(ax, side)]
