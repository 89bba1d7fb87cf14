"""Assembling the decision report of a sweep: its blocks (:class:`~sim.report.document.Block`) in reading order.

:func:`build` lays the report out: the header, the summary, the public account per
option, the paired differences from the baseline, the ranking, the rounds; then, for a
grid sweep, a heatmap of two swept dimensions or, for a sampled experiment, the section
of :mod:`sim.report.sampled`; and the method. The numbers come from
:mod:`sim.report.stats`, the figures from :mod:`sim.report.figures` and the summary's
sentences from :mod:`sim.report.summary`.
"""

from __future__ import annotations

import argparse

import pandas as pd

from sim.report import data, figures, groups, stats
from sim.report.data import Sweep
from sim.report.document import Block, ci_column
from sim.report.sampled import sampled_section
from sim.report.summary import grid_summary
from sim.run import ACCOUNT

DEFAULT_BASELINE = "regime=closed"  # the closed regime of the same role (or other swept choices)


# Short column heads, so that the tables fit a 1280 px screen; units are in each table's caption.
SHORT = {
    "cost": "cost",
    "benefit": "benefit",
    "negative_side_effects": "neg. side effects",
    "positive_side_effects": "pos. side effects",
    "legitimacy": "legitimacy",
    "public_value": "public value",
    "evasion_rate": "evasion",
}


def _named(sw: Sweep, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a CSV) with the options' readable names beside their labels."""
    out = frame.copy()
    out.insert(out.columns.get_loc("option") + 1, "name", [sw.name(o) for o in out["option"]])
    return out


def _account_display(sw: Sweep, acc: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"option": [sw.name(o) for o in acc["option"]]})
    if acc["n"].nunique() > 1:
        out["worlds"] = acc["n"]
    for col in ACCOUNT:
        out[SHORT[col]] = ci_column(acc, col)
    return out


def _diff_display(sw: Sweep, dif: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"option": [sw.name(o) for o in dif["option"]]})
    if dif["n_pairs"].nunique() > 1:
        out["pairs"] = dif["n_pairs"]
    for col in [*ACCOUNT, "evasion_rate"]:
        out[f"Δ {SHORT[col]}"] = ci_column(dif, f"diff_{col}", sign=True)
    return out


def _rank_display(sw: Sweep, rank: pd.DataFrame, acc: pd.DataFrame, metric: str) -> pd.DataFrame:
    a = acc.set_index("option").loc[rank["option"]].reset_index()
    return pd.DataFrame(
        {
            "rank": rank["rank"],
            "option": [sw.name(o) for o in rank["option"]],
            f"{figures.title_of(metric).lower()} (95% interval)": ci_column(a, metric),
            "P(best)": [f"{p:.2f}" for p in rank["p_best"]],
            "mean rank": [f"{r:.1f}" for r in rank["mean_rank"]],
        }
    )


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
        fallback = (
            f" No option has a closed-regime twin in this sweep, so every option is compared with {sw.name(first)}."
        )
    names = {o: sw.name(o) for o in sw.options["option"]}
    acc = stats.account(sw)
    dif = stats.paired(sw, base_of)
    rank = stats.ranking(sw, metric)
    first_cfg = sw.cell_summary(sw.table["cell"].iloc[0]).get("config", {})
    run_cfg = first_cfg.get("run", {})
    actors = first_cfg.get("world", {}).get("actors")
    actors = f"{actors:,}" if isinstance(actors, int) else "?"  # '?' when the cell's summary.json is unreadable
    n_cells = sw.table["cell"].nunique()
    reps = sorted(sw.table["replication"].unique())
    blocks = [
        Block("h1", f"Decision report: {title(sw)}"),
        Block(
            "p",
            f"Sweep `{sw.root}`: arrangement {', '.join(map(str, sw.table['arrangement'].unique()))}; {n_cells} cells, "
            f"{len(sw.options)} options ({', '.join(sw.dims) or 'one option'}), {len(reps)} replications each"
            + (f" × {sw.table['sampling.sample'].nunique()} sampled worlds" if sw.sampled else "")
            + f"; {actors} actors, {run_cfg.get('rounds', '?')} rounds, "
            f"seed {run_cfg.get('seed', '?')}. Account in kEUR per run (sums over rounds); legitimacy, trust and "
            f"rates are means over rounds in [0, 1]. Every interval is a 95% interval over worlds that stays within "
            f"what the quantity can be (see Method); every difference is paired world by world (common random "
            f"numbers).",
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
    n_worlds = f"{int(acc['n'].iloc[0])} worlds" if acc["n"].nunique() == 1 else "worlds"
    blocks.append(
        Block(
            "table",
            f"Public account per option: mean (95% interval) over {n_worlds}; kEUR per run, legitimacy 0–1",
            table=_account_display(sw, acc),
            csv=_named(sw, acc),
            name="account",
        )
    )

    # ---- the winner within each problem type (sim.report.groups; a sweep that varies `problem` only)
    blocks += groups.section(sw.table, sw.dims, sw.worlds, metric)
    summary += groups.summary_items(sw.table, sw.dims, sw.worlds, metric)

    # ---- paired differences
    blocks.append(Block("h2", f"Paired differences against the baseline ({args.baseline})"))
    if dif.empty:
        blocks.append(Block("p", f"No option has a baseline under `{args.baseline}` in this sweep.{fallback}"))
    else:
        blocks.append(
            Block(
                "p",
                f"Each option minus its baseline (the option with `{args.baseline}` and its other choices the "
                "same), computed in each world and then averaged (the cells share their worlds, so this removes "
                f"the noise the two have in common). An interval that excludes 0 is a clear difference.{fallback}",
            )
        )
        dd = acc.merge(dif, on="option")
        fig = figures.dots(
            dd, sw.dims, ACCOUNT, "diff_", f"Difference from the baseline ({args.baseline})", True, order, ref=acc
        )
        blocks.append(figures.block("differences", "Paired differences from the baseline: mean and 95% interval", fig))
        pairs = f"{int(dif['n_pairs'].iloc[0])} paired worlds" if dif["n_pairs"].nunique() == 1 else "paired worlds"
        blocks.append(
            Block(
                "table",
                f"Paired differences, option − baseline: mean (95% interval) over {pairs}; kEUR per run, "
                "legitimacy and evasion (share of actors) as differences of means over rounds",
                table=_diff_display(sw, dif),
                csv=_named(sw, dif),
                name="differences",
            )
        )

    # ---- ranking
    blocks.append(Block("h2", "Ranking and probability of being best"))
    blocks.append(
        Block(
            "p",
            f"Options ranked by their mean {figures.title_of(metric).lower()} (`{metric}`) over the worlds: the rule "
            f"the summary uses. P(best) is the share of the {int(rank['n_worlds'].iloc[0])} worlds in which the "
            "option has the highest value (ties shared); the mean rank is over the same worlds.",
        )
    )
    blocks.append(
        figures.block(
            "ranking",
            f"Probability of the highest {figures.title_of(metric).lower()}",
            figures.probability_best(rank, metric, names),
        )
    )
    blocks.append(
        Block("table", "Ranking", table=_rank_display(sw, rank, acc, metric), csv=_named(sw, rank), name="ranking")
    )

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
                f"Legitimacy, trust, evasion rate, data shared and misallocation per round for "
                f"{'; '.join(sw.name(o) for o in chosen)}: "
                f"mean over worlds with 95% interval (choose with `--series key=value,...`).{note}",
            )
        )
        blocks.append(
            figures.block(
                "series",
                "Over the rounds (mean and 95% interval; a dotted line: a scheduled change)",
                figures.time_series(ser, chosen, names, stats.changes(sw, chosen)),
            )
        )
        blocks.append(Block("table", csv=ser, name="series", table=None))
        blocks.append(Block("p", "The time series, per option, round and column: `tables/series.csv`."))

    # ---- heatmap (grid) and the sampled analysis
    if sw.sampled:
        summary[:] = sampled_section(sw, args, blocks, base_of, metric, rank, acc)
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
                "Intervals of levels respect what a quantity can be (`sim.glossary.BOUNDS`): shares and rates in "
                "[0, 1] (legitimacy, trust, evasion, data shared, misallocation) get the t-interval on the logit "
                "scale, totals of non-negative amounts (cost, benefit, side effects, harm) on the log scale, each "
                "mapped back (delta method: se on that scale = se / g′(mean), t(0.975, n−1)). So they stay inside "
                "their range and are asymmetric near a bound; far from it they match mean ± t × sd/√n. With few "
                "worlds and a large spread they are wide on the side away from the bound. Public value, which can "
                "be negative, keeps mean ± t × sd/√n (`sim.report.intervals`).",
                "Paired differences: option − baseline in the same world (same seed, replication and design point), "
                "then the mean and its t-interval (a difference may be negative; a difference of shares stays "
                "within ±1). Probability best: share of worlds in which an option is highest.",
                f"Ranking and headline: options are ranked by their mean {metric} over the worlds. The headline "
                f"names a best option only when the paired 95% interval of its difference from every other option "
                f"is above 0; otherwise it says that no option is clearly best. Replications needed: the smallest n "
                f"with n ≥ ((t(0.975, n−1) + t(0.8, n−1)) × sd / Δ)², Δ the mean paired difference and sd its "
                f"standard deviation over worlds (a paired t-test at the 5% level with 80% power).",
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
    what, by = figures.title_of(col), f"{figures.key_name(y)} and {figures.key_name(x)}"
    blocks.append(Block("h2", f"{what} over {by}"))
    hm = stats.heatmap(sw.table, x, y, col)
    title = f"Mean {what.lower()} by {by}"
    blocks.append(figures.block("heatmap", title, figures.heat(hm, x, y, col, False, title)))
    blocks.append(Block("table", csv=hm, name="heatmap", table=None))
    blocks.append(Block("p", f"Mean `{col}` per ({y}, {x}) over all worlds, with counts: `tables/heatmap.csv`."))
