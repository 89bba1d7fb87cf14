"""Cases 3a-3b: the inspection game.

Source: Tsebelis, "The abuse of probability in political analysis: the Robinson
Crusoe fallacy", APSR 1989. With regulator and actors both adapting, the violation
rate is set by the regulator's costs (k / r), not by the fine, and the inspection
rate by the fine (g / p) (3a); a regulator that commits to and announces an
inspection rate above g / p stops violation (3b).

Scenarios: ``scenarios/validation/inspection_game.yaml``, ``inspection_commitment.yaml``.
Fast (runs without ``--full``).
"""

from __future__ import annotations

import math

from sim.validation.figures import PALETTE, figure
from sim.validation.runner import Group, GroupResult, Row, Runner, run_frame, scenario

TSEBELIS = "Tsebelis, APSR 1989"
FINES = (2.0, 3.0, 6.0)
BURN_IN = 2000  # rounds of the transient, left out of the time averages


def _inspection_game(runner: Runner) -> GroupResult:
    adaptive = [scenario("inspection_game", f"population.fine={p}") for p in FINES]
    # Commitment: capacity so that the inspection probability 1 - exp(-capacity/1000) is
    # y = 1.05 g / p, announced: actors start out believing y.
    committed = [
        scenario(
            "inspection_commitment",
            f"population.fine={p}",
            f"government.capacity={-1000 * math.log(1 - 1.05 / p)}",
            f"population.prior_detection={1.05 / p}",
        )
        for p in FINES
    ]
    frames = runner.map(run_frame, [(c,) for c in adaptive + committed])
    n = adaptive[0].world.actors
    stats_a, stats_c = [], []
    for df in frames[:3]:
        late = df[df["round"] > BURN_IN]
        stats_a.append((late["violations"].mean() / n, late["mean_detection"].mean()))
    for df in frames[3:]:
        stats_c.append(df["violations"].mean() / n)
    ok_a = all(abs(x - 0.2) <= 0.02 and abs(y - 1 / p) <= 0.03 for (x, y), p in zip(stats_a, FINES, strict=True))
    ok_c = all(x < 0.01 for x in stats_c)
    reps = adaptive[0].run.replications
    setup = (
        f"1,000 actors with g = 1, regulator with k = 0.2, r = 1, L = 0 adapting its rate; fines 2, 3, 6; "
        f"{reps} runs x {adaptive[0].run.rounds:,} rounds, mean after round {BURN_IN:,}"
    )
    rows = [
        Row(
            "3a",
            "Inspection game, both adapting",
            TSEBELIS,
            setup,
            "violation 0.20 ± 0.02 for every fine; inspection 0.50, 0.33, 0.17 (± 0.03)",
            "violation "
            + ", ".join(f"{x:.3f}" for x, _ in stats_a)
            + "; inspection "
            + ", ".join(f"{y:.3f}" for _, y in stats_a),
            ok_a,
        ),
        Row(
            "3b",
            "Inspection game, announced commitment",
            TSEBELIS,
            f"as 3a; the regulator fixes and announces y = 1.05 g / p; {committed[0].run.rounds:,} rounds, all counted",
            "violation below 1% for every fine",
            "violation " + ", ".join(f"{x:.4f}" for x in stats_c),
            ok_c,
        ),
    ]
    fig, (a1, a2) = figure()
    for k, (p, df) in enumerate(zip(FINES, frames[:3], strict=True)):
        one = df[df["replication"] == 0]
        x = one["violations"].rolling(100).mean() / n
        a1.plot(one["round"], x, color=PALETTE[k], lw=1, label=f"fine {p:g}")
        a2.plot(one["round"], one["mean_detection"], color=PALETTE[k], lw=1, label=f"fine {p:g}")
        a2.axhline(1 / p, color=PALETTE[k], ls=":", lw=1)
    a1.axhline(0.2, color="black", ls=":", lw=1, label="k / r = 0.2 (equilibrium)")
    a1.axvline(BURN_IN, color="grey", lw=0.8, label="end of the transient")
    a1.set(ylim=(0, 1), xlabel="round", ylabel="violation rate (100-round mean)", title="Actors")
    a1.legend(fontsize=8)
    a2.axvline(BURN_IN, color="grey", lw=0.8)
    a2.set(ylim=(0, 0.8), xlabel="round", ylabel="inspection probability per actor and round")
    a2.set_title("Regulator (dotted: g / p)")
    a2.legend(fontsize=8)
    fig.suptitle("3. Inspection game: violation set by the regulator's costs, inspection by the fine (run 1)")
    return GroupResult(rows, fig)


GROUPS: tuple[Group, ...] = (
    Group(
        "inspection_game",
        "3. Inspection game (Tsebelis 1989)",
        ("inspection_game", "inspection_commitment"),
        True,
        _inspection_game,
    ),
)
