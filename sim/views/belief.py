"""What the government acts on, round by round, against the true cause."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from sim.views.catalogue import GREEN, GREY, KIND_COLOUR
from sim.views.live import DPI, WIDTH, Live, _block_title, _blocks, _waiting, _x, _x_axis
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


def belief_axes(ax, rounds: int, names: dict[str, str]) -> None:
    """The static part: one row per kind of feature, the true cause's row shaded."""
    ys = {k: i for i, k in enumerate(BELIEF_ROWS)}
    ax.axhspan(ys["cause"] - 0.42, ys["cause"] + 0.42, color=GREEN, alpha=0.15, linewidth=0)
    _x_axis(ax, rounds, label=False)
    ax.set_ylim(-0.6, len(BELIEF_ROWS) - 0.4)
    ax.set_yticks(range(len(BELIEF_ROWS)), [names[k] for k in BELIEF_ROWS], fontsize=9.5)
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
        ax.text(0.5, -0.1, belief_summary(side, names), transform=ax.transAxes, ha="center", va="top", fontsize=9.5)
    )
    return out


class BeliefPicture(Live):
    """The government's belief about the cause against the true cause, per side."""

    def __init__(self, sides: Sequence[Side], rounds: int, names: dict[str, str]) -> None:
        super().__init__()
        self.sides, self.rounds, self.names = list(sides), rounds, names
        self.axes: list = []

    def key(self) -> object:
        """Nothing: the static part never changes."""
        return None

    def build(self) -> Figure:
        """One timeline per side with a row per kind of feature."""
        n = len(self.sides)
        height = 3.1 + (0.3 if n > 1 else 0.0)
        fig = Figure(figsize=(WIDTH * n, height), dpi=DPI)
        top = 1 - (0.62 if n > 1 else 0.3) / height
        width = max(len(self.names[k]) for k in BELIEF_ROWS)  # room for the row labels
        left = min(0.35, 0.03 + 0.0115 * width) / n
        gs = _blocks(fig, n, left, 1 - 0.02 / n, 0.75 / height, top, wspace=0.1 + 0.012 * width)
        self.axes = []
        for j in range(n):
            ax = fig.add_subplot(gs[j])
            belief_axes(ax, self.rounds, self.names)
            self.axes.append(ax)
            _block_title(fig, self.sides, gs, j, 0.99)
        return fig

    def dynamic(self) -> list:
        """What every side acted on, and its summary."""
        return [a for ax, side in zip(self.axes, self.sides, strict=True) for a in draw_belief(ax, side, self.names)]
