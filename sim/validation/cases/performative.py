"""Cases 2a-2c: performative prediction.

Source: Perdomo, Zrnic, Mendler-Duenner and Hardt, "Performative prediction", ICML
2020: repeated least-squares estimates on data that shift with the published
estimate (sensitivity ε) converge to the stable point 10 / (1 - ε) at rate ε when
ε < 1 (2a: ε = 0.5, 2b: ε = 0.9) and diverge when ε > 1 (2c: ε = 1.1).

Scenario: ``scenarios/validation/performative.yaml``. Fast (runs without ``--full``).
"""

from __future__ import annotations

import numpy as np

from sim.validation.figures import PALETTE, figure
from sim.validation.runner import Group, GroupResult, Row, Runner, run_frame, scenario

PERDOMO = "Perdomo et al., ICML 2020"
EPSILONS = (0.5, 0.9, 1.1)


def _performative(runner: Runner) -> GroupResult:
    frames = runner.map(run_frame, [(scenario("performative", f"population.score_anchor={e}"),) for e in EPSILONS])
    rows, series = [], []
    rounds = scenario("performative").run.rounds
    for label, eps, df in zip("abc", EPSILONS, frames, strict=True):
        theta = df["score_estimate"].to_numpy()[1:]  # theta_1 .. theta_T (theta_0 = 0 is the start)
        series.append(theta)
        # The map theta -> next theta is affine; its slope is the contraction (or growth) factor.
        factor = float(np.polyfit(theta[:29], theta[1:30], 1)[0])
        last = float(theta[-10:].mean())
        setup = f"1,000 actors, score N(10, 0.1²), observed + ε × published estimate; {rounds} rounds"
        if eps < 1:
            star = 10 / (1 - eps)
            ok = abs(last - star) <= 0.05 and abs(factor - eps) <= 0.05
            expected = f"θ → {star:g} ± 0.05, gap shrinks by {eps:.2f} ± 0.05 per round"
            measured = f"θ = {last:.3f}, factor {factor:.3f}"
        else:
            ok = abs(factor - eps) <= 0.05 and abs(theta[-1]) > 1e6
            expected = f"diverges (|θ| grows by {eps:.2f} ± 0.05 per round)"
            measured = f"θ after {rounds} rounds = {theta[-1]:.2e}, factor {factor:.3f}"
        rows.append(Row(f"2{label}", f"Performative prediction, ε = {eps}", PERDOMO, setup, expected, measured, ok))
    mean_score = float(series[0][0])  # theta_1 = the mean of the true scores (theta_0 = 0)
    fig, (a1, a2) = figure()
    for k, (eps, th) in enumerate(zip(EPSILONS[:2], series[:2], strict=True)):
        # Distance to the model's stable point (its last estimate): the sample mean of the
        # 1,000 drawn scores is not exactly 10, so neither is the stable point.
        gap = np.abs(th - th[-1])
        t = np.arange(1, len(th) + 1)
        a1.semilogy(t, np.where(gap > 0, gap, np.nan), "o", ms=3, color=PALETTE[k], label=f"ε = {eps}: model")
        a1.semilogy(t, gap[0] * eps ** (t - 1), color=PALETTE[k], ls=":", label=f"ε = {eps}: gap x {eps}^t")
    a1.set(xlim=(0, 60), ylim=(1e-9, 200), xlabel="round", ylabel="|θ - stable point| (score units)")
    a1.set_title("Convergence (ε < 1)")
    a1.legend(fontsize=8)
    th = series[2]
    a2.semilogy(np.arange(1, len(th) + 1), np.abs(th), color=PALETTE[1], label="ε = 1.1: |θ|")
    a2.set(xlabel="round", ylabel="|θ| (score units)", title="Divergence (ε > 1)")
    a2.legend()
    fig.suptitle("2. Performative prediction: repeated least-squares estimates on data that respond to them")
    detail = (
        f"The factor is the slope of θ(t+1) on θ(t) over the first 30 estimates (the update is affine). "
        f"The 1,000 drawn true scores have mean {mean_score:.4f}, so the model's stable points are "
        f"{mean_score / 0.5:.4f} and {mean_score / 0.1:.3f}; the published values 20 and 100 are for mean 10."
    )
    return GroupResult(rows, fig, detail=detail)


GROUPS: tuple[Group, ...] = (
    Group("performative", "2. Performative prediction (Perdomo et al. 2020)", ("performative",), True, _performative),
)
