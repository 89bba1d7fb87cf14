"""A lesson's animation: a frame per round of both runs, and the map both pictures share.

:class:`FramePicture` draws one round of both runs (their maps of places and the
watched indicators); :func:`animate` steps the session and keeps a frame per round.
:func:`draw_tiles` is the map of the GIF and of the summary: the dashboard's map
(:func:`sim.views.draw_map`: outlines, diamonds, capacity circles) with the lesson's
tile layer (:data:`~sim.lessons.panels.TILE_LAYERS`) on its tiles, and
:func:`map_legend` its legend. Titles and colours come from
:func:`~sim.lessons.panels.panels`. The GIF shows replication 1 of the lesson's
replications (the dashboard's run); it says so.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize, PowerNorm
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim import views
from sim.lessons.lesson import Lesson
from sim.lessons.panels import TILE_LAYERS, TileLayer, panel, watched


def plain(markdown: str) -> str:
    """Markdown reduced to plain text for figures (emphasis, code and links removed)."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"[ \t]+", " ", text)


def wrap(markdown: str, width: int) -> str:
    """Plain text of a markdown section, wrapped; list items keep their own lines."""
    lines = []
    for para in re.split(r"\n\s*\n", plain(markdown)):
        items = re.split(r"\n(?=\s*[-*] )", para.strip())
        for item in items:
            bullet = item.lstrip().startswith(("- ", "* "))
            body = re.sub(r"\s+", " ", re.sub(r"^\s*[-*] ", "", item)).strip()
            lines.append(
                textwrap.fill(
                    body, width, initial_indent="- " if bullet else "", subsequent_indent="  " if bullet else ""
                )
            )
        lines.append("")
    return "\n".join(lines).strip()


# ------------------------------------------------------------- the shared map
def tile_scale(sides: Sequence[views.Side], layer: TileLayer) -> float:
    """Top of the tiles' shared colour scale (the darkest tile), in nice steps."""
    top = max((float(layer.values(s).max()) for s in sides if s.round), default=0.0)
    # the steps of sim.views.harm_scale: a scale twice too long would wash the tiles out
    return views.nice_ceiling(top, (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)) if top > 0 else 1.0


def draw_tiles(ax, side: views.Side, layer: TileLayer, top: float, units_max: float) -> list:
    """The map of places with the layer's values on its tiles (0 to ``top``); returns the artists."""
    out = views.draw_map(ax, side, top, units_max, title=False)
    image = next(a for a in out if isinstance(a, AxesImage))
    n = side.cfg.world.places
    rows, cols = views.grid_shape(n)
    grid = np.full(rows * cols, np.nan)
    grid[:n] = layer.values(side) if side.round else 0.0
    image.set_data(grid.reshape(rows, cols))
    image.set_cmap(colormaps[layer.ramp].with_extremes(bad="white"))
    image.set_norm(PowerNorm(layer.gamma, 0.0, top) if layer.gamma != 1.0 else Normalize(0.0, top))
    return out


def map_legend(fig: Figure, names: dict[str, str], layer: TileLayer, top: float | None, **where) -> None:
    """What outline, diamond, circle and tile colour mean (``where``: the legend's place and size)."""
    ramp = colormaps[layer.ramp]
    much = layer.much if top is None else f"darkest: {scale_text(layer, top, sep=chr(10))}"
    handles = [
        Patch(facecolor="none", edgecolor=views.BLACK, linewidth=2.0, label=f"{names['cause']} present"),
        Line2D([], [], linestyle="", marker="D", markersize=6, color=views.PURPLE, label=f"{names['proxy']} present"),
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=10,
            color=views.BLUE,
            alpha=0.75,
            label="capacity (area = units)",
        ),
        Patch(color=ramp(0.05), label=layer.little),
        Patch(color=ramp(0.95), label=much),
    ]
    fig.legend(handles=handles, frameon=False, **where)


def scale_text(layer: TileLayer, top: float, sep: str = " ") -> str:
    """The top of a tile scale in words: ``3,000 violations``, ``30% of actors (square-root scale)``."""
    unit = layer.unit if layer.unit.startswith("%") else f" {layer.unit}"
    note = "(square-root scale)" if layer.gamma == 0.5 else f"(scale ^ {layer.gamma:g})" if layer.gamma != 1 else ""
    return f"{top:,.0f}{unit}" + (sep + note if note else "")


def value_text(metric: str, value: float, short: bool = False) -> str:
    """An indicator's value as its pictures give it: ``43%`` of a share, ``2.3% of actors`` (short: ``2.3%``)."""
    m = views.METRICS[metric]
    if m.share:
        return f"{value:.0%}"
    if m.unit.startswith("%"):
        return f"{m.scale * value:.1f}" + ("%" if short else m.unit)
    return f"{m.scale * value:,.3g}" + ("" if short else f" {m.unit}")


def side_handles(sides: Sequence[views.Side]) -> list[Line2D]:
    """Legend entries of the two sides: colour and line style."""
    return [
        Line2D([], [], color=views.SIDE_COLOURS[j], linestyle=("-", "--")[j], linewidth=2.2, label=s.title)
        for j, s in enumerate(sides)
    ]


# ---------------------------------------------------------------- the animation
class FramePicture(views.Live):
    """One frame of the GIF (1280 x 720 px): both maps above, watched indicators below."""

    def __init__(self, lesson: Lesson, session: views.Session) -> None:
        super().__init__()
        self.lesson, self.session = lesson, session
        self.watch = watched(lesson)
        self.layer = TILE_LAYERS[lesson.tiles]
        self.maps: list = []
        self.panels: list = []

    def key(self) -> object:
        """The limits of the watched indicators."""
        sides = self.session.sides
        return tuple(self.widen(m, views.metric_limits(sides, m)) for m in self.watch)

    def build(self) -> Figure:
        """Subtitle, empty maps, indicator axes and legends."""
        sides = self.session.sides
        reps = sides[0].cfg.run.replications
        fig = Figure(figsize=(12.8, 7.2), dpi=100)
        fig.text(
            0.5,
            0.935,
            f"Same seed, same world; only this differs: {views.CONTRASTS[self.lesson.contrast].label}. "
            f"Replication {sides[0].replication + 1} of {reps}"
            + (f"; the summary shows all {reps}" if reps > 1 else ""),
            ha="center",
            va="top",
            fontsize=11,
            color=views.GREY,
        )
        maps = fig.add_gridspec(1, 2, left=0.01, right=0.99, top=0.78, bottom=0.42, wspace=0.04)
        self.maps = []
        for j, side in enumerate(sides):
            ax = fig.add_subplot(maps[j])
            views.map_axes(ax, side)
            fig.text(
                0.25 + 0.5 * j,
                0.885,
                side.title,
                ha="center",
                va="top",
                fontsize=12,
                fontweight="bold",
                color=views.SIDE_COLOURS[j],
            )
            self.maps.append(ax)
        map_legend(
            fig,
            self.session.names,
            self.layer,
            None,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.335),
            ncol=5,
            fontsize=9,
        )
        grid = fig.add_gridspec(1, len(self.watch), left=0.06, right=0.98, top=0.29, bottom=0.1, wspace=0.28)
        self.panels = []
        for k, metric in enumerate(self.watch):
            m = views.METRICS[metric]
            ax = fig.add_subplot(grid[k])
            views._x_axis(ax, self.session.rounds)
            ax.set_title(m.label, fontsize=11)
            ax.set_ylabel(m.unit, fontsize=9)
            ax.set_ylim(*self._limits[metric])
            self.panels.append(ax)
        fig.legend(
            handles=side_handles(sides),
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=2,
            fontsize=10,
            frameon=False,
        )
        return fig

    def dynamic(self) -> list:
        """The title with the round, both maps and the indicator lines."""
        session, sides, layer = self.session, self.session.sides, self.layer
        out = [
            self.fig.text(
                0.5,
                0.985,
                f"{self.lesson.title}: round {session.round} of {session.rounds}",
                ha="center",
                va="top",
                fontsize=17,
                fontweight="bold",
            )
        ]
        top = self.widen(f"{self.lesson.tiles} scale", (0.0, tile_scale(sides, layer)))[1]
        units_max = max(float(s.place_units().max()) for s in sides)
        title = f"{panel(self.lesson, 'map').title}: {layer.what}"
        for ax, side in zip(self.maps, sides, strict=True):
            out += draw_tiles(ax, side, layer, top, units_max)
            shown = (
                f"{views.METRICS[layer.metric].label} {value_text(layer.metric, side.records[-1][layer.metric])}"
                if side.round
                else "before round 1"
            )
            out.append(
                ax.text(
                    0.5,
                    1.02,
                    f"{title}\ndarkest: {scale_text(layer, top)}; {shown}",
                    transform=ax.transAxes,
                    ha="center",
                    va="bottom",
                    fontsize=10,
                )
            )
        for ax, metric in zip(self.panels, self.watch, strict=True):
            m = views.METRICS[metric]
            for j, side in enumerate(sides):
                out += ax.plot(
                    np.arange(1, side.round + 1),
                    m.scale * side.series(metric) if side.round else [],
                    color=views.SIDE_COLOURS[j],
                    linestyle=("-", "--")[j],
                    linewidth=2.2,
                )
        return out


def animate(lesson: Lesson, session: views.Session) -> list[np.ndarray]:
    """Step the session to its end, drawing a frame per round (RGB, 1280 x 720)."""
    picture = FramePicture(lesson, session)
    frames = []
    while not session.done:
        session.step()
        frames.append(picture.rgba()[..., :3].copy())
    return frames
