"""The report's figures (matplotlib, Agg): colour-blind-safe, titled, with units, slide-readable.

Each function returns a Figure; :func:`render` turns it into PNG and SVG bytes, and
:func:`block` into a figure block of the report. One piece, though a long one, because
every figure shares the palette, units, titles and number format defined at its top;
the figures of a sampled experiment are the last three.
Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies);
lines also differ in style and points in marker so that nothing relies on colour alone.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.glossary import CHOICE_KEYS, bounds, key_name, value_name  # noqa: E402
from sim.report.data import ordered  # noqa: E402
from sim.report.document import Block  # noqa: E402
from sim.report.stats import SERIES  # noqa: E402

# Okabe & Ito (2008); yellow last because it is faint on white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)), (0, (5, 5))]
UNITS = {
    "cost": "kEUR per run",
    "benefit": "kEUR per run",
    "negative_side_effects": "kEUR per run",
    "positive_side_effects": "kEUR per run",
    "public_value": "kEUR per run",
    "legitimacy": "mean over rounds, 0–1",
    "harm": "violations per run",
    "evasion_rate": "share of actors, mean over rounds",
    "trust": "mean over rounds, 0–1",
    "data_shared": "share of partner data, mean over rounds",
    "misallocation": "share of capacity, mean over rounds",
    "privacy_exposure": "mean over rounds, 0–1",
}
ROUND_UNITS = {
    "legitimacy": "legitimacy (0–1)",
    "trust": "mean partner trust (0–1)",
    "evasion_rate": "share of actors evading or gaming",
    "data_shared": "share of partner data shared",
    "misallocation": "share of capacity on places without the cause",
}
TITLES = {
    "cost": "Cost",
    "benefit": "Benefit",
    "negative_side_effects": "Negative side effects",
    "positive_side_effects": "Positive side effects",
    "legitimacy": "Legitimacy",
    "public_value": "Public value",
    "harm": "Harm",
    "evasion_rate": "Evasion rate",
    "trust": "Trust",
    "data_shared": "Data shared",
    "misallocation": "Misallocation",
    "privacy_exposure": "Privacy exposure",
}

plt.rcParams.update(
    {
        "font.size": 13,
        "axes.titlesize": 15,
        "axes.titleweight": "bold",
        "axes.labelsize": 13,
        "xtick.labelsize": 12,
        "ytick.labelsize": 12,
        "legend.fontsize": 12,
        "legend.title_fontsize": 12,
        "figure.titlesize": 18,
        "figure.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "svg.fonttype": "none",  # text stays text in the SVG (smaller, searchable)
        "font.family": "DejaVu Sans",
    }
)


def render(fig: Figure) -> tuple[bytes, bytes]:
    """PNG (150 dpi) and SVG bytes of a figure; closes it."""
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=150, bbox_inches="tight")
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})  # no date: same bytes each time
    plt.close(fig)
    return png.getvalue(), svg.getvalue()


def block(name: str, caption: str, fig: Figure) -> Block:
    """A figure block of the report: the rendered figure (closed) under its caption, saved as ``figures/<name>``."""
    png, svg = render(fig)
    return Block("figure", caption, name=name, png=png, svg=svg)


def title_of(col: str) -> str:
    """Human title of a column."""
    return TITLES.get(col, col.replace("_", " ").capitalize())


def colours(values: list[Any]) -> dict[Any, tuple[str, str]]:
    """A (colour, marker) per value, in the order given."""
    return {v: (PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]) for i, v in enumerate(values)}


def _layout(frame: pd.DataFrame, dims: list[str]) -> tuple[list[str], str | None, list[Any]]:
    """Rows (labels from all dims but the colour one), the colour dim and its values in display order.

    Adds the row label to ``frame`` as ``_row``.
    """
    if len(dims) >= 2 and frame[dims[-1]].nunique() <= len(PALETTE):
        cdim, rest = dims[-1], dims[:-1]
    elif len(dims) == 1 and frame[dims[0]].nunique() <= len(PALETTE):
        cdim, rest = dims[0], dims  # one dim: a row per value, each in its own colour
    else:
        cdim, rest = None, dims
    frame["_row"] = (
        frame[rest].apply(lambda r: " / ".join(value_name(d, r[d]) for d in rest), axis=1) if rest else "all"
    )
    cvals = ordered(cdim, frame[cdim]) if cdim else []
    return list(dict.fromkeys(frame["_row"])), cdim, cvals


def dots(
    frame: pd.DataFrame,
    dims: list[str],
    cols: list[str],
    prefix: str,
    title: str,
    zero: bool,
    order: list[Any],
    ref: pd.DataFrame | None = None,
) -> Figure:
    """Means with 95% intervals, one panel per column, options as rows dodged by the colour dim.

    Args:
        frame: One row per option with ``{prefix}{col}_mean/_ci95_low/_ci95_high``.
        dims: The option dims (the last one colours the points when it has few values).
        cols: The columns to draw, one panel each.
        prefix: ``""`` for levels, ``"diff_"`` for paired differences.
        title: Figure title.
        zero: Draw a reference line at 0.
        order: Row order (labels), top first.
        ref: All options (default ``frame``): fixes each value's colour, so that it is the
            same in every figure even when ``frame`` lacks some values.
    """
    frame = frame.copy()
    rows, cdim, cvals = _layout(frame, dims)
    rows = [r for r in order if r in rows] + [r for r in rows if r not in order]
    if ref is not None and cdim:
        every = _layout(ref.copy(), dims)[2]
        cmap = colours(every)
        cvals = [v for v in every if v in set(cvals)]
    else:
        cmap = colours(cvals) if cdim else {}
    ncol = 3 if len(cols) > 2 else len(cols)
    nrow = int(np.ceil(len(cols) / ncol))
    per_row = 0.3 + 0.14 * (1 if [cdim] == dims else max(len(cvals), 1))  # inches per row: room for dodged points
    height = max(3.5, per_row * len(rows) + 1.2)
    # One subfigure per row of panels, each with its own legend above it: every panel is read
    # with a legend in view, however tall the figure is on the screen.
    fig = plt.figure(figsize=(6.0 * ncol, (height + 1.2) * nrow + 0.6), layout="constrained")
    subs = fig.subfigures(nrow, 1, squeeze=False)[:, 0]
    axes = np.array([sub.subplots(1, ncol, sharey=True, squeeze=False)[0] for sub in subs])
    ypos = {r: i for i, r in enumerate(rows)}
    k = max(len(cvals), 1)
    offsets = np.linspace(-0.28, 0.28, k) if k > 1 and [cdim] != dims else np.zeros(k)
    for ax, col in zip(axes.flat, cols, strict=False):
        for j, cv in enumerate(cvals or [None]):
            sub = frame if cv is None else frame[frame[cdim] == cv]
            if sub.empty:
                continue
            y = np.array([ypos[r] for r in sub["_row"]]) + offsets[j]
            m = sub[f"{prefix}{col}_mean"].to_numpy(dtype=float)
            lo = sub[f"{prefix}{col}_ci95_low"].to_numpy(dtype=float)
            hi = sub[f"{prefix}{col}_ci95_high"].to_numpy(dtype=float)
            colour, marker = cmap.get(cv, (PALETTE[0], "o"))
            err = np.vstack([np.nan_to_num(m - lo), np.nan_to_num(hi - m)])
            ax.errorbar(
                m,
                y,
                xerr=err,
                fmt=marker,
                color=colour,
                ms=7,
                lw=2,
                capsize=3,
                label=value_name(cdim, cv) if cv is not None else None,
            )
        if zero:
            ax.axvline(0, color="0.3", lw=1.2, ls="--")
        ax.set_title(("Δ " if prefix else "") + title_of(col))
        unit = UNITS.get(col, "")
        ax.set_xlabel(f"difference, {unit.replace(', 0–1', '')}" if prefix and unit else unit)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick))
        ax.grid(axis="y", alpha=0)
        for i in range(1, len(rows)):  # faint separators between option rows
            ax.axhline(i - 0.5, color="0.85", lw=0.8)
    for ax in list(axes.flat)[len(cols) :]:
        ax.set_visible(False)
    for r in range(nrow):
        axes[r, 0].set_yticks(range(len(rows)), rows)
        axes[r, 0].set_ylim(len(rows) - 0.5, -0.5)
        axes[r, 0].set_ylabel(" / ".join(key_name(d) for d in dims if d != cdim or [cdim] == dims) or "option")
    if cdim:
        handles, labels = [], []
        for ax in axes.flat:  # every colour, even if the first panel lacks some
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
        for sub in subs:
            sub.legend(
                handles,
                labels,
                title=key_name(cdim),
                loc="outside upper center",
                ncol=min(len(labels), 4),
                frameon=False,
            )
    fig.suptitle(title)
    return fig


def _tick(x: float, _pos: Any = None) -> str:
    """Tick label: thousands separators for kEUR, a true minus sign."""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        s = f"{x:,.0f}"
    elif abs(x) >= 1:
        s = f"{x:.4g}"
    else:
        s = f"{x:.3g}"
    return s.replace("-", "−")


def probability_best(rank: pd.DataFrame, metric: str, names: dict[str, str] | None = None, top: int = 12) -> Figure:
    """Probability each option is best (bars, on an axis from 0 to 1), for the options with the highest mean.

    Args:
        rank: :func:`sim.report.stats.ranking`.
        metric: The column ranked by.
        names: Readable name per option label (default: the labels).
        top: How many options to show.
    """
    shown = rank.head(top).iloc[::-1]
    labels = [(names or {}).get(o, o) for o in shown["option"]]
    fig, ax = plt.subplots(figsize=(12, max(3.0, 0.5 * len(shown) + 1.6)))
    bars = ax.barh(labels, shown["p_best"], color=PALETTE[0])
    for b, p, r in zip(bars, shown["p_best"], shown["mean_rank"], strict=True):
        text = f"{p:.2f}  (mean rank {r:.1f})"
        inside = p > 0.6  # a long bar holds its label; a short one has it after its end
        ax.text(
            b.get_width() - 0.01 if inside else b.get_width() + 0.01,
            b.get_y() + b.get_height() / 2,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "black",
            fontsize=12,
        )
    ax.set_xlim(0, 1)
    ax.set_xlabel(
        f"probability of the highest {title_of(metric).lower()} (share of {int(rank['n_worlds'].iloc[0])} worlds)"
    )
    ax.set_title(f"Best in how many worlds? (top {len(shown)} by mean {title_of(metric).lower()})")
    ax.grid(axis="y", alpha=0)
    fig.tight_layout()
    return fig


def time_series(
    ser: pd.DataFrame,
    options: list[str],
    names: dict[str, str] | None = None,
    changes: dict[str, list[int]] | None = None,
) -> Figure:
    """Legitimacy, trust, evasion, data shared and misallocation per round, mean and 95% band.

    The legend is on top, under the title, where it is in view with either row of panels.
    ``changes`` (per option, the rounds after which its schedule acts) draws a dotted
    line in the option's colour on every panel, between that round and the next.
    """
    fig = plt.figure(figsize=(18, 10.5), layout="constrained")
    panels = fig.subfigures(1, 1)  # a legend "outside" a subfigure goes under the title, not over it
    axes = panels.subplots(2, 3)
    cmap = colours(options)
    for ax, col in zip(axes.flat, SERIES, strict=False):
        for i, opt in enumerate(options):
            s = ser[(ser.option == opt) & (ser.column == col)].sort_values("round")
            if s.empty:
                continue
            colour, _ = cmap[opt]
            label = (names or {}).get(opt, opt)
            ax.plot(s["round"], s["mean"], color=colour, lw=2.5, ls=LINESTYLES[i % len(LINESTYLES)], label=label)
            ax.fill_between(s["round"], s["ci95_low"], s["ci95_high"], color=colour, alpha=0.18, lw=0)
            for after in (changes or {}).get(opt, []):
                ax.axvline(after + 0.5, color=colour, ls=":", lw=1.8, label=f"schedule changes after round {after}")
        ax.set_title(title_of(col))
        lo, hi = bounds(col)  # the axis stays within what the quantity can be (a share of 0 all along)
        bottom, top = ax.get_ylim()
        ax.set_ylim(max(bottom, lo), min(top, hi) if top > max(bottom, lo) else max(bottom, lo) + 1e-3)
        ax.set_xlabel("round")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(ROUND_UNITS[col])
    axes.flat[-1].set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    shown = dict(zip(labels, handles, strict=True))  # one entry per label (a change shared by options)
    labels, handles = list(shown), list(shown.values())
    panels.legend(
        handles,
        labels,
        loc="outside upper center",
        ncol=min(len(labels), 3),
        frameon=False,
        fontsize=13,
    )
    fig.suptitle("Over the rounds: mean over worlds (line) with 95% interval (band)")
    return fig


def heat(hm: pd.DataFrame, x: str, y: str, column: str, diverging: bool, title: str) -> Figure:
    """Heatmap of the mean of ``column`` over two dimensions, values written in the cells."""
    grid = hm.pivot(index=y, columns=x, values="mean")
    if not isinstance(grid.index, pd.CategoricalIndex):
        grid = grid.reindex(index=ordered(y, grid.index))
    if not isinstance(grid.columns, pd.CategoricalIndex):
        grid = grid.reindex(columns=ordered(x, grid.columns))
    vals = grid.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(max(8, 1.9 * grid.shape[1] + 4), max(5, 0.75 * grid.shape[0] + 2.5)))
    if diverging:
        lim = np.nanmax(np.abs(vals)) or 1.0
        im = ax.imshow(vals, cmap="PuOr", vmin=-lim, vmax=lim, aspect="auto")
    else:
        im = ax.imshow(vals, cmap="cividis", aspect="auto")
    lo, hi = np.nanmin(vals), np.nanmax(vals)
    for (i, j), v in np.ndenumerate(vals):
        if np.isnan(v):
            continue
        if diverging:
            dark = abs(v) > 0.55 * (np.nanmax(np.abs(vals)) or 1)
        else:
            dark = (v - lo) / ((hi - lo) or 1) < 0.55
        ax.text(j, i, _tick(v), ha="center", va="center", fontsize=12, color="white" if dark else "black")
    ax.set_xticks(range(grid.shape[1]), [_value(x, c) for c in grid.columns], rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), [_value(y, r) for r in grid.index])
    ax.set_xlabel(key_name(x))
    ax.set_ylabel(key_name(y))
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax, format=matplotlib.ticker.FuncFormatter(_tick))
    cb.set_label(f"{'Δ ' if diverging else ''}{column} ({UNITS.get(column, 'mean')})")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def _value(key: str, value: Any) -> str:
    """A tick of a heatmap: a choice by its readable name; a number or a bin of numbers as it is."""
    if isinstance(value, pd.Interval) or (isinstance(value, str) and "–" in value):
        return str(value)
    return value_name(key, value) if key in CHOICE_KEYS else str(value)


def prim_boxes(ps: pd.DataFrame, params: list[str], disc: dict[str, Any], option: str, base: str) -> Figure:
    """Scenario discovery: the parameter ranges where the option wins or loses, and the points."""
    fig, (ax, sc) = plt.subplots(
        1, 2, figsize=(18, max(6, 0.9 * len(params) + 2.5)), gridspec_kw={"width_ratios": [1.2, 1]}
    )
    lo = ps[params].min()
    hi = ps[params].max()
    boxes = [("wins", f"{option} wins", PALETTE[0], -0.17), ("losses", f"{base} wins", PALETTE[1], 0.17)]
    for i, p in enumerate(params):
        ax.barh(i, 1.0, left=0, height=0.7, color="0.9", edgecolor="0.6")
        ax.text(-0.03, i, _tick(lo[p]), ha="right", va="center", fontsize=11)
        ax.text(1.03, i, _tick(hi[p]), ha="left", va="center", fontsize=11)
    for key, label, colour, dy in boxes:
        box = disc.get(key)
        if not box:
            continue
        lab = f"{label}: coverage {box['coverage']:.0%}, density {box['density']:.0%}"
        first = True
        for r in box["restricted"]:
            i = params.index(r["parameter"])
            a = (r["low"] - lo[r["parameter"]]) / (hi[r["parameter"]] - lo[r["parameter"]])
            b = (r["high"] - lo[r["parameter"]]) / (hi[r["parameter"]] - lo[r["parameter"]])
            ax.barh(
                i + dy,
                b - a,
                left=a,
                height=0.3,
                color=colour,
                label=lab if first else None,
                hatch="//" if key == "losses" else None,
                edgecolor="white",
            )
            ax.text(
                (a + b) / 2,
                i + dy,
                f"{_tick(r['low'])}–{_tick(r['high'])}",
                ha="center",
                va="center",
                fontsize=10,
                color="white" if key == "wins" else "black",
                fontweight="bold",
            )
            first = False
    ax.set_yticks(range(len(params)), params)
    ax.set_ylim(len(params) - 0.5, -0.5)
    ax.set_xlim(-0.2, 1.2)
    ax.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
    ax.set_xlabel("position in the sampled range (grey: full range)")
    ax.grid(False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    ax.set_title("PRIM boxes: where each side wins")
    ranked = _most_restricted(disc, params)
    xp, yp = ranked[0], ranked[1] if len(ranked) > 1 else ranked[0]
    win = ps["diff"] > 0
    sc.scatter(ps.loc[win, xp], ps.loc[win, yp], c=PALETTE[0], marker="o", s=40, label=f"{option} wins", alpha=0.85)
    sc.scatter(ps.loc[~win, xp], ps.loc[~win, yp], c=PALETTE[1], marker="X", s=50, label=f"{base} wins", alpha=0.85)
    for key, _, colour, _ in boxes:
        box = disc.get(key)
        if not box:
            continue
        lims = {r["parameter"]: (r["low"], r["high"]) for r in box["restricted"]}
        x0, x1 = lims.get(xp, (lo[xp], hi[xp]))
        y0, y1 = lims.get(yp, (lo[yp], hi[yp]))
        sc.add_patch(
            plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=colour, lw=3, ls="-" if key == "wins" else "--")
        )
    sc.set_xlabel(xp)
    sc.set_ylabel(yp)
    sc.set_title("Sampled worlds (outline: the boxes)")
    sc.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.suptitle(f"When does {option} beat {base}?")
    fig.tight_layout()
    return fig


def _most_restricted(disc: dict[str, Any], params: list[str]) -> list[str]:
    """Parameters by how much the boxes narrow them (most first)."""
    score = dict.fromkeys(params, 0.0)
    for key in ("wins", "losses"):
        box = disc.get(key)
        for r in box["restricted"] if box else []:
            width = (r["high"] - r["low"]) / ((r["range_high"] - r["range_low"]) or 1)
            score[r["parameter"]] += 1 - width
    return sorted(params, key=lambda p: -score[p])


def sample_histogram(ps: pd.DataFrame, option: str, base: str, metric: str) -> Figure:
    """Distribution over sampled worlds of the mean paired difference."""
    fig, ax = plt.subplots(figsize=(12, 5.5))
    d = ps["diff"].to_numpy(dtype=float)
    span = (d.min(), d.max())
    ax.hist(d[d > 0], bins=30, range=span, color=PALETTE[0], label=f"{option} wins ({(d > 0).mean():.0%})")
    ax.hist(
        d[d <= 0],
        bins=30,
        range=(d.min(), d.max()),
        color=PALETTE[1],
        hatch="//",
        edgecolor="white",
        label=f"{base} wins ({(d <= 0).mean():.0%})",
    )
    ax.axvline(0, color="0.2", ls="--", lw=1.5)
    ax.set_xlabel(f"Δ {metric}: {option} − {base} ({UNITS.get(metric, '')}, mean over replications)")
    ax.set_ylabel("sampled worlds (design points)")
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick))
    ax.set_title(f"How the difference spreads over the {len(d)} sampled worlds")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def indices(sens: dict[str, Any], metric: str, option: str, base: str) -> Figure:
    """Global sensitivity indices with their 95% bootstrap intervals."""
    t = sens["table"].iloc[::-1]
    design = sens["design"]
    pairs = {
        "sobol": [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")],
        "morris": [("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)")],
        "lhs": [("S1", "S1_conf", "first order S1 (RBD-FAST)")],
    }[design]
    fig, ax = plt.subplots(figsize=(13, max(4.5, 0.8 * len(t) + 2)))
    h = 0.8 / len(pairs)
    y = np.arange(len(t))
    for i, (col, conf, lab) in enumerate(pairs):
        ax.barh(
            y + (i - (len(pairs) - 1) / 2) * h,
            t[col],
            height=h,
            xerr=t[conf],
            color=PALETTE[i],
            hatch=["", "//"][i % 2],
            edgecolor="white",
            capsize=4,
            label=f"{lab} (bar: 95% interval)",
        )
    if design == "morris":
        ax.scatter(t["sigma"], y, marker="D", color=PALETTE[3], s=60, label="σ (interactions, non-linearity)", zorder=3)
    ax.set_yticks(y, t["parameter"])
    ax.axvline(0, color="0.3", lw=1)
    unit = "share of variance" if design != "morris" else f"{UNITS.get(metric, '')} per unit range"
    ax.set_xlabel(f"sensitivity index of Δ {metric} ({unit})")
    ax.set_title(f"What drives Δ {metric} ({option} − {base})?")
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="y", alpha=0)
    fig.tight_layout()
    return fig
