"""The report's section on a sampled experiment: when does an option beat its baseline, and why?

For each option and its baseline, over the sampled design points: how often it wins,
the trade-off, where in the sampled parameters it wins or loses (scenario discovery,
PRIM), which parameters drive the difference (global sensitivity, SALib) and a
heatmap over the two that matter most. :func:`sampled_section` appends these blocks
and returns the summary's lines.
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from sim.report import figures, stats
from sim.report.data import Sweep
from sim.report.document import Block, ci, num
from sim.report.summary import best_items, trade_off


def _limit(r: dict[str, Any]) -> str:
    """One restriction of a box: ``x ≤ b``, ``x ≥ a`` or ``x a–b``."""
    if r["low"] <= r["range_low"]:
        return f"{r['parameter']} ≤ {num(r['high'])}"
    if r["high"] >= r["range_high"]:
        return f"{r['parameter']} ≥ {num(r['low'])}"
    return f"{r['parameter']} {num(r['low'])}–{num(r['high'])}"


def _box_text(box: dict[str, Any] | None, who: str) -> str:
    """A PRIM box in words: where ``who`` wins, with the box's coverage and density."""
    if box is None:
        return f"too few worlds where {who} wins to search for a region"
    if not box["restricted"]:
        if box["base_rate"] >= box["target"]:
            return f"everywhere in the sampled ranges ({box['base_rate']:.0%} of the worlds)"
        return f"no region where it wins significantly more often (base rate {box['base_rate']:.0%})"
    lims = " and ".join(_limit(r) for r in box["restricted"])
    dens = "" if box["reaches_density"] else f"; no simple box reaches {box['target']:.0%}"
    return (
        f"mostly where {lims}. This box holds {box['coverage']:.0%} of the worlds where {who} wins, and {who} wins "
        f"in {box['density']:.0%} of the worlds inside it (base rate {box['base_rate']:.0%}{dens})"
    )


def _top_drivers(sens: dict[str, Any]) -> str:
    """The three most influential parameters with their index and 95% bootstrap half-width."""
    t, key = sens["table"], sens["key"]
    name = {"ST": "total Sobol' index", "mu_star": "Morris μ*", "S1": "first-order index (RBD-FAST)"}[key]
    parts = [f"{r.parameter} ({r[key]:.2f} ± {r[f'{key}_conf']:.2f})" for _, r in t.head(3).iterrows()]
    return ", then ".join(parts) + f" ({name} ± its 95% bootstrap half-width)"


def sampled_section(
    sw: Sweep,
    args: argparse.Namespace,
    blocks: list[Block],
    base_of: dict[str, str],
    metric: str,
    rank: pd.DataFrame,
    acc: pd.DataFrame,
) -> list[str]:
    """Scenario discovery and global sensitivity for each option against its baseline.

    Args:
        sw: The sweep, a sampled experiment.
        args: The report's options (``--heatmap`` picks the heatmap's two parameters).
        blocks: The report so far; the section's blocks are appended to it.
        base_of: The baseline of each option compared.
        metric: The column explained (``--metric``).
        rank: The ranking of the options (:func:`sim.report.stats.ranking`).
        acc: The public account per option (:func:`sim.report.stats.account`).

    Returns:
        The lines of the report's summary.
    """
    blocks.append(Block("h2", "When does open beat closed?"))
    s = sw.sampling or {}
    ranges = ", ".join(f"{k} {num(v[0])}–{num(v[1])}" for k, v in s.get("parameters", {}).items())
    blocks.append(
        Block(
            "p",
            f"A sampled experiment: {s.get('design')} design, {sw.table['sampling.sample'].nunique()} design points "
            f"(seed {s.get('seed')}) over {ranges}. Each point is run for every option in the same worlds; below, "
            f"Δ is the option minus its baseline in {metric}, averaged over the replications of each point.",
        )
    )
    summary: list[str] = []
    if not base_of:
        blocks.append(Block("p", "No option has a baseline to compare with; pass `--baseline key=value`."))
        return best_items(sw, acc, rank, metric)
    for k, (opt, base) in enumerate(base_of.items()):
        suffix = "" if len(base_of) == 1 else f"_{k + 1}"
        ps = stats.per_sample(sw, opt, base, metric)
        m, lo, hi, n = stats.difference(sw, opt, base, metric)
        wins = float((ps["diff"] > 0).mean())
        name, base_name = sw.name(opt), sw.name(base)
        blocks.append(Block("h3", f"{name} against {base_name}"))
        blocks.append(
            figures.block(
                f"sample_differences{suffix}",
                f"Δ {metric} over the sampled worlds",
                figures.sample_histogram(ps, name, base_name, metric),
            )
        )
        disc = stats.discovery(ps, sw.params)
        row = stats.paired(sw, {opt: base}).iloc[0]
        lines = [
            f"**{name} beats {base_name} in {wins:.0%} of the {len(ps)} sampled worlds**; over all {n} paired "
            f"worlds Δ {metric} = {ci(m, lo, hi, sign=True)} kEUR per run.",
            f"**Trade-off** (mean over the sampled worlds): {trade_off(acc, row, opt, base, sw.name)}",
            f"**Where {name} wins:** {_box_text(disc['wins'], name)}.",
            f"**Where {base_name} wins:** {_box_text(disc['losses'], base_name)}.",
        ]
        if disc["wins"] or disc["losses"]:
            blocks.append(
                figures.block(
                    f"prim{suffix}",
                    f"Scenario discovery (PRIM): where {name} or {base_name} wins",
                    figures.prim_boxes(ps, sw.params, disc, name, base_name),
                )
            )
            rows = []
            for key, who in (("wins", f"{name} wins"), ("losses", f"{base_name} wins")):
                box = disc[key]
                for r in box["restricted"] if box else []:
                    rows.append(
                        {"box": who, "coverage": box["coverage"], "density": box["density"], "mass": box["mass"], **r}
                    )
            box_csv = pd.DataFrame(rows)
            if not box_csv.empty:
                shown = pd.DataFrame(
                    {
                        "box": box_csv["box"],
                        "parameter": box_csv["parameter"],
                        "box range": [
                            f"{num(a)} – {num(b)}" for a, b in zip(box_csv["low"], box_csv["high"], strict=True)
                        ],
                        "sampled range": [
                            f"{num(a)} – {num(b)}"
                            for a, b in zip(box_csv["range_low"], box_csv["range_high"], strict=True)
                        ],
                        "quasi-p (low, high)": [
                            f"{'–' if pd.isna(a) else f'{a:.2g}'}, {'–' if pd.isna(b) else f'{b:.2g}'}"
                            for a, b in zip(box_csv["qp_low"], box_csv["qp_high"], strict=True)
                        ],
                        "coverage": [f"{c:.0%}" for c in box_csv["coverage"]],
                        "density": [f"{d:.0%}" for d in box_csv["density"]],
                    }
                )
                blocks.append(
                    Block(
                        "table",
                        "PRIM boxes (quasi-p: significance of each restriction)",
                        table=shown,
                        csv=box_csv,
                        name=f"prim_boxes{suffix}",
                    )
                )
        blocks.append(Block("ul", items=lines))
        sens = stats.sensitivity(ps, sw.sampling or {})
        if sens and sens["complete"]:
            key = sens["key"]
            blocks.append(
                figures.block(
                    f"sensitivity{suffix}",
                    f"Global sensitivity of Δ {metric}",
                    figures.indices(sens, metric, name, base_name),
                )
            )
            t = sens["table"]
            shown = t.copy()
            for c in shown.columns[1:]:
                shown[c] = [f"{v:.3f}" for v in shown[c]]
            blocks.append(
                Block(
                    "table",
                    f"Sensitivity indices of Δ {metric} ({sens['design']} design)",
                    table=shown,
                    csv=t,
                    name=f"sensitivity{suffix}",
                )
            )
            lines.append(
                f"**What drives it:** {_top_drivers(sens)}. Replication noise is about {sens['noise_share']:.0%} of "
                f"the spread of the per-point differences."
            )
            top = list(t["parameter"].head(2))
        else:
            have = f" ({sens['have']} of {sens['total']} design points have results)" if sens else ""
            blocks.append(Block("p", f"Global sensitivity needs every design point{have}; rerun the sweep to finish."))
            top = _fallback_top(disc, sw.params)
        ps_csv = ps.rename(columns={"diff": f"diff_{metric}", "diff_var": f"diff_{metric}_var_over_replications"})
        blocks.append(Block("table", csv=ps_csv, name=f"sample_differences{suffix}", table=None))
        blocks.append(
            Block("p", f"Per design point: the drawn values and Δ {metric}: `tables/sample_differences{suffix}.csv`.")
        )
        # Heatmap over the two most influential parameters (binned into quintiles).
        x, y = args.heatmap or (top[0], top[1] if len(top) > 1 else top[0])
        if x in ps.columns and y in ps.columns and x != y:
            hm = stats.heatmap(ps, x, y, "diff")
            title = f"Δ {metric} ({name} − {base_name}) by {y} and {x}"
            blocks.append(figures.block(f"heatmap{suffix}", title, figures.heat(hm, x, y, metric, True, title)))
            blocks.append(Block("table", csv=hm, name=f"heatmap{suffix}", table=None))
            blocks.append(
                Block(
                    "p",
                    f"Mean Δ per cell of the two most influential parameters (quintile bins): "
                    f"`tables/heatmap{suffix}.csv`.",
                )
            )
        summary += lines
    summary[:0] = best_items(sw, acc, rank, metric)
    return summary


def _fallback_top(disc: dict[str, Any], params: list[str]) -> list[str]:
    return figures._most_restricted(disc, params)
