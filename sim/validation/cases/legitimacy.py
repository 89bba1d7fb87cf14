"""Cases 6a-6d: legitimacy that acts, partners who leave and return, and the working practice.

Sources: Tyler, *Why People Obey the Law* (2006) and Sunshine and Tyler (2003): a
loss of legitimacy weakens compliance (6a). Epstein, "Modeling civil violence",
PNAS 99 suppl. 3 (2002): a sudden loss of legitimacy produces an outburst that a
gradual loss of the same size does not (6b). Hirschman, *Exit, Voice, and Loyalty*
(1970) and the essay's rounds model (ch. 5-6): partners without a say leave a closed
arrangement and return when it opens (6c). The essay, §5.3 and table 4: an
exploratory practice puts the work nearer the cause than a blueprint (6d).

Each case is a paired experiment: its two cells share ``run.seed`` (common random
numbers) and differ only in a scheduled change (6a-6c) or the practice (6d); it
passes if the 95% t-interval over replications of the paired difference lies on the
expected side. 6a-6c run with ``feedback=acting`` (docs/ODD.md 7.13), 6d with
``experiment=exploratory_vs_blueprint`` (ODD 7.7).

Scenarios: ``scenarios/validation/legitimacy_shock.yaml``, ``sudden_loss.yaml``,
``coalition_exit.yaml``, ``exploratory_practice.yaml`` (each a preset with the
settings above). Full runs only (``--full``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.run import interval, run_totals
from sim.validation.figures import PALETTE, band, figure
from sim.validation.runner import Group, GroupResult, Row, Runner, run_frame, scenario

TYLER = "Tyler 2006, Why People Obey the Law; Sunshine & Tyler 2003"
EPSTEIN = "Epstein, PNAS 99 suppl. 3, 2002 (Modeling civil violence)"
HIRSCHMAN = "Hirschman 1970, Exit, Voice, and Loyalty; essay ch. 5-6 (rounds model)"
ESSAY_PRACTICE = "essay §5.3, table 4 (exploratory vs blueprint)"

SHOCK_ROUND = 20
SHOCK = f"schedule=[{{round:{SHOCK_ROUND},shock:{{legitimacy:-0.3}}}}]"
GRADUAL = "schedule=[" + ",".join(f"{{round:{r},shock:{{legitimacy:-0.03}}}}" for r in range(20, 30)) + "]"
OPEN_ROUND = 25
REOPEN = f"schedule=[{{round:{OPEN_ROUND},set:{{regime:open}}}}]"
PRACTICE = "experiment=exploratory_vs_blueprint"


def _window(df: pd.DataFrame, col: str, first: int, last: int) -> np.ndarray:
    """Per replication (in order), the mean of ``col`` over rounds first..last."""
    rows = df[(df["round"] >= first) & (df["round"] <= last)]
    return rows.groupby("replication")[col].mean().to_numpy()


def _per_round(df: pd.DataFrame, col: str) -> np.ndarray:
    """``col`` as replications x rounds."""
    return df.pivot(index="replication", columns="round", values=col).to_numpy()


def _ci(values: np.ndarray, unit: str = "") -> str:
    mean, lo, hi = interval(values)
    return f"{mean:+.4g} [{lo:+.4g}, {hi:+.4g}]{unit}"


def _paired_panel(ax, values: np.ndarray, label: str) -> None:
    """Per-replication paired differences, their mean and 95% interval, and zero."""
    mean, lo, hi = interval(values)
    ax.scatter(np.linspace(-0.15, 0.15, len(values)), values, color=PALETTE[0], s=14, label="replications")
    ax.errorbar([0.4], [mean], yerr=[[mean - lo], [hi - mean]], fmt="o", color=PALETTE[1], capsize=6,
                label="mean, 95% interval")  # fmt: skip
    ax.axhline(0.0, color="black", ls=":", lw=1, label="no difference")
    ax.set_xlim(-0.5, 0.8)
    ax.set_xticks([])
    ax.set(ylabel="paired difference per replication", title=label)
    ax.legend(fontsize=7)


def _legitimacy_shock(runner: Runner) -> GroupResult:
    base = scenario("legitimacy_shock")
    cells = [(), (SHOCK,), ("feedback=ledger",), ("feedback=ledger", SHOCK)]
    base_df, shocked, ledger, ledger_shocked = runner.map(
        run_frame, [(scenario("legitimacy_shock", *c),) for c in cells]
    )
    last = base.run.rounds
    diff = _window(shocked, "violations", SHOCK_ROUND + 1, last) - _window(base_df, "violations", SHOCK_ROUND + 1, last)
    control = np.abs(ledger_shocked["violations"].to_numpy() - ledger["violations"].to_numpy()).max()
    mean, lo, _ = interval(diff)
    reps = base.run.replications
    row = Row(
        "6a",
        "Legitimacy and compliance: a loss of legitimacy raises violations",
        TYLER,
        f"overlast (closed), feedback=acting, {base.world.actors:,} actors, {last} rounds; legitimacy shock -0.3 "
        f"after round {SHOCK_ROUND} vs none; control: the same with feedback=ledger; {reps} paired replications",
        f"95% interval of violations per round over rounds {SHOCK_ROUND + 1}-{last}, shocked - not, > 0; "
        "with feedback=ledger the shock changes no violation",
        f"{_ci(diff)} violations per round; feedback=ledger: largest |difference| {control:.0f}",
        bool(lo > 0 and control == 0),
    )
    fig, (a1, a2) = figure(2, 10.0, 3.8)
    x = np.arange(1, last + 1)
    band(a1, x, _per_round(base_df, "violations"), PALETTE[0], "no shock")
    band(a1, x, _per_round(shocked, "violations"), PALETTE[1], "shock -0.3 after round 20")
    a1.axvline(SHOCK_ROUND, color="black", ls=":", lw=1)
    a1.set(xlabel="round", ylabel="violations per round", title="Violations (mean, 10-90% over worlds)")
    a1.legend(fontsize=8)
    _paired_panel(a2, diff, f"Violations per round, rounds {SHOCK_ROUND + 1}-{last}: shocked - not")
    fig.suptitle("6a. Legitimacy and compliance (Tyler 2006): a legitimacy shock weakens the compliance norm")
    detail = (
        "With feedback=acting, legitimacy above 0.5 adds to the actors' cost of a violation and legitimacy "
        "below it subtracts (the compliance norm, legitimacy.norm); the shock lowers legitimacy at once. "
        f"Mean paired difference {mean:+.4g} violations per round. The control runs both cells with "
        "feedback=ledger (the default), where legitimacy is a ledger entry only: the same shock leaves every "
        "violation as it was, so the difference comes from the norm."
    )
    return GroupResult([row], fig, detail=detail)


def _sudden_loss(runner: Runner) -> GroupResult:
    base = scenario("sudden_loss")
    sudden, gradual = runner.map(run_frame, [(scenario("sudden_loss", s),) for s in (SHOCK, GRADUAL)])
    last = base.run.rounds
    diff = _window(sudden, "violations", SHOCK_ROUND + 1, last) - _window(gradual, "violations", SHOCK_ROUND + 1, last)
    grievance = _window(sudden, "grievance", SHOCK_ROUND + 1, SHOCK_ROUND + 5)
    gradual_grievance = float(gradual.loc[gradual["round"] > SHOCK_ROUND, "grievance"].max())
    _, lo, _ = interval(diff)
    _, glo, _ = interval(grievance)
    reps = base.run.replications
    row = Row(
        "6b",
        "Sudden vs gradual loss of legitimacy",
        EPSTEIN,
        f"overlast (open), feedback=acting, {base.world.actors:,} actors, {last} rounds; legitimacy -0.3 after "
        f"round {SHOCK_ROUND} (sudden) vs -0.03 after each of rounds 20-29 (gradual); {reps} paired replications",
        f"95% interval of violations per round over rounds {SHOCK_ROUND + 1}-{last}, sudden - gradual, > 0; "
        f"grievance in rounds {SHOCK_ROUND + 1}-{SHOCK_ROUND + 5}: sudden > 0 (interval), gradual 0",
        f"{_ci(diff)} violations per round; grievance sudden {_ci(grievance)}, gradual at most {gradual_grievance:.3g}",
        bool(lo > 0 and glo > 0 and gradual_grievance == 0),
    )
    fig, (a1, a2, a3) = figure(3, 13.0, 3.8)
    x = np.arange(1, last + 1)
    for ax, col, title in (
        (a1, "legitimacy", "Legitimacy"),
        (a2, "violations", "Violations per round"),
        (a3, "grievance", "Grievance"),
    ):
        band(ax, x, _per_round(gradual, col), PALETTE[0], "gradual: -0.03 after rounds 20-29")
        band(ax, x, _per_round(sudden, col), PALETTE[1], "sudden: -0.3 after round 20")
        ax.axvspan(SHOCK_ROUND, 29, color="grey", alpha=0.1)
        ax.set(xlabel="round", title=f"{title} (mean, 10-90% over worlds)")
    a1.legend(fontsize=8)
    fig.suptitle("6b. Sudden vs gradual loss of legitimacy (Epstein 2002): the same loss, another path")
    detail = (
        "Both paths lose 0.3 of legitimacy by round 30. A grievance arises where support falls faster than "
        "the actors' expectations adapt (legitimacy.adaptation) by more than legitimacy.tolerance, and adds "
        "to the gain of a violation: only the sudden path crosses it."
    )
    return GroupResult([row], fig, detail=detail)


def _coalition_exit(runner: Runner) -> GroupResult:
    base = scenario("coalition_exit")
    closed, reopened = runner.map(run_frame, [(scenario("coalition_exit", *c),) for c in ((), (REOPEN,))])
    last = base.run.rounds
    count = base.partners.count
    left = closed.groupby("replication")["partners_left"].sum().to_numpy()
    returned = reopened[reopened["round"] > OPEN_ROUND].groupby("replication")["partners_returned"].sum().to_numpy()
    diff = _window(reopened, "coalition_size", last, last) - _window(closed, "coalition_size", last, last)
    _, lo, _ = interval(diff)
    reps = base.run.replications
    row = Row(
        "6c",
        "Exit and return: partners leave a closed arrangement and return when it opens",
        HIRSCHMAN,
        f"gezonde_wijk, director, closed, feedback=acting, {count} partners, {base.world.actors:,} actors, "
        f"{last} rounds; closed throughout vs opened after round {OPEN_ROUND}; {reps} paired replications",
        f"partners leave the closed arrangement in every world; 95% interval of the coalition at round {last}, "
        "reopened - closed, > 0",
        f"partners left (closed) per world: {left.min():.0f}-{left.max():.0f}; returned after opening: "
        f"{returned.min():.0f}-{returned.max():.0f}; coalition at round {last}, reopened - closed: "
        f"{_ci(diff)} partners",
        bool(left.min() > 0 and lo > 0),
    )
    fig, (a1, a2) = figure(2, 10.0, 3.8)
    x = np.arange(1, last + 1)
    band(a1, x, _per_round(closed, "coalition_size"), PALETTE[0], "closed throughout")
    band(a1, x, _per_round(reopened, "coalition_size"), PALETTE[1], f"opened after round {OPEN_ROUND}")
    a1.axvline(OPEN_ROUND, color="black", ls=":", lw=1)
    a1.set(xlabel="round", ylabel="partners in the arrangement", title="Coalition size (mean, 10-90% over worlds)")
    a1.set_ylim(-0.3, count + 0.3)
    a1.legend(fontsize=8)
    _paired_panel(a2, diff, f"Coalition at round {last}: reopened - closed")
    fig.suptitle("6c. Exit and return (Hirschman 1970): partners without a say leave, and return when invited")
    detail = (
        f"With feedback=acting a partner whose trust falls below partners.exit_trust ({base.partners.exit_trust}) "
        "leaves with its data, capacity and voice; it returns when invited (an open regime) once its trust "
        f"reaches partners.return_trust ({base.partners.return_trust})."
    )
    return GroupResult([row], fig, detail=detail)


def _exploratory(runner: Runner) -> GroupResult:
    base = scenario("exploratory_practice")
    reps = f"run.replications={base.run.replications}"  # the experiment's own count would replace the scenario's
    cells = [(PRACTICE, reps, f"government.exploratory={v}") for v in ("false", "true")]
    blueprint, exploratory = runner.map(run_frame, [(scenario("exploratory_practice", *c),) for c in cells])
    ta, tb = run_totals(blueprint), run_totals(exploratory)
    mis = (tb["misallocation"] - ta["misallocation"]).to_numpy()
    value = (tb["public_value"] - ta["public_value"]).to_numpy()
    _, _, mhi = interval(mis)
    _, vlo, _ = interval(value)
    last = base.run.rounds
    row = Row(
        "6d",
        "Exploratory vs blueprint: the exploratory practice works nearer the cause",
        ESSAY_PRACTICE,
        f"overlast (open), producer, {base.world.actors:,} actors, {last} rounds, the knobs of "
        "experiment=exploratory_vs_blueprint (search 0.2, selective stimulation 0.5, learning with partners "
        "0.5; standard 150 per 1,000 actors, intensify 0.1); exploratory vs blueprint; "
        f"{base.run.replications} paired replications",
        "95% interval of misallocation (mean per round), exploratory - blueprint, < 0; of public value (kEUR/run) > 0",
        f"misallocation {_ci(mis)}; public value {_ci(value, ' kEUR')}",
        bool(mhi < 0 and vlo > 0),
    )
    fig, (a1, a2, a3) = figure(3, 13.0, 3.8)
    x = np.arange(1, last + 1)
    band(a1, x, _per_round(blueprint, "misallocation"), PALETTE[0], "blueprint")
    band(a1, x, _per_round(exploratory, "misallocation"), PALETTE[1], "exploratory")
    a1.set(xlabel="round", ylabel="share of units off the harm", title="Misallocation (mean, 10-90% over worlds)")
    a1.legend(fontsize=8)
    _paired_panel(a2, mis, "Misallocation: exploratory - blueprint")
    _paired_panel(a3, value, "Public value (kEUR/run): exploratory - blueprint")
    fig.suptitle("6d. Exploratory vs blueprint working practice (essay §5.3, table 4)")
    return GroupResult([row], fig)


GROUPS: tuple[Group, ...] = (
    Group("legitimacy_shock", "6a. Legitimacy and compliance (Tyler 2006)", ("legitimacy_shock",), False,
          _legitimacy_shock),
    Group("sudden_loss", "6b. Sudden vs gradual loss of legitimacy (Epstein 2002)", ("sudden_loss",), False,
          _sudden_loss),
    Group("coalition_exit", "6c. Exit and return of partners (Hirschman 1970; essay ch. 5-6)", ("coalition_exit",),
          False, _coalition_exit),
    Group("exploratory_practice", "6d. Exploratory vs blueprint (essay §5.3, table 4)", ("exploratory_practice",),
          False, _exploratory),
)  # fmt: skip
