"""What the government acts on, round by round, against the true cause."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from sim.views.catalogue import GREEN, GREY, KIND_COLOUR
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
    side_colour,
)
from sim.views.session import Side

BELIEF_ROWS = ("none", "noise", "proxy", "cause")


def belief_summary(side: Side, names: dict[str, str]) -> str:
    """Two lines: what it acts on now, and how that overlaps with the true cause."""
    if not side.round:
        return ""
    kind = side.kind(side.believed[-1])
    cause = side.model.cause_present
    flagged = side.flagged()
    now = f"round {side.round}: acts on the {names[kind]}"
    if flagged is None:
        return now
    hit, missed, total = int((flagged & cause).sum()), int((~flagged & cause).sum()), int(cause.sum())
    return f"{now}\nflagged: {int(flagged.sum())} places, {hit} with the {names['cause']}; missed: {missed} of {total}"


def flag_summary(side: Side, names: dict[str, str]) -> str:
    """One line: the places flagged and how many of those with the true cause are missed."""
    flagged, cause = side.flagged(), side.model.cause_present
    if flagged is None:
        return f"acts on nothing; misses all {int(cause.sum())} places with the {names['cause']}"
    hit, missed = int((flagged & cause).sum()), int((~flagged & cause).sum())
    return f"flags {int(flagged.sum())} places, {hit} with the {names['cause']}; misses {missed} of {int(cause.sum())}"


def belief_axes(ax, rounds: int, names: dict[str, str]) -> None:
    """The static part: one row per kind of feature, the true cause's row shaded."""
    ys = {k: i for i, k in enumerate(BELIEF_ROWS)}
    ax.axhspan(ys["cause"] - 0.42, ys["cause"] + 0.42, color=GREEN, alpha=0.15, linewidth=0)
    _x_axis(ax, rounds, label=False)
    ax.set_ylim(-0.6, len(BELIEF_ROWS) - 0.4)
    ax.set_yticks(range(len(BELIEF_ROWS)), [names[k] for k in BELIEF_ROWS], fontsize=9)
    ax.get_yticklabels()[ys["cause"]].set_fontweight("bold")
    ax.set_title("what it acts on (squares) vs the true cause (shaded)", fontsize=10.5)


def draw_belief(ax, side: Side, names: dict[str, str]) -> list:
    """The dynamic part: the feature acted on per round, and the summary below."""
    if not side.round:
        return [_waiting(ax)]
    ys = {k: i for i, k in enumerate(BELIEF_ROWS)}
    kinds = [side.kind(b) for b in side.believed]
    x, y = _x(side), [ys[k] for k in kinds]
    out = ax.plot(x, y, color=GREY, linewidth=0.8, zorder=1)
    out.append(ax.scatter(x, y, c=[KIND_COLOUR[k] for k in kinds], s=24, zorder=2, marker="s"))
    out.append(
        ax.text(0.5, -0.14, belief_summary(side, names), transform=ax.transAxes, ha="center", va="top", fontsize=9)
    )
    return out


class BeliefPicture(Live):
    """The government's belief about the cause against the true cause; both sides on one timeline.

    Side by side, each side's squares sit in its colour just above (left run) or below
    (right run) the middle of the row of the kind of feature it acts on.
    """

    def __init__(self, sides: Sequence[Side], rounds: int, names: dict[str, str]) -> None:
        super().__init__()
        self.sides, self.rounds, self.names = list(sides), rounds, names
        self.ax = None

    def key(self) -> object:
        """Nothing: the static part never changes."""
        return None

    def build(self) -> Figure:
        """One timeline with a row per kind of feature, and room for the summary below."""
        n = len(self.sides)
        fig = Figure(figsize=BOARD_SIZE, dpi=BOARD_DPI)
        width = max(len(self.names[k]) for k in BELIEF_ROWS)  # room for the row labels
        left = 0.2 + 0.068 * width
        gs = _blocks(fig, 1, *_margins(fig, left, 0.1, 0.4 + 0.17 * (2 if n == 1 else n), 0.25))
        self.ax = fig.add_subplot(gs[0])
        belief_axes(self.ax, self.rounds, self.names)
        self.ax.set_title("what it acts on (squares) vs the true cause (shaded)", fontsize=10)
        self.ax.tick_params(axis="y", labelsize=SMALLEST_PT)
        return fig

    def dynamic(self) -> list:
        """What every side acted on, and its summary."""
        ax, n = self.ax, len(self.sides)
        if n == 1:
            return draw_belief(ax, self.sides[0], self.names)
        if not self.sides[0].round:
            return [_waiting(ax)]
        ys = {k: i for i, k in enumerate(BELIEF_ROWS)}
        out = []
        for j, side in enumerate(self.sides):
            colour, shift = side_colour(self.sides, j), 0.17 * (1 - 2 * j)
            y = [ys[side.kind(b)] + shift for b in side.believed]
            out += ax.plot(_x(side), y, color=colour, linewidth=0.8, alpha=0.6, zorder=1)
            out.append(ax.scatter(_x(side), y, color=colour, s=16, marker="s", zorder=2))
            out.append(
                self.fig.text(
                    0.5,
                    (0.05 + 0.2 * (n - 1 - j)) / BOARD_SIZE[1],
                    f"{side.title.split(' (')[0]}: {flag_summary(side, self.names)}",
                    ha="center",
                    va="bottom",
                    fontsize=SMALLEST_PT,
                    color=colour,
                )
            )
        return out
