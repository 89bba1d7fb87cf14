"""Assembling the decision report of a sweep: its blocks in order, from the numbers to the words."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from sim.report import data, figures, stats
from sim.report.data import Sweep
from sim.report.document import Block, ci, num
from sim.report.summary import grid_summary, trade_off
from sim.run import ACCOUNT

DEFAULT_BASELINE = "regime=closed"  # the closed regime of the same role (or other swept choices)


def _account_display(acc: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"option": acc["option"], "worlds": acc["n"]})
    for col in ACCOUNT:
        out[f"{col} ({figures.UNITS[col].split(',')[0]})"] = [
            ci(r[f"{col}_mean"], r[f"{col}_ci95_low"], r[f"{col}_ci95_high"]) for _, r in acc.iterrows()
        ]
    return out


def _diff_display(dif: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"option": dif["option"], "baseline": dif["baseline"], "pairs": dif["n_pairs"]})
    for col in [*ACCOUNT, "evasion_rate"]:
        out[f"Δ {col}"] = [
            ci(r[f"diff_{col}_mean"], r[f"diff_{col}_ci95_low"], r[f"diff_{col}_ci95_high"], sign=True)
            for _, r in dif.iterrows()
        ]
    return out


def _rank_display(rank: pd.DataFrame, acc: pd.DataFrame, metric: str) -> pd.DataFrame:
    a = acc.set_index("option")
    return pd.DataFrame(
        {
            "rank": rank["rank"],
            "option": rank["option"],
            f"{metric} (95% interval)": [
                ci(a.loc[o, f"{metric}_mean"], a.loc[o, f"{metric}_ci95_low"], a.loc[o, f"{metric}_ci95_high"])
                for o in rank["option"]
            ],
            "P(best)": [f"{p:.2f}" for p in rank["p_best"]],
            "mean rank": [f"{r:.1f}" for r in rank["mean_rank"]],
        }
    )


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


def _fallback_baseline(sw: Sweep) -> str:
    if "role" in sw.dims and (sw.options["role"] == "none").any():
        return sw.options.loc[sw.options["role"] == "none", "option"].iloc[0]
    order = sw.options.copy()
    for d in reversed(sw.dims):
        rank = {v: i for i, v in enumerate(data.ordered(d, order[d]))}
        order = order.sort_values(d, key=lambda c, rank=rank: c.map(rank), kind="stable")
    return order["option"].iloc[0]


def title(sw: Sweep) -> str:
    """The sweep's name: its last two folders (experiment/arrangement)."""
    return "/".join(sw.root.resolve().parts[-2:])


def _check_numeric(sw: Sweep, option: str, column: str) -> None:
    """Refuse a --metric or --column that is not a numeric column, naming the result columns."""
    table = sw.table
    if column in table.columns and pd.api.types.is_numeric_dtype(table[column]):
        return
    head = set(data._head(table)) | {"config_hash", "replication"}  # the choices and bookkeeping
    results = [c for c in table.columns if c not in head and pd.api.types.is_numeric_dtype(table[c])]
    what = "a column, but not a number" if column in table.columns else "not a column"
    raise ValueError(
        f"{option} {column!r} is not allowed: {what} of {sw.root / data.SUMMARY}. Allowed: a result column, "
        f"{', '.join(results)}"
    )


def build(sw: Sweep, args: argparse.Namespace) -> list[Block]:
    """All blocks of the report, in order."""
    metric = args.metric
    _check_numeric(sw, "--metric", metric)
    base_spec = data.parse_spec(args.baseline)
    base_of = data.baselines(sw, base_spec)
    fallback = ""
    if not base_of and len(sw.options) > 1 and args.baseline == DEFAULT_BASELINE:
        # Nothing to pair with the closed regime (the regime is not swept): compare with doing nothing
        # (role=none) when it was run, else with the first option in display order.
        first = _fallback_baseline(sw)
        base_of = {o: first for o in sw.options["option"] if o != first}
        fallback = f" No option has a closed-regime twin in this sweep, so every option is compared with {first}."
    acc = stats.account(sw)
    dif = stats.paired(sw, base_of)
    rank = stats.ranking(sw, metric)
    first_cfg = sw.cell_summary(sw.table["cell"].iloc[0]).get("config", {})
    run_cfg = first_cfg.get("run", {})
    n_cells = sw.table["cell"].nunique()
    reps = sorted(sw.table["replication"].unique())
    blocks = [
        Block("h1", f"Decision report: {title(sw)}"),
        Block(
            "p",
            f"Sweep `{sw.root}`: arrangement {', '.join(map(str, sw.table['arrangement'].unique()))}; {n_cells} cells, "
            f"{len(sw.options)} options ({', '.join(sw.dims) or 'one option'}), {len(reps)} replications each"
            + (f" × {sw.table['sampling.sample'].nunique()} sampled worlds" if sw.sampled else "")
            + f"; {first_cfg.get('world', {}).get('actors', '?'):,} actors, {run_cfg.get('rounds', '?')} rounds, "
            f"seed {run_cfg.get('seed', '?')}. Account in kEUR per run (sums over rounds); legitimacy, trust and "
            f"rates are means over rounds in [0, 1]. Every interval is a 95% t-interval over worlds; every "
            f"difference is paired world by world (common random numbers).",
        ),
    ]
    summary: list[str] = []
    blocks.append(Block("h2", "Summary"))
    summary_block = Block("ul", name="summary")
    blocks.append(summary_block)

    if not sw.sampled:
        summary += grid_summary(sw, acc, rank, dif, base_of, metric)

    # ---- public account
    blocks.append(Block("h2", "The public account per option"))
    blocks.append(
        Block(
            "p",
            "Each of Moore's five components and their weighted sum, public value: mean and 95% interval over "
            "the worlds (replications"
            + (" × sampled design points" if sw.sampled else "")
            + "). Cost and negative side effects count against public value.",
        )
    )
    order = list(dict.fromkeys(figures._layout(acc.copy(), sw.dims)[0]))
    fig = figures.dots(acc, sw.dims, ACCOUNT, "", "Public account per option (mean, 95% interval)", False, order)
    blocks.append(figures.block("account", "The public account per option: mean and 95% interval", fig))
    blocks.append(Block("table", "Public account per option", table=_account_display(acc), csv=acc, name="account"))

    # ---- paired differences
    blocks.append(Block("h2", f"Paired differences against the baseline ({args.baseline})"))
    if dif.empty:
        blocks.append(Block("p", f"No option has a baseline under `{args.baseline}` in this sweep.{fallback}"))
    else:
        blocks.append(
            Block(
                "p",
                "Each option minus its baseline, computed in each world and then averaged (the cells share "
                "their worlds, so this removes the noise the two have in common). An interval that excludes 0 "
                f"is a clear difference.{fallback}",
            )
        )
        dd = acc.merge(dif, on="option")
        fig = figures.dots(
            dd, sw.dims, ACCOUNT, "diff_", f"Difference from the baseline ({args.baseline})", True, order, ref=acc
        )
        blocks.append(figures.block("differences", "Paired differences from the baseline: mean and 95% interval", fig))
        blocks.append(
            Block(
                "table", "Paired differences (option − baseline)", table=_diff_display(dif), csv=dif, name="differences"
            )
        )

    # ---- ranking
    blocks.append(Block("h2", "Ranking and probability of being best"))
    blocks.append(
        Block(
            "p",
            f"Options ranked by mean {metric}. P(best) is the share of the {int(rank['n_worlds'].iloc[0])} worlds in "
            "which the option has the highest value (ties shared); the mean rank is over the same worlds.",
        )
    )
    blocks.append(
        figures.block("ranking", f"Probability of the highest {metric}", figures.probability_best(rank, metric))
    )
    blocks.append(Block("table", "Ranking", table=_rank_display(rank, acc, metric), csv=rank, name="ranking"))

    # ---- time series
    blocks.append(Block("h2", "Over the rounds"))
    chosen = _series_options(sw, args, rank, base_of)
    ser, missing = stats.series(sw, chosen)
    if ser.empty:
        blocks.append(Block("p", "No rounds.parquet of the chosen options could be read."))
    else:
        note = f" Unreadable cells left out: {', '.join(missing)}." if missing else ""
        blocks.append(
            Block(
                "p",
                f"Legitimacy, trust, evasion rate, data shared and misallocation per round for {', '.join(chosen)}: "
                f"mean over worlds with 95% interval (choose with `--series key=value,...`).{note}",
            )
        )
        blocks.append(
            figures.block("series", "Over the rounds (mean and 95% interval)", figures.time_series(ser, chosen))
        )
        blocks.append(Block("table", csv=ser, name="series", table=None))
        blocks.append(Block("p", "The time series, per option, round and column: `tables/series.csv`."))

    # ---- heatmap (grid) and the sampled analysis
    if sw.sampled:
        summary[:] = _sampled(sw, args, blocks, base_of, metric, rank, acc)
    else:
        _grid_heatmap(sw, args, blocks)
        blocks.append(Block("h2", "When does open beat closed?"))
        blocks.append(
            Block(
                "p",
                "This sweep is a grid, so it holds no uncertain parameters to search. Run the sampled experiment "
                "(`python -m sim experiment=sensitivity`) and report its folder for scenario discovery and "
                "global sensitivity.",
            )
        )
    summary_block.items = summary
    blocks.append(Block("h2", "Method"))
    blocks.append(
        Block(
            "ul",
            items=[
                "Source: `summary.parquet` (one row per cell × replication, run totals) and, for the time series, "
                "each cell's `rounds.parquet`. Rebuilding the report gives the same numbers.",
                "Intervals: mean ± t(0.975, n−1) × sd/√n over worlds (`sim.run.interval`).",
                "Paired differences: option − baseline in the same world (same seed, replication and design point), "
                "then mean and interval. Probability best: share of worlds in which an option is highest.",
                "Scenario discovery: PRIM (ema-workbench) on the sign of the per-sample mean difference, peeling "
                f"α 0.05, minimum mass 0.05. The box kept has the highest coverage among those whose density reaches "
                f"{stats.DENSITY:.0%} and halves the share of other cases; restrictions with quasi-p > 0.05 are "
                "dropped, and coverage and density are then counted from the points.",
                "Global sensitivity: SALib (Sobol' first-order and total indices for a Saltelli design, Morris μ* "
                "and σ for a Morris design, RBD-FAST first-order indices for a Latin hypercube) of the per-sample mean "
                "difference, with 95% bootstrap intervals (fixed seed).",
            ],
        )
    )
    return blocks


def _series_options(sw: Sweep, args: argparse.Namespace, rank: pd.DataFrame, base_of: dict[str, str]) -> list[str]:
    if args.series:
        chosen: list[str] = []
        for spec in args.series:
            hit = data.select(sw, data.parse_spec(spec))
            if not hit:
                raise ValueError(f"--series {spec} matches no option of this sweep")
            chosen += [h for h in hit if h not in chosen]
        return chosen[: len(figures.PALETTE)]
    if sw.sampled or len(sw.options) <= 4:
        return list(rank["option"])[:4]
    chosen = list(rank["option"].head(2))
    base = base_of.get(chosen[0])
    if base and base not in chosen:
        chosen.append(base)
    return chosen


def _grid_heatmap(sw: Sweep, args: argparse.Namespace, blocks: list[Block]) -> None:
    col = args.column
    if args.heatmap:
        x, y = args.heatmap
    elif len(sw.dims) >= 2:
        x, y = sw.dims[-1], sw.dims[0]
    else:
        return
    for d in (x, y):
        if d not in sw.table.columns:
            raise ValueError(f"--heatmap {d} is not a column of summary.parquet (swept: {', '.join(sw.dims)})")
    _check_numeric(sw, "--column", col)
    blocks.append(Block("h2", f"{col} over {y} and {x}"))
    hm = stats.heatmap(sw.table, x, y, col)
    title = f"Mean {col} by {y} and {x}"
    blocks.append(figures.block("heatmap", title, figures.heat(hm, x, y, col, False, title)))
    blocks.append(Block("table", csv=hm, name="heatmap", table=None))
    blocks.append(Block("p", f"Mean {col} per ({y}, {x}) over all worlds, with counts: `tables/heatmap.csv`."))


def _sampled(sw, args, blocks, base_of, metric, rank, acc) -> list[str]:
    """Scenario discovery and global sensitivity for each option against its baseline."""
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
        return [f"Best option: {rank.iloc[0].option} (probability best {rank.iloc[0].p_best:.2f})."]
    for k, (opt, base) in enumerate(base_of.items()):
        suffix = "" if len(base_of) == 1 else f"_{k + 1}"
        ps = stats.per_sample(sw, opt, base, metric)
        m, lo, hi, n = stats.difference(sw, opt, base, metric)
        wins = float((ps["diff"] > 0).mean())
        blocks.append(Block("h3", f"{opt} against {base}"))
        blocks.append(
            figures.block(
                f"sample_differences{suffix}",
                f"Δ {metric} over the sampled worlds",
                figures.sample_histogram(ps, opt, base, metric),
            )
        )
        disc = stats.discovery(ps, sw.params)
        row = stats.paired(sw, {opt: base}).iloc[0]
        lines = [
            f"**{opt} beats {base} in {wins:.0%} of the {len(ps)} sampled worlds**; over all {n} paired worlds "
            f"Δ {metric} = {ci(m, lo, hi, sign=True)} kEUR per run.",
            f"**Trade-off** (mean over the sampled worlds): {trade_off(acc, row, opt, base)}",
            f"**Where {opt} wins:** {_box_text(disc['wins'], opt)}.",
            f"**Where {base} wins:** {_box_text(disc['losses'], base)}.",
        ]
        if disc["wins"] or disc["losses"]:
            blocks.append(
                figures.block(
                    f"prim{suffix}",
                    f"Scenario discovery (PRIM): where {opt} or {base} wins",
                    figures.prim_boxes(ps, sw.params, disc, opt, base),
                )
            )
            rows = []
            for key, who in (("wins", f"{opt} wins"), ("losses", f"{base} wins")):
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
                    figures.indices(sens, metric, opt, base),
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
            title = f"Δ {metric} ({opt} − {base}) by {y} and {x}"
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
    best = rank.iloc[0]
    a = acc.set_index("option").loc[best.option]
    summary.insert(
        0,
        f"**Averaged over the sampled worlds, the best option is {best.option}**: {metric} "
        f"{ci(a[f'{metric}_mean'], a[f'{metric}_ci95_low'], a[f'{metric}_ci95_high'])} kEUR per run; best in "
        f"{best.p_best:.0%} of the {int(best.n_worlds)} worlds.",
    )
    return summary


def _fallback_top(disc: dict[str, Any], params: list[str]) -> list[str]:
    return figures._most_restricted(disc, params)
