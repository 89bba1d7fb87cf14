"""A lesson's one-page summary for slides: the narrative beside what it tells the room to watch.

:func:`summary_figure` draws, beside the narrative, the watched indicators over rounds
(mean and 95% band over the :func:`replicated` runs, and replication 1, the run the
maps and the GIF show, as a thin line), both sides' maps of replication 1's last round
(their titles give its value and the mean over replications), the public account of
each side and the paired difference of the two sides. Money is in kEUR per round, as
in the dashboard. The sides of one replication share its seed, world and random draws
(common random numbers), so their difference is paired replication by replication and
its interval is the t-interval of those differences (:func:`sim.run.interval`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import views
from sim.lessons.lesson import SECTIONS, Lesson
from sim.lessons.panels import DIFFERENCE_COLOURS, TILE_LAYERS, panel, watched
from sim.lessons.pictures import draw_tiles, map_legend, side_handles, tile_scale, value_text, wrap

# The account's rows: (label, column, weight key); public value is their weighted sum.
ROWS = (
    ("benefit", "benefit", "benefit"),
    ("positive side eff.", "positive_side_effects", "positive_side_effects"),
    ("support (legitimacy)", "legitimacy", "legitimacy"),
    ("cost", "cost", "cost"),
    ("negative side eff.", "negative_side_effects", "negative_side_effects"),
    ("public value", "public_value", None),
)
UNIT = "kEUR per round"


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


def account(frame, cfg) -> dict[str, np.ndarray]:
    """Each account row's weighted mean per round (kEUR per round), one value per replication."""
    per_rep = frame.groupby("replication").mean(numeric_only=True)
    return {
        label: per_rep[col].to_numpy() * (1.0 if key is None else getattr(cfg.weights, key)) for label, col, key in ROWS
    }


def paired(frames: Sequence, accounts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Left minus right of every account row, replication by replication (same seed and world).

    Args:
        frames: The two rounds DataFrames (left, right), for their replications.
        accounts: Their :func:`account` rows.

    Raises:
        ValueError: The two sides do not have the same replications.
    """
    reps = [np.sort(f["replication"].unique()) for f in frames]
    if not np.array_equal(*reps):
        raise ValueError(f"the sides must have the same replications to be paired, not {reps[0]} and {reps[1]}")
    return {label: accounts[0][label] - accounts[1][label] for label, *_ in ROWS}


def settled(left: np.ndarray, right: np.ndarray) -> str:
    """From which round on the left's mean stays above or below the right's, in words ("" if it ends level)."""
    sign = np.sign(left - right)
    if sign[-1] == 0:
        return ""
    other = np.flatnonzero(sign != sign[-1])
    since = int(other[-1]) + 2 if other.size else 1
    return f"left {'higher' if sign[-1] > 0 else 'lower'} from round {since} on"


def summary_figure(lesson: Lesson, session: views.Session, frames: Sequence) -> Figure:
    """The one-page summary for slides (16:9).

    Args:
        lesson: The lesson.
        session: Its session after the last round (replication 1: the maps).
        frames: The two rounds DataFrames of :func:`replicated` (left, right).
    """
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
    _narrative(fig, lesson)
    # The watched indicators over rounds: mean and 95% band over replications, replication 1 thin.
    top = fig.add_gridspec(1, 2, left=0.445, right=0.795, top=0.735, bottom=0.53, wspace=0.4)
    for k, metric in enumerate(watched(lesson)[:2]):
        ax = fig.add_subplot(top[0, k])
        _band(ax, frames, metric, session.rounds, panel(lesson, views.METRICS[metric].label))
        for j, side in enumerate(session.sides):  # a side's schedule: a dotted line where it acts
            for after in side.model.changes:
                if after > 0:
                    ax.axvline(after + 0.5, color=views.SIDE_COLOURS[j], linestyle=":", linewidth=1.6)
    thin = Line2D([], [], color=views.GREY, linewidth=0.9, label="thin: replication 1 (maps, GIF)")
    fig.legend(
        handles=[*side_handles(sides), thin],
        loc="lower center",
        bbox_to_anchor=(0.62, 0.79),
        ncol=2,
        fontsize=8.5,
        frameon=False,
        title=f"mean and 95% interval over {reps} replications",
        title_fontsize=8.5,
    )
    # Each side's public account, and the paired difference, on one row per component.
    bottom = fig.add_gridspec(1, 2, left=0.525, right=0.795, top=0.39, bottom=0.13, wspace=0.07)
    accounts = [account(f, s.cfg) for f, s in zip(frames, sides, strict=True)]
    ax = fig.add_subplot(bottom[0, 0])
    _account(ax, accounts, sides, panel(lesson, "public account").title)
    diff = paired(frames, accounts)
    _difference(fig.add_subplot(bottom[0, 1], sharey=ax), diff, reps, panel(lesson, "paired difference"))
    fig.text(
        0.445,
        0.072,
        "Whiskers: 95% intervals over replications. The difference pairs the two sides\n"
        "replication by replication (same seed, world and draws); grey: its interval holds 0.",
        ha="left",
        va="top",
        fontsize=8,
        color=views.GREY,
    )
    # Replication 1's last round, both sides, one map above the other.
    _maps(fig, lesson, session, frames, reps)
    return fig


def _narrative(fig: Figure, lesson: Lesson) -> None:
    """The narrative's sections down the left column, in the largest type that fits the page."""
    for size in (9.5, 9.0, 8.5, 8.0, 7.5):
        line = size * 1.35 / (7.5 * 72)  # a text line as a fraction of the page height
        bodies = [wrap(lesson.sections[h], int(60 * 9.5 / size)) for h in SECTIONS]
        height = sum(0.033 + line * (b.count("\n") + 1) + 0.025 for b in bodies)
        if height <= 0.84:
            break
    y = 0.85
    for heading, body in zip(SECTIONS, bodies, strict=True):
        fig.text(0.02, y, heading, fontsize=size + 2.5, fontweight="bold", va="top")
        fig.text(0.02, y - 0.033, body, fontsize=size, va="top", linespacing=1.35)
        y -= 0.033 + line * (body.count("\n") + 1) + 0.025


def _band(ax, frames, metric: str, rounds: int, shown) -> None:
    from scipy import special

    m = views.METRICS[metric]
    views._x_axis(ax, rounds)
    ax.set_ylabel(m.unit, fontsize=9)
    means = []
    for j, df in enumerate(frames):
        g = df.groupby("round")[metric]
        mean, sd, n = g.mean() * m.scale, g.std(ddof=1).fillna(0.0) * m.scale, g.count()
        t = special.stdtrit(np.maximum(n - 1, 1), 0.975)  # the t-interval of sim.run.interval, per round
        half = t * sd / np.sqrt(np.maximum(n, 1))
        lo, hi = mean - half, mean + half
        if m.share:  # a mean of shares lies in [0, 1]
            lo, hi = lo.clip(0.0, m.scale), hi.clip(0.0, m.scale)
        x = mean.index.to_numpy()
        colour, style = views.SIDE_COLOURS[j], ("-", "--")[j]
        ax.fill_between(x, lo, hi, color=colour, alpha=0.2, linewidth=0)
        ax.plot(x, mean, color=colour, linestyle=style, linewidth=2.0)
        first = df[df["replication"] == df["replication"].min()].sort_values("round")
        ax.plot(first["round"], first[metric] * m.scale, color=colour, linestyle=style, linewidth=0.9, alpha=0.9)
        means.append(mean.to_numpy())
    order = settled(*means)
    ax.set_title(f"{shown.title}\n{order or 'ends level'}", fontsize=9.5)
    if m.share:
        ax.set_ylim(-0.03 * m.scale, 1.03 * m.scale)


def _bars(ax, y, rows: list[tuple[float, float, float]], colours, offset: float, height: float, label=None) -> None:
    means = np.array([r[0] for r in rows])
    err = np.array([[r[0] - r[1] for r in rows], [r[2] - r[0] for r in rows]])
    ax.barh(
        y + offset,
        means,
        height=height,
        color=colours,
        alpha=0.85,
        xerr=np.nan_to_num(err),  # one replication: no interval
        error_kw={"elinewidth": 1, "capsize": 2, "ecolor": views.BLACK},
        label=label,
    )


def _style(ax, title: str, xlabel: str) -> None:
    ax.axvline(0, color=views.BLACK, linewidth=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel, fontsize=8.5)
    ax.tick_params(labelsize=8)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}".replace("-", "\u2212"))
    ax.grid(True, axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def _account(ax, accounts, sides, title: str) -> None:
    """Each side's weighted account rows, kEUR per round, with 95% intervals over replications."""
    from sim.run import interval

    y = np.arange(len(ROWS))
    for j, acc in enumerate(accounts):
        stats = [interval(acc[label]) for label, *_ in ROWS]
        _bars(ax, y, stats, views.SIDE_COLOURS[j], -0.2 if j == 0 else 0.2, 0.38, sides[j].title)
    ax.set_yticks(y, [label for label, *_ in ROWS], fontsize=8.5)
    ax.invert_yaxis()
    _style(ax, f"{title}\nmean, 95% interval", UNIT)


def _difference(ax, diff: dict[str, np.ndarray], reps: int, shown) -> None:
    """Left minus right per row, paired by replication: mean and 95% interval, the account's colours."""
    from sim.run import interval

    y = np.arange(len(ROWS))
    stats = [interval(diff[label]) for label, *_ in ROWS]
    _bars(ax, y, stats, list(DIFFERENCE_COLOURS), 0.0, 0.6)
    ax.tick_params(axis="y", labelleft=False)
    for k, (mean, lo, hi) in enumerate(stats):
        sure = not math.isnan(lo) and (lo > 0 or hi < 0)  # the interval excludes zero: black, else grey
        ax.text(
            1.02,
            k,
            (f"{mean:+,.0f}" if abs(mean) >= 10 else f"{mean:+.2g}" if mean else "0").replace("-", "\u2212"),
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=7.5,
            color=views.BLACK if sure else views.GREY,
        )
    _style(ax, f"{shown.title}\nleft minus right, {reps} pairs", UNIT)


def _maps(fig: Figure, lesson: Lesson, session: views.Session, frames, reps: int) -> None:
    """Both sides' last-round maps of replication 1, with the value shown and its mean over replications."""
    sides, layer = session.sides, TILE_LAYERS[lesson.tiles]
    grid = fig.add_gridspec(2, 1, left=0.825, right=0.985, top=0.76, bottom=0.33, hspace=0.95)
    top = tile_scale(sides, layer)
    units_max = max(float(s.place_units().max()) for s in sides)
    for j, side in enumerate(sides):
        ax = fig.add_subplot(grid[j])
        views.map_axes(ax, side)
        draw_tiles(ax, side, layer, top, units_max)
        last = frames[j][frames[j]["round"] == side.round][layer.metric].mean()
        now = side.records[-1][layer.metric]
        ax.set_title(
            f"{textwrap.fill(side.title, 34)}\nmap: replication {side.replication + 1} of {reps}, round {side.round}\n"
            f"{views.METRICS[layer.metric].label} {value_text(layer.metric, now, short=True)}\n"
            f"(mean of the {reps}: {value_text(layer.metric, last, short=True)})",
            fontsize=8,
            color=views.SIDE_COLOURS[j],
        )
    map_legend(fig, session.names, layer, top, loc="lower right", bbox_to_anchor=(0.99, 0.02), ncol=1, fontsize=8)
