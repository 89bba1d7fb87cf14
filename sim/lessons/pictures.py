"""A lesson's pictures: the animation's frames and the one-page summary for slides.

:class:`FramePicture` draws one round of both runs (their maps of places and the
watched indicators); :func:`animate` steps the session and keeps a frame per round.
:func:`summary_figure` is the page for slides: the narrative, the watched indicators
over rounds (mean and 95% band over the :func:`replicated` runs), the public account
per run and the last round's maps. The drawing itself (maps, legends, scales) is
:mod:`sim.views`', shared with the dashboard.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import views
from sim.lessons.lesson import SECTIONS, Lesson


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


# ---------------------------------------------------------------- the animation
class FramePicture(views.Live):
    """One frame of the GIF (1280 x 720 px): both maps above, watched indicators below."""

    def __init__(self, lesson: Lesson, session: views.Session) -> None:
        super().__init__()
        self.lesson, self.session = lesson, session
        self.watch = list(lesson.watch) or list(views.INDICATORS[:2])
        self.maps: list = []
        self.panels: list = []

    def key(self) -> object:
        """The limits of the watched indicators."""
        sides = self.session.sides
        return tuple(self.widen(m, views.metric_limits(sides, m)) for m in self.watch)

    def build(self) -> Figure:
        """Subtitle, empty maps, indicator axes and legends."""
        sides = self.session.sides
        fig = Figure(figsize=(12.8, 7.2), dpi=100)
        fig.text(
            0.5,
            0.935,
            f"Same seed, same world; only this differs: {views.CONTRASTS[self.lesson.contrast].label}",
            ha="center",
            va="top",
            fontsize=11,
            color=views.GREY,
        )
        maps = fig.add_gridspec(1, 2, left=0.01, right=0.99, top=0.8, bottom=0.42, wspace=0.04)
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
        views.map_legend(fig, self.session.names, None, 0.335)
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
            handles=_side_handles(sides),
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=2,
            fontsize=10,
            frameon=False,
        )
        return fig

    def dynamic(self) -> list:
        """The title with the round, both maps and the indicator lines."""
        session, sides = self.session, self.session.sides
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
        harm_max = self.widen("harm scale", (0.0, views.harm_scale(sides)))[1]
        units_max = max(float(s.place_units().max()) for s in sides)
        for ax, side in zip(self.maps, sides, strict=True):
            out += views.draw_map(ax, side, harm_max, units_max)
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


def _side_handles(sides: Sequence[views.Side]) -> list[Line2D]:
    return [
        Line2D([], [], color=views.SIDE_COLOURS[j], linestyle=("-", "--")[j], linewidth=2.2, label=s.title)
        for j, s in enumerate(sides)
    ]


def animate(lesson: Lesson, session: views.Session) -> list[np.ndarray]:
    """Step the session to its end, drawing a frame per round (RGB, 1280 x 720)."""
    picture = FramePicture(lesson, session)
    frames = []
    while not session.done:
        session.step()
        frames.append(picture.rgba()[..., :3].copy())
    return frames


# ------------------------------------------------------------------ the summary
def replicated(lesson: Lesson, session: views.Session) -> list:
    """Every replication of both sides, as rounds DataFrames (left, right).

    Stepped through :class:`sim.views.Side` rather than :func:`sim.run.run` so that
    the derived indicators (``top_share``) are there too; the numbers are the same.
    """
    import pandas as pd

    frames = []
    for side in session.sides:
        rows = []
        for rep in range(side.cfg.run.replications):
            twin = views.Side(side.title, side.cfg, rep)
            for _ in range(session.rounds):
                twin.step()
            rows.extend({**r, "replication": rep} for r in twin.records)
        frames.append(pd.DataFrame(rows))
    return frames


def summary_figure(lesson: Lesson, session: views.Session, frames: Sequence) -> Figure:
    """The one-page summary for slides (16:9).

    Args:
        lesson: The lesson.
        session: Its session after the last round (for the map).
        frames: The two rounds DataFrames of :func:`replicated` (left, right).
    """
    from sim.run import interval, run_totals

    sides = session.sides
    fig = Figure(figsize=(13.333, 7.5))
    fig.text(0.02, 0.975, f"Lesson: {lesson.title}", fontsize=20, fontweight="bold", va="top")
    reps = int(frames[0]["replication"].nunique())
    cfg = sides[0].cfg
    fig.text(
        0.02,
        0.915,
        f"Side by side: {views.CONTRASTS[lesson.contrast].label}; same seed ({cfg.run.seed}), {reps} replications x "
        f"{session.rounds} rounds x {cfg.world.actors:,} actors.\nEssay: {lesson.essay}",
        fontsize=9.5,
        color=views.GREY,
        va="top",
    )
    # The narrative, left column.
    y, line = 0.85, 9.5 * 1.35 / (7.5 * 72)  # a text line as a fraction of the page height
    for heading in SECTIONS:
        fig.text(0.02, y, heading, fontsize=12, fontweight="bold", va="top")
        body = wrap(lesson.sections[heading], 60)
        fig.text(0.02, y - 0.033, body, fontsize=9.5, va="top", linespacing=1.35)
        y -= 0.033 + line * (body.count("\n") + 1) + 0.025
    # The watched indicators over rounds: mean and 95% band over replications.
    top = fig.add_gridspec(1, 2, left=0.44, right=0.985, top=0.835, bottom=0.55, wspace=0.25)
    watch = list(lesson.watch)[:2] or list(views.INDICATORS[:2])
    for k, metric in enumerate(watch):
        _band(fig.add_subplot(top[0, k]), frames, metric, session.rounds, sides)
    bottom = fig.add_gridspec(1, 2, left=0.53, right=0.985, top=0.44, bottom=0.15, wspace=0.08, width_ratios=[1, 1.1])
    # The public account per run: weighted components and public value, 95% intervals.
    totals = [run_totals(f) for f in frames]
    _account_bars(fig.add_subplot(bottom[0, 0]), totals, cfg, sides, int(frames[0]["round"].max()), interval)
    # The last round's map of both sides (replication 0, as in the GIF), one above the other.
    maps = bottom[0, 1].subgridspec(2, 1, hspace=0.55)
    harm_max = views.harm_scale(sides)
    units_max = max(float(s.place_units().max()) for s in sides)
    for j, side in enumerate(sides):
        ax = fig.add_subplot(maps[j])
        views.map_axes(ax, side)
        views.draw_map(ax, side, harm_max, units_max, title=False)
        mis = side.records[-1]["misallocation"]
        ax.set_title(
            f"{side.title}\nround {side.round}, misallocation {mis:.0%}", fontsize=9, color=views.SIDE_COLOURS[j]
        )
    views.map_legend(fig, session.names, harm_max, 0.0, x=0.665, ncol=5, fontsize=8)
    return fig


def _band(ax, frames, metric: str, rounds: int, sides) -> None:
    m = views.METRICS[metric]
    views._x_axis(ax, rounds)
    ax.set_title(f"{m.label} (mean and 95% interval)", fontsize=10.5)
    ax.set_ylabel(m.unit, fontsize=9)
    for j, df in enumerate(frames):
        g = df.groupby("round")[metric]
        mean, sd, n = g.mean() * m.scale, g.std(ddof=1).fillna(0.0) * m.scale, g.count()
        half = 1.96 * sd / np.sqrt(np.maximum(n, 1))
        x = mean.index.to_numpy()
        ax.fill_between(x, mean - half, mean + half, color=views.SIDE_COLOURS[j], alpha=0.2, linewidth=0)
        ax.plot(x, mean, color=views.SIDE_COLOURS[j], linestyle=("-", "--")[j], linewidth=2.0, label=sides[j].title)
    if m.share:
        ax.set_ylim(-0.03 * m.scale, 1.03 * m.scale)
    ax.legend(fontsize=8, frameon=False, loc="best")


def _account_bars(ax, totals, cfg, sides, rounds: int, interval) -> None:
    """Weighted run totals of the account components, side by side, with 95% intervals."""
    w = cfg.weights
    short = {"positive side effects": "positive side eff.", "negative side effects": "negative side eff."}
    rows = [(short.get(label, label), col, getattr(w, key)) for col, key, label, _ in views.ACCOUNT_PARTS]
    rows[2] = ("support (weighted)", rows[2][1], rows[2][2])
    rows.append(("public value", "public_value", 1.0))
    y = np.arange(len(rows))
    for j, t in enumerate(totals):
        stats = []
        for _, col, weight in rows:
            # Legitimacy's run total is its mean over rounds; its weight applies per round.
            scale = weight * (rounds if col == "legitimacy" else 1)
            mean, lo, hi = interval(scale * t[col].to_numpy())
            stats.append((mean, mean - lo if not math.isnan(lo) else 0.0, hi - mean if not math.isnan(hi) else 0.0))
        means = np.array([s[0] for s in stats]) / 1000.0
        err = np.array([[s[1] for s in stats], [s[2] for s in stats]]) / 1000.0
        ax.barh(
            y + (-0.2 if j == 0 else 0.2),
            means,
            height=0.38,
            color=views.SIDE_COLOURS[j],
            alpha=0.85,
            xerr=err,
            error_kw={"elinewidth": 1, "capsize": 2},
            label=sides[j].title,
        )
    ax.axvline(0, color=views.BLACK, linewidth=0.8)
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("MEUR per run (weighted; 95% interval over replications)", fontsize=8.5)
    ax.set_title("public account per run", fontsize=10.5)
    ax.tick_params(labelsize=8)
    ax.grid(True, axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
