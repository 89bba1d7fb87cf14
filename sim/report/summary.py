"""The report's summary in words: which option is best (only if one clearly is), how sure, by how much, the trade-off.

:func:`best_items` writes the headline of any sweep: the best option when it is clearly
ahead of every other, else that none is, and how many replications would tell;
:func:`grid_summary` adds, for a grid sweep, the difference from the baseline and the
trade-off; :func:`trade_off` (also used for each option of a sampled experiment) names
what an option gains and what it pays against another, component by component of the
public account.
"""

from __future__ import annotations

from collections.abc import Callable

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


def trade_off(acc: pd.DataFrame, dif_row: pd.Series, option: str, other: str, name: Callable[[str], str] = str) -> str:
    """The main trade-off of ``option`` against ``other``: what it gains and what it pays.

    Components are ordered by what they add to (or take from) the public-value
    difference (the ``contribution_*`` columns of :func:`stats.paired`); the two largest of each
    sign are named. ``name`` gives the readable name of an option (:meth:`Sweep.name`).
    """
    contrib = {c: float(dif_row[f"contribution_{c}"]) for c in ACCOUNT[:5]}
    a = acc.set_index("option")
    gains = sorted([(v, c) for c, v in contrib.items() if v > 0], reverse=True)
    losses = sorted([(v, c) for c, v in contrib.items() if v < 0])

    def part(v: float, c: str) -> str:
        return f"{_change(c, a.loc[option, f'{c}_mean'], a.loc[other, f'{c}_mean'])}, {signed(v)} kEUR of public value"

    text = f"against {name(other)}, it gains from " + ("; ".join(part(v, c) for v, c in gains[:2]) or "nothing")
    text += (", but pays with " + "; ".join(part(v, c) for v, c in losses[:2])) if losses else ", and pays nothing"
    ev_a, ev_b = a.loc[option, "evasion_rate_mean"], a.loc[other, "evasion_rate_mean"]
    if (ev_b > 0 and ev_a / ev_b >= 1.5) or (ev_b == 0 and ev_a > 0):
        text += f"; evasion rises from {_percent(ev_b)} to {_percent(ev_a)} of actors per round"
    return text + "."


def _percent(share: float) -> str:
    """A small share as a percentage with two significant digits (0.0012%, not 0.00%)."""
    return "0%" if share == 0 else f"{100 * share:.2g}%"


def _ci_of(frame_row: pd.Series, prefix: str, sign: bool = False) -> str:
    """``mean (low to high)`` of the columns ``{prefix}_mean``, ``_ci95_low``, ``_ci95_high``."""
    return ci(frame_row[f"{prefix}_mean"], frame_row[f"{prefix}_ci95_low"], frame_row[f"{prefix}_ci95_high"], sign)


def _worlds(sw: Sweep, n: int | None) -> str:
    """``n`` worlds, said as replications when a world is a replication (the setting to change)."""
    if n is None:
        return "more worlds than any sweep could run"
    return f"{n:,} replications (`run.replications={n}`)" if sw.worlds == ["replication"] else f"{n:,} paired worlds"


def _em(sw: Sweep, option: str) -> str:
    """An option's readable name in running text (emphasised: names hold commas)."""
    return f"*{sw.name(option)}*"


def best_items(sw: Sweep, acc: pd.DataFrame, rank: pd.DataFrame, metric: str) -> list[str]:
    """The summary's first lines: which option is best, and only if it clearly is; how sure; enough replications?

    The ranking's rule is the mean of ``metric`` over the worlds (:func:`stats.ranking`).
    Its top option is named best only when its paired 95% interval against every other
    option is above 0; otherwise the headline says that no option is clearly best and
    names the options it is not told apart from. Then, when the order is not clear, how
    many worlds would tell the top option from the others with 80% power
    (:func:`~sim.report.intervals.replications_needed`, from the observed paired sd).
    """
    best = rank.iloc[0]
    a = acc.set_index("option")
    label, unit = figures.title_of(metric).lower(), figures.UNITS.get(metric, "")
    dunit = unit.split(" per ")[0] if unit.startswith("kEUR") else unit
    worlds = int(a.loc[best.option, "n"])
    level = f"{label} {_ci_of(a.loc[best.option], metric)} {unit} (mean and 95% interval over {worlds} worlds)"
    if len(rank) == 1:
        return [f"**One option:** {_em(sw, best.option)}, with {level}."]
    vs = stats.against(sw, best.option, list(rank["option"].iloc[1:]), metric)
    runner = vs.iloc[0]
    unclear = vs[~(vs["low"] > 0)]

    def gap(r: pd.Series) -> str:
        return f"{_em(sw, r.other)}: {ci(r['mean'], r.low, r.high, sign=True)} {dunit}"

    # A sampled experiment's mean is over the sampled worlds too: the headline says so.
    over = " averaged over the sampled worlds" if sw.sampled else ""
    if unclear.empty:
        closest = vs.loc[vs["low"].idxmin()]
        others = (
            "the other option: the 95% interval of the difference is"
            if len(vs) == 1
            else (f"each of the other {len(vs)} options: the 95% interval of every difference is")
        )
        items = [
            f"**Best option{over}: {sw.name(best.option)}**, with {level}. Paired world by world it is ahead of "
            f"{others} above 0 ({'' if len(vs) == 1 else 'the closest, '}{gap(closest)})."
        ]
    else:
        runner_unclear = runner.other in set(unclear.other)
        example = f"the runner-up {gap(runner)}" if runner_unclear else f"such as {gap(unclear.iloc[0])}"
        told = "the other option" if len(vs) == 1 else f"{len(unclear)} of the other {len(vs)} options"
        items = [
            f"**No option is clearly best{over}.** {_em(sw, best.option)} has the highest mean {label}, the rule "
            f"the ranking uses: {level}. But paired world by world it is not told apart from {told} (the 95% "
            f"interval of the difference includes 0), {example}."
        ]
    sure = (
        f"**How sure:** {_em(sw, best.option)} has the highest {label} in {best.p_best:.0%} of the "
        f"{int(best.n_worlds)} worlds (probability best {best.p_best:.2f}) and a mean rank of {best.mean_rank:.1f}"
    )
    leader = rank.loc[rank["mean_rank"].idxmin()]
    if leader.mean_rank < best.mean_rank:
        sure += (
            f"; {_em(sw, leader.option)} has the best mean rank, {leader.mean_rank:.1f}: which option is highest "
            "changes from world to world"
        )
    items.append(sure + ".")
    if not unclear.empty:
        items.append(_too_few(sw, unclear, runner, label, dunit))
    return items


def _need(row: pd.Series) -> int | None:
    return None if pd.isna(row["needed"]) else int(row["needed"])


def _too_few(sw: Sweep, unclear: pd.DataFrame, runner: pd.Series, label: str, dunit: str) -> str:
    """The warning that the replications are too few for the differences shown, and how many would do."""
    text = f"**Too few replications for these differences:** with {int(runner.n)} paired worlds, "
    pair = runner.other in set(unclear.other)
    if pair:
        text += (
            f"the top two differ by {ci(runner['mean'], runner.low, runner.high, sign=True)} {dunit}, with a "
            f"standard deviation of {num(runner.sd)} {dunit} from world to world. Telling them apart would take "
            f"about {_worlds(sw, _need(runner))}"
        )
        rest = unclear[unclear.other != runner.other]
    else:
        text += f"the top option is clearly ahead of the runner-up but not of {len(unclear)} others"
        rest = unclear
    needed = [int(v) for v in rest["needed"] if pd.notna(v)]
    if needed and (not pair or _need(runner) is None or max(needed) > _need(runner)):
        text += "; telling it from all the others" if pair else ". Telling it from them would take"
        text += f" up to {_worlds(sw, max(needed))}"
    same = int(rest["needed"].isna().sum())
    if same:
        text += (
            f" ({same} give the same {label} as the top option in every world: no number of worlds tells them apart)"
        )
    return text + ". Power 80% at the 5% level, from the observed paired standard deviation (see Method)."


def grid_summary(
    sw: Sweep, acc: pd.DataFrame, rank: pd.DataFrame, dif: pd.DataFrame, base_of: dict[str, str], metric: str
) -> list[str]:
    """Plain-language summary of a grid sweep: the best option (if one is), how sure, by how much, the trade-off."""
    best = rank.iloc[0]
    a = acc.set_index("option")
    unit = figures.UNITS.get(metric, "")
    dunit = unit.split(" per ")[0] if unit.startswith("kEUR") else unit
    items = best_items(sw, acc, rank, metric)
    # The trade-off is told against the top option's baseline, or else against the runner-up.
    other = base_of.get(best.option)
    if other is not None and best.option in set(dif.option):
        row = dif.set_index("option").loc[best.option]
        b_mean = a.loc[other, f"{metric}_mean"]
        rel = f" ({row[f'diff_{metric}_mean'] / abs(b_mean):+.0%})".replace("-", "−") if b_mean else ""
        items.append(
            f"**By how much:** {_em(sw, best.option)} adds {_ci_of(row, f'diff_{metric}', True)} {dunit}{rel} "
            f"per run to its baseline, {_em(sw, other)} (paired)."
        )
    elif len(rank) > 1:
        other = rank.iloc[1].option
        row = stats.paired(sw, {best.option: other}).iloc[0]
    if other is not None:
        items.append(f"**Trade-off:** {trade_off(acc, row, best.option, other, lambda o: _em(sw, o))}")
    if not dif.empty:
        worst = dif.iloc[-1]
        better = int((dif[f"diff_{metric}_ci95_low"] > 0).sum())
        worse = int((dif[f"diff_{metric}_ci95_high"] < 0).sum())
        text = (
            f"Of the {len(dif)} options compared with their baseline, {better} {'is' if better == 1 else 'are'} "
            f"clearly better and {worse} clearly worse (95% interval of the paired difference away from 0)."
        )
        unclear = dif[(dif[f"diff_{metric}_ci95_low"] <= 0) & (dif[f"diff_{metric}_ci95_high"] >= 0)]
        needed = unclear[f"diff_{metric}_needed"].dropna()
        if len(needed):
            text += (
                f" For the {len(unclear)} not told from their baseline, the median would need about "
                f"{_worlds(sw, int(needed.median()))} for its difference to be clear (80% power)."
            )
        if worst[f"diff_{metric}_mean"] < 0:
            text += (
                f" The largest mean loss: {_em(sw, worst.option)} against {_em(sw, worst.baseline)}, "
                f"{_ci_of(worst, f'diff_{metric}', True)} {dunit}."
            )
        items.append(text)
    return items
