"""What every picture is made of: a static part drawn once, and the data drawn on top.

Every picture is split into a static part (axes, ticks, labels, legends: most of
matplotlib's drawing cost) and a dynamic part (the data). The dashboard draws the
static part once and, per step, only the data on top of it (blitting): a step costs
tens of milliseconds instead of hundreds. Static parts depend on a few values
(axis limits, rounded up to "nice" numbers so they rarely change); when one
changes, the picture is rebuilt. Saved figures (lessons) draw both parts.

:class:`Live` is the base of every picture; the helpers below it lay out the blocks
(one per side), the rounds axis and the headings that all pictures share. The
pictures use the object API of matplotlib, no pyplot: safe in the dashboard's server
threads.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from sim.views.catalogue import BLACK, GREY, SIDE_COLOURS
from sim.views.session import Side

WIDTH = 6.4  # inches per side of a lesson's frames
DPI = 100
# The dashboard's pictures: each fills one cell of a 2 x 2 grid that fits the screen
# (sim/app.py), both sides of a comparison in the one picture. Sizes are in inches of
# 100 px on a 1280 x 720 screen with the sidebar open (a cell is then ~470 px wide), so
# type of SMALLEST_PT points shows at >= 10 px there, larger with the sidebar folded or
# on a 1920 x 1080 screen. They are rendered at BOARD_DPI, sharp on the larger screen.
BOARD_SIZE = (5.8, 2.6)
SMALLEST_PT = 9.0
BOARD_DPI = 130
WAITING = "press Step or \u25b6 to run round 1"


def png_bytes(rgba: np.ndarray) -> bytes:
    """Encode an RGBA pixel buffer as PNG (fast zlib level: it is re-encoded every step)."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgba)[..., :3]).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """Render a whole figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def nice_ceiling(x: float, steps: Sequence[float] = (1.0, 2.0, 5.0)) -> float:
    """The smallest of ``steps`` times a power of ten that is at least ``x`` (> 0)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    base = 10.0 ** math.floor(math.log10(x))
    for m in (*steps, 10.0):
        if m * base >= x * (1 - 1e-12):
            return m * base
    return 10.0 * base


class Live:
    """A picture drawn as a static part plus a dynamic part (see the note above).

    Subclasses define :meth:`key` (what the static part depends on), :meth:`build`
    (make the figure and its static artists) and :meth:`dynamic` (add the data
    artists; return them).
    """

    def __init__(self) -> None:
        self.fig: Figure | None = None
        self._key: object = None
        self._canvas = None
        self._background = None
        self._artists: list = []
        self._limits: dict[str, tuple[float, float]] = {}

    def widen(self, name: str, limits: tuple[float, float]) -> tuple[float, float]:
        """Axis limits that only ever grow (a shrinking axis would rebuild the picture twice)."""
        lo, hi = limits
        if name in self._limits:
            lo, hi = min(lo, self._limits[name][0]), max(hi, self._limits[name][1])
        self._limits[name] = (lo, hi)
        return lo, hi

    def key(self) -> object:
        """Values the static part depends on (computed before every :meth:`build`)."""
        return None

    def build(self) -> Figure:
        """Make the figure with its static artists."""
        raise NotImplementedError

    def dynamic(self) -> list:
        """Add the data artists to :attr:`fig`; return them."""
        raise NotImplementedError

    def figure(self) -> Figure:
        """The whole picture as a figure (static and dynamic parts), e.g. to save."""
        self.key()
        self.fig = self.build()
        self.dynamic()
        return self.fig

    def png(self) -> bytes:
        """The current picture as PNG; redraws only the data when the static part is unchanged."""
        return png_bytes(self.rgba())

    def rgba(self) -> np.ndarray:
        """The current picture as an RGBA pixel array (a view: copy it to keep it)."""
        key = self.key()
        if self.fig is None or key != self._key:
            self.fig = self.build()
            self._canvas = FigureCanvasAgg(self.fig)
            self._canvas.draw()
            self._background = self._canvas.copy_from_bbox(self.fig.bbox)
            self._key, self._artists = key, []
        else:
            self._canvas.restore_region(self._background)
        for artist in self._artists:
            artist.remove()
        self._artists = self.dynamic()
        renderer = self._canvas.get_renderer()
        for artist in self._artists:
            artist.set_animated(True)  # never part of a later full draw
            artist.draw(renderer)
        return np.asarray(self._canvas.buffer_rgba())


def side_colour(sides: Sequence[Side], j: int) -> str:
    """Heading colour of side ``j`` (black for a single run)."""
    return BLACK if len(sides) == 1 else SIDE_COLOURS[j % len(SIDE_COLOURS)]


def _waiting(ax, text: str = WAITING):
    return ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY, fontsize=11)


def _round_ticks(rounds: int) -> list[int]:
    step = max(1, int(math.ceil(rounds / 5 / 5.0)) * 5) if rounds > 10 else max(1, rounds // 5)
    return [1, *range(step, rounds + 1, step)] if step > 1 else list(range(1, rounds + 1))


def _x_axis(ax, rounds: int, label: bool = True) -> None:
    ax.set_xlim(0.5, rounds + 0.5)
    ax.set_xticks(_round_ticks(rounds))
    ax.tick_params(labelsize=9)
    if label:
        ax.set_xlabel("round", fontsize=9, labelpad=1)
    ax.grid(True, color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def _margins(fig: Figure, left: float, right: float, bottom: float, top: float) -> tuple[float, float, float, float]:
    """Margins in inches as figure fractions (left, right, bottom, top edges of the plotting area)."""
    w, h = fig.get_size_inches()
    return left / w, 1 - right / w, bottom / h, 1 - top / h


def _blocks(fig: Figure, n: int, left: float, right: float, bottom: float, top: float, wspace: float = 0.3):
    """One gridspec cell per side (a block), with room between blocks."""
    return fig.add_gridspec(1, n, left=left, right=right, bottom=bottom, top=top, wspace=wspace)


def _block_title(fig: Figure, sides: Sequence[Side], gs, j: int, y: float) -> None:
    if len(sides) > 1:
        pos = gs[j].get_position(fig)
        fig.text(
            (pos.x0 + pos.x1) / 2,
            y,
            sides[j].title,
            ha="center",
            va="top",
            fontsize=12.5,
            fontweight="bold",
            color=side_colour(sides, j),
        )


def _x(side: Side) -> np.ndarray:
    return np.arange(1, side.round + 1)
