"""The map of places: true harm per place (tile colour) against the capacity sent there (circle area)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.views.catalogue import BLACK, BLUE, PURPLE
from sim.views.live import BOARD_DPI, BOARD_SIZE, SMALLEST_PT, Live, _blocks, _margins, nice_ceiling, side_colour
from sim.views.session import Side


def grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns of the map of ``n`` places (about twice as wide as tall)."""
    cols = max(1, int(math.ceil(math.sqrt(2.0 * n))))
    return int(math.ceil(n / cols)), cols


def _harm_cmap():
    return colormaps["YlOrBr"].with_extremes(bad="white")


def harm_scale(sides: Sequence[Side]) -> float:
    """Top of the shared colour scale of true harm per place (nice steps)."""
    top = max((float(s.place_harm().max()) for s in sides if s.round), default=0.0)
    # finer steps than the axes: a scale twice too long would wash the tiles out
    return nice_ceiling(top, (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)) if top > 0 else 1.0


def map_axes(ax, side: Side) -> None:
    """The static part of a map: an empty grid of places."""
    rows, cols = grid_shape(side.cfg.world.places)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.55, cols - 0.45)
    ax.set_ylim(rows - 0.45, -0.55)
    ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(False)


def _count(n: float, what: str) -> str:
    return f"{n:,.0f} {what}" if round(n) != 1 else f"1 {what.rstrip('s')}"


def map_title(side: Side, harm_max: float) -> str:
    """What a map shows this round: the harm scale and misallocation (or that nothing ran yet)."""
    if not side.round:
        return "before round 1: no violations yet"
    return f"darkest tile {_count(harm_max, 'violations')}; misallocation {side.records[-1]['misallocation']:.0%}"


def draw_map(
    ax, side: Side, harm_max: float, units_max: float, title: bool = True, evading_max: float | None = None
) -> list:
    """The dynamic part of a map: true harm (tile colour) against capacity (circle area).

    A thick outline marks a place where a true cause is present; a diamond marks a
    place with the confounded proxy. Circles on tiles without an outline are
    capacity spent where the cause is absent (misallocation). With ``evading_max``
    (the largest count on any side's map), a triangle marks where actors conceal
    their violations or game their observed trait, its area the number of them.

    Returns:
        The artists added.
    """
    n = side.cfg.world.places
    rows, cols = grid_shape(n)
    grid = np.full(rows * cols, np.nan)
    grid[:n] = side.place_harm() if side.round else 0.0
    out = [
        ax.imshow(
            grid.reshape(rows, cols),
            cmap=_harm_cmap(),
            vmin=0.0,
            vmax=harm_max,
            aspect="equal",
            interpolation="nearest",
        )
    ]
    ys, xs = np.divmod(np.arange(n), cols)
    cause = side.model.cause_present
    proxies = side.model.world.proxies
    proxy = proxies.any(axis=1) if proxies.size else np.zeros(n, dtype=bool)
    boxes = [Rectangle((xs[i] - 0.44, ys[i] - 0.44), 0.88, 0.88) for i in np.flatnonzero(cause)]
    out.append(ax.add_collection(PatchCollection(boxes, facecolor="none", edgecolor=BLACK, linewidth=2.2)))
    units = side.place_units()
    box = ax.get_position()
    w_in, h_in = ax.get_figure().get_size_inches()
    tile_pt = 72.0 * min(box.width * w_in / (cols + 0.1), box.height * h_in / (rows + 0.1))
    if units_max > 0 and units.sum() > 0:
        # The largest circle fills 85% of a tile, whatever the size of the axes.
        area = (np.pi / 4) * (0.85 * tile_pt) ** 2 * units / units_max  # marker area (points^2) ~ units
        keep = area > 0.3
        out.append(
            ax.scatter(xs[keep], ys[keep], s=area[keep], color=BLUE, alpha=0.75, edgecolors="white", linewidths=0.7)
        )
    evading = side.place_evading()
    if evading_max and side.round and evading.sum() > 0:
        area = (0.5 * tile_pt) ** 2 * evading / evading_max
        keep = area > 1.0
        out.append(
            ax.scatter(
                xs[keep] + 0.22,
                ys[keep] + 0.2,
                s=area[keep],
                marker="v",
                color="white",
                edgecolors=BLACK,
                linewidths=1.0,
                zorder=3,
            )
        )
    # diamonds last: a capacity circle must not hide them
    if proxy.any():
        out.append(
            ax.scatter(
                xs[proxy] - 0.27, ys[proxy] - 0.27, marker="D", s=20, color=PURPLE, edgecolors="white", linewidths=0.5
            )
        )
    if title:
        out.append(
            ax.text(
                0.5,
                1.02,
                f"true harm vs capacity ({map_title(side, harm_max)})",
                transform=ax.transAxes,
                ha="center",
                va="bottom",
                fontsize=10.5,
            )
        )
    return out


def map_legend(
    fig: Figure,
    names: dict[str, str],
    harm_max: float | None,
    y: float,
    x: float = 0.5,
    ncol: int = 5,
    fontsize: float = 9,
    evading: bool = False,
    **options,
) -> None:
    """The map's legend: what outline, diamond, circle, tile colour (and triangle) mean."""
    cmap = _harm_cmap()
    handles = [
        Patch(facecolor="none", edgecolor=BLACK, linewidth=2.0, label=f"{names['cause']} present"),
        Line2D([], [], linestyle="", marker="D", markersize=6, color=PURPLE, label=f"{names['proxy']} present"),
        Line2D(
            [], [], linestyle="", marker="o", markersize=10, color=BLUE, alpha=0.75, label="capacity (area = units)"
        ),
        *(
            [
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker="v",
                    markersize=9,
                    color="white",
                    markeredgecolor=BLACK,
                    label="evading (area = actors)",
                )
            ]
            if evading
            else []
        ),
        Patch(color=cmap(0.05), label="little harm"),
        Patch(color=cmap(0.95), label="much harm" if harm_max is None else f"harm: {harm_max:,.0f} violations"),
    ]
    options = {"loc": "lower center", "frameon": False, **options}  # e.g. tighter columns
    fig.legend(handles=handles, bbox_to_anchor=(x, y), ncol=ncol, fontsize=fontsize, **options)


class MapPicture(Live):
    """The map of places per side, on shared colour, circle and triangle scales."""

    def __init__(self, sides: Sequence[Side], names: dict[str, str]) -> None:
        super().__init__()
        self.sides, self.names = list(sides), names
        self.axes: list = []

    def key(self) -> object:
        """Nothing: the harm scale is drawn with the data (a new scale must not cost a rebuild)."""
        return None

    def build(self) -> Figure:
        """An empty grid of places per side, and the legend (beside one map, under two)."""
        n = len(self.sides)
        fig = Figure(figsize=BOARD_SIZE, dpi=BOARD_DPI)
        if n == 1:
            gs = _blocks(fig, 1, *_margins(fig, 0.05, 2.35, 0.05, 0.3), wspace=0.05)
            map_legend(
                fig,
                self.names,
                None,
                0.5,
                x=1 - 1.2 / BOARD_SIZE[0],
                ncol=1,
                fontsize=SMALLEST_PT,
                evading=True,
                loc="center",
            )
        else:
            gs = _blocks(fig, n, *_margins(fig, 0.05, 0.05, 0.72, 0.42), wspace=0.06)
            map_legend(
                fig,
                self.names,
                None,
                0.16 / BOARD_SIZE[1],
                ncol=3,
                fontsize=SMALLEST_PT,
                evading=True,
                columnspacing=0.8,
                handlelength=1.3,
            )
        self.axes = []
        for j, side in enumerate(self.sides):
            ax = fig.add_subplot(gs[j])
            map_axes(ax, side)
            self.axes.append(ax)
        return fig

    def dynamic(self) -> list:
        """Harm, causes, proxies, capacity and evasion of every side, each under its heading."""
        harm_max = self.widen("harm scale", (0.0, harm_scale(self.sides)))[1]
        units_max = max(float(s.place_units().max()) for s in self.sides)
        evading = max((float(s.place_evading().max()) for s in self.sides if s.round), default=0.0)
        evading_max = self.widen("evading", (0.0, evading))[1]  # one triangle scale for the whole run
        out = []
        for j, (ax, side) in enumerate(zip(self.axes, self.sides, strict=True)):
            out += draw_map(ax, side, harm_max, units_max, title=False, evading_max=evading_max)
            text = map_title(side, harm_max)
            if side.round:  # the harm scale is said once, under the legend
                text = (
                    f"misallocation {side.records[-1]['misallocation']:.0%}; {side.place_evading().sum():,.0f} evading"
                )
            if len(self.sides) > 1:
                head = side.title.split(" (")[0]
                out.append(
                    ax.text(
                        0.5,
                        1.2,
                        head,
                        transform=ax.transAxes,
                        ha="center",
                        va="bottom",
                        fontsize=10.5,
                        fontweight="bold",
                        color=side_colour(self.sides, j),
                    )
                )
            else:
                text = f"true harm vs capacity\n{text}"
            out.append(ax.text(0.5, 1.02, text, transform=ax.transAxes, ha="center", va="bottom", fontsize=SMALLEST_PT))
        if self.sides[0].round:
            x, y = (1 - 1.2 / BOARD_SIZE[0], 0.08) if len(self.sides) == 1 else (0.5, 0.01)
            scale = f"darkest tile: {_count(harm_max, 'violations')}"
            out.append(self.fig.text(x, y, scale, ha="center", va="bottom", fontsize=SMALLEST_PT, color="#555555"))
        return out
