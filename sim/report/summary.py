"""The report's summary in words: the best option, by how much, how sure, and its trade-off.

:func:`grid_summary` writes the summary of a grid sweep; :func:`trade_off` (also used
for each option of a sampled experiment) names what an option gains and what it pays
against another, component by component of the public account.
"""

from __future__ import annotations

import pandas as pd

from sim.report import figures, stats
from sim.report.data import Sweep
from sim.report.document import ci, num, signed
from sim.run import ACCOUNT


def _change(col: str, a: float, b: float) -> str:
    """How a component moves from b (comparator) to a (option), in words."""
    name = col.replace("_", " ")
    if col in ("legitimacy", "trust", "evasion_rate", "data_shared", "misallocation"):
        ratio = f" (×{a / b:.1f})" if b > 0 and (a / b >= 1.5 or a / b <= 0.67) else ""
        return f"{name} {num(b)} → {num(a)}{ratio}"
    rel = f" {(a - b) / abs(b):+.0%}".replace("-", "−") if b else ""
    return f"{name}{rel} ({num(b)} → {num(a)} kEUR)"


def trade_off(acc: pd.DataFrame, dif_row: pd.Series, option: str, other: str) -> str:
    """The main trade-off of ``option`` against ``other``: what it gains and what it pays.

    Components are ordered by what they add to (or take from) the public-value
    difference (the ``contribution_*`` columns of :func:`stats.paired`); the two largest of each
    sign are named.
    """
    contrib = {c: float(dif_row[f"contribution_{c}"]) for c in ACCOUNT[:5]}
    a = acc.set_index("option")
    gains = sorted([(v, c) for c, v in contrib.items() if v > 0], reverse=True)
    losses = sorted([(v, c) for c, v in contrib.items() if v < 0])

    def part(v: float, c: str) -> str:
        return f"{_change(c, a.loc[option, f'{c}_mean'], a.loc[other, f'{c}_mean'])}, {signed(v)} kEUR of public value"

    text = f"against {other}, it gains from " + ("; ".join(part(v, c) for v, c in gains[:2]) or "nothing")
    text += (", but pays with " + "; ".join(part(v, c) for v, c in losses[:2])) if losses else ", and pays nothing"
    ev_a, ev_b = a.loc[option, "evasion_rate_mean"], a.loc[other, "evasion_rate_mean"]
    if (ev_b > 0 and ev_a / ev_b >= 1.5) or (ev_b == 0 and ev_a > 0):
        text += f"; evasion rises from {ev_b:.2%} to {ev_a:.2%} of actors per round"
    return text + "."


def _ci_of(frame_row: pd.Series, prefix: str, sign: bool = False) -> str:
    """``mean (low to high)`` of the columns ``{prefix}_mean``, ``_ci95_low``, ``_ci95_high``."""
    return ci(frame_row[f"{prefix}_mean"], frame_row[f"{prefix}_ci95_low"], frame_row[f"{prefix}_ci95_high"], sign)


def grid_summary(
    sw: Sweep, acc: pd.DataFrame, rank: pd.DataFrame, dif: pd.DataFrame, base_of: dict[str, str], metric: str
) -> list[str]:
    """Plain-language summary of a grid sweep: best option, by how much, how sure, the trade-off."""
    best, n = rank.iloc[0], int(rank["n_worlds"].iloc[0])
    a = acc.set_index("option")
    unit = figures.UNITS.get(metric, "")
    items = [
        f"**Best option: {best.option}**, with {metric} {_ci_of(a.loc[best.option], metric)} {unit} "
        f"(mean and 95% interval over {int(a.loc[best.option, 'n'])} worlds)."
    ]
    if len(rank) > 1:
        second = rank.iloc[1]
        m, lo, hi, k = stats.difference(sw, best.option, second.option, metric)
        sure = "the interval excludes 0: the order is clear" if lo > 0 else "the interval includes 0: not told apart"
        items.append(
            f"**How sure:** it was the best option in {best.p_best:.0%} of the {n} worlds (probability best "
            f"{best.p_best:.2f}, mean rank {best.mean_rank:.1f}). It beats the runner-up, {second.option}, by "
            f"{ci(m, lo, hi, sign=True)} kEUR (paired over {k} worlds); {sure}."
        )
    # The trade-off is told against the best option's baseline, or else against the runner-up.
    other = base_of.get(best.option)
    if other is not None and best.option in set(dif.option):
        row = dif.set_index("option").loc[best.option]
        b_mean = a.loc[other, f"{metric}_mean"]
        rel = f" ({row[f'diff_{metric}_mean'] / abs(b_mean):+.0%})" if b_mean else ""
        items.append(
            f"**By how much:** against its baseline, {other}, it adds {_ci_of(row, f'diff_{metric}', True)} kEUR"
            f"{rel} per run (paired)."
        )
    elif len(rank) > 1:
        other = rank.iloc[1].option
        row = stats.paired(sw, {best.option: other}).iloc[0]
    if other is not None:
        items.append(f"**Trade-off:** {trade_off(acc, row, best.option, other)}")
    if not dif.empty:
        worst = dif.iloc[-1]
        better = int((dif[f"diff_{metric}_ci95_low"] > 0).sum())
        worse = int((dif[f"diff_{metric}_ci95_high"] < 0).sum())
        text = (
            f"Of the {len(dif)} options compared with their baseline, {better} {'is' if better == 1 else 'are'} "
            f"clearly better and {worse} clearly worse (95% interval of the paired difference away from 0)."
        )
        if worst[f"diff_{metric}_mean"] < 0:
            text += (
                f" The largest loss: {worst.option} against {worst.baseline}, "
                f"{_ci_of(worst, f'diff_{metric}', True)} kEUR."
            )
        items.append(text)
    return items
