"""Which option wins within each group of a sweep: the strategy per problem type (table 7).

The ``hoppe`` experiment (``conf/experiment/hoppe.yaml``) runs every basic strategy
(``conf/strategy/``) in every problem type (``conf/problem/``). The essay's table 7
says which strategy suits which type; this section shows which one the model finds
best in each, and how sure that is. Within a problem type the strategies share their
worlds (the same seed and replications: common random numbers), so each strategy is
compared with the best one world by world (paired), and a winner is *clear* when
every other strategy's paired difference from it has an interval below zero.

:func:`winners` computes the table from a sweep's tidy run totals (``summary.parquet``:
one row per cell x replication); :func:`display` formats it one row per group;
:func:`section` gives the report's blocks (:mod:`sim.report.document` writes them as
HTML, Markdown and CSV) for a sweep that varies ``problem``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.report.document import Block, ci
from sim.run import interval

GROUP = "problem"  # the swept choice whose values are the groups
OPTION = "strategy"  # the swept choice compared within each group, when the sweep has it
# Display order of the groups and options: table 7's rows, from consensus to dissensus.
ORDER = {
    GROUP: ["structured", "knowledge_contested", "values_contested", "unstructured"],
    OPTION: ["expert_solution", "coalition_experiment", "broaden_issue", "shared_discourse"],
}


# The strategy table 7 gives each problem type (the same row of the table).
ESSAY = dict(zip(ORDER[GROUP], ORDER[OPTION], strict=True))
ESSAY_COLUMN = "table 7's strategy (paired, against the winner)"


def _plural(option: str) -> str:
    return "strategies" if option == OPTION else "options"


def _ordered(col: str, values: Sequence[object]) -> list[object]:
    known = ORDER.get(col, [])
    vals = list(dict.fromkeys(values))
    return sorted(vals, key=lambda v: (known.index(v) if v in known else len(known), str(v)))


def winners(
    totals: pd.DataFrame,
    group: str = GROUP,
    option: str = OPTION,
    worlds: Sequence[str] = ("replication",),
    metric: str = "public_value",
) -> pd.DataFrame:
    """Per group and option: the mean ``metric`` with its interval, and the paired difference from the group's best.

    Args:
        totals: One row per cell x world, with the columns ``group``, ``option``,
            ``worlds`` and ``metric`` (a sweep's ``summary.parquet``).
        group: The column whose values are the groups (``problem``).
        option: The column whose values are compared within a group (``strategy``).
        worlds: The columns that identify a world; options are paired on them.
        metric: The run total compared.

    Returns:
        One row per (group, option), groups and options in display order, with ``n``
        (worlds), ``mean``, ``ci95_low``, ``ci95_high``, ``best`` (the group's highest
        mean over the worlds every option ran), ``diff_mean``, ``diff_ci95_low``,
        ``diff_ci95_high`` (option minus the best, paired; 0 for the best itself),
        ``n_pairs``, ``p_best`` (share of worlds in which the option is highest, ties
        shared) and ``clear`` (for the best: every other option's difference interval
        lies below 0).

    Raises:
        ValueError: A column missing, or two rows for one group, option and world.
    """
    worlds = list(worlds)
    missing = [c for c in [group, option, *worlds, metric] if c not in totals.columns]
    if missing:
        raise ValueError(f"the totals lack the column(s) {', '.join(missing)}")
    if totals.duplicated([group, option, *worlds]).any():
        raise ValueError(f"more than one row per {group}, {option} and world ({', '.join(worlds)})")
    rows = []
    for g in _ordered(group, totals[group]):
        here = totals[totals[group] == g]
        wide = here.pivot_table(index=worlds, columns=option, values=metric, aggfunc="first").dropna()
        opts = _ordered(option, here[option])
        wide = wide[opts]  # worlds every option of the group ran (a sweep may still be running)
        vals = wide.to_numpy(dtype=float)
        top = vals == vals.max(axis=1, keepdims=True) if len(vals) else np.zeros_like(vals, dtype=bool)
        p_best = (top / top.sum(axis=1, keepdims=True)).mean(axis=0) if len(vals) else np.full(len(opts), math.nan)
        best = opts[int(np.argmax(vals.mean(axis=0)))] if len(vals) else None
        block = []
        for k, o in enumerate(opts):
            m, lo, hi = interval(here.loc[here[option] == o, metric].to_numpy(dtype=float))
            if best is None:
                d = (math.nan, math.nan, math.nan)
            elif o == best:
                d = (0.0, 0.0, 0.0)
            else:
                d = interval(wide[o].to_numpy() - wide[best].to_numpy())
            block.append(
                {
                    group: g,
                    option: o,
                    "n": int((here[option] == o).sum()),
                    "mean": m,
                    "ci95_low": lo,
                    "ci95_high": hi,
                    "best": o == best,
                    "diff_mean": d[0],
                    "diff_ci95_low": d[1],
                    "diff_ci95_high": d[2],
                    "n_pairs": len(wide),
                    "p_best": float(p_best[k]),
                }
            )
        others = [r for r in block if not r["best"]]
        clear = bool(others) and all(r["diff_ci95_high"] < 0 for r in others)
        for r in block:
            r["clear"] = bool(r["best"] and clear)
        rows += block
    return pd.DataFrame(rows)


def _verdict(block: pd.DataFrame, option: str) -> str:
    """The group's winner in words: clear, or tied with the options it cannot be told from."""
    best = block[block["best"]]
    if best.empty:
        return "–"
    name = str(best[option].iloc[0])
    if bool(best["clear"].iloc[0]):
        return f"{name} (clear)"
    tied = block[~block["best"] & ~(block["diff_ci95_high"] < 0)][option].astype(str)
    return f"{name}, not told apart from {', '.join(tied)}"


def display(table: pd.DataFrame, group: str = GROUP, option: str = OPTION) -> pd.DataFrame:
    """One row per group: each option's mean (95% interval), the winner, and its margin over the runner-up.

    For the problem types and strategies, a last column gives the strategy table 7 advises
    for the type and its paired difference from the winner.

    Args:
        table: What :func:`winners` returns.
        group: Its group column.
        option: Its option column.
    """
    rows = []
    for g, block in table.groupby(group, sort=False):
        row: dict[str, str] = {group: str(g)}
        for r in block.itertuples(index=False):
            row[str(getattr(r, option))] = ci(r.mean, r.ci95_low, r.ci95_high)
        row["winner"] = _verdict(block, option)
        others = block[~block["best"]].sort_values("diff_mean", ascending=False)
        if others.empty:
            row["margin over the runner-up (paired)"] = "–"
        else:
            r = others.iloc[0]
            # best - runner-up: the runner-up's difference from the best, turned round
            row["margin over the runner-up (paired)"] = (
                ci(-r["diff_mean"], -r["diff_ci95_high"], -r["diff_ci95_low"], sign=True) + f" over {r[option]}"
            )
        pick = ESSAY.get(str(g)) if option == OPTION else None
        if pick is not None:  # the essay's advice for this type, as the model finds it
            mine = block[block[option] == pick]
            if mine.empty:
                row[ESSAY_COLUMN] = f"{pick}: not run"
            elif bool(mine["best"].iloc[0]):
                row[ESSAY_COLUMN] = f"{pick}: the winner"
            else:
                r = mine.iloc[0]
                row[ESSAY_COLUMN] = f"{pick}: {ci(r['diff_mean'], r['diff_ci95_low'], r['diff_ci95_high'], sign=True)}"
        rows.append(row)
    return pd.DataFrame(rows).fillna("–")


def section(
    totals: pd.DataFrame, dims: Sequence[str], worlds: Sequence[str], metric: str = "public_value"
) -> list[Block]:
    """The report's section for a sweep that varies ``problem`` (empty for any other sweep).

    Args:
        totals: The sweep's table (``summary.parquet`` rows; with an ``option`` column
            when no ``strategy`` is swept, the label of the other swept choices).
        dims: The sweep's swept choices.
        worlds: The columns that identify a world.
        metric: The run total compared.
    """
    if GROUP not in dims:
        return []
    option = OPTION if OPTION in dims else "option"
    frame = totals
    if option == "option":  # the other swept choices, without the problem, make the option
        rest = [d for d in dims if d != GROUP]
        if not rest:
            return []
        frame = totals.assign(option=totals[rest].astype(str).agg(", ".join, axis=1))
    table = winners(frame, GROUP, option, worlds, metric)
    shown = display(table, GROUP, option)
    clear = int(table["clear"].sum())
    return [
        Block("h2", f"Which {option} wins in which problem type"),
        Block(
            "p",
            f"Mean {metric} per {option} in each problem type (essay §6.5, table 7: consensus or dissensus on "
            f"values and on what data can contribute), with 95% intervals over the worlds. Within a problem type "
            f"the {_plural(option)} share their worlds, so each is compared with the best one world by world; the "
            f"winner is clear where every other {option} is below it with an interval that excludes 0; the last "
            f"columns are the paired margin of the best over the runner-up and, where it was run, the paired "
            f"difference of the {option} the essay advises for the type from the best. A clear winner in {clear} of "
            f"{len(shown)} problem types.",
        ),
        Block("table", f"{metric} per {option} and problem type", table=shown, csv=table, name="problem_winners"),
    ]


def summary_items(totals: pd.DataFrame, dims: Sequence[str], worlds: Sequence[str], metric: str) -> list[str]:
    """One summary line per problem type: its winner (for a sweep that varies ``problem``)."""
    blocks = section(totals, dims, worlds, metric)
    if not blocks:
        return []
    shown = blocks[-1].table
    items = []
    for _, r in shown.iterrows():
        essay = r.get(ESSAY_COLUMN, "")
        pick, _, diff = str(essay).partition(": ")
        said = "" if diff in ("", "not run") else f"; table 7's {pick} is {diff} kEUR against it (paired)"
        said = ", as table 7 advises" if diff == "the winner" else said
        items.append(f"In the **{r[GROUP]}** problem the best is {r['winner']}{said}.")
    return items
