"""Validation: the model reproduces published results and the essay's claims.

``python -m sim.validate --full`` (also ``sim validate --full``) runs every validation
case and writes ``docs/validation.md``: one row per case (source, setup, expected,
measured, pass) and a figure per case under ``docs/validation/``. A run of some cases
(without ``--full``: the fast ones, or ``--cases``) writes to ``results/validation/``
instead, and never replaces a full report (:func:`replaces_full_report`).

Every case runs :class:`sim.model.GovernanceModel` -- the same phases and the same
Numba population kernel that users run -- in a reduced configuration given by a
scenario file under ``scenarios/validation/``. The essay's claims (concepts §11) run
the arrangement presets as paired experiments on common random numbers. Without
``--full`` only the fast cases run (the test suite runs them too); ``--full`` runs
all of them (a few minutes on two cores). The report is generated, never edited.
"""

from __future__ import annotations

import argparse
import io
import logging
import math
import multiprocessing as mp
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import ConfigError, SimConfig

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = "scenarios/validation"
# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


# --------------------------------------------------------------------------- types
@dataclass
class Row:
    """One row of the validation table.

    Attributes:
        case: Short label, e.g. ``1a``.
        title: What is checked.
        source: Where the expected result comes from.
        setup: The reduced configuration, in words.
        expected: The published (or claimed) result with its tolerance.
        measured: What the model gave.
        passed: Whether the measured value is within the tolerance.
        gap: If it fails: what the model would need (empty if it passes).
    """

    case: str
    title: str
    source: str
    setup: str
    expected: str
    measured: str
    passed: bool
    gap: str = ""


@dataclass
class GroupResult:
    """The rows and the figure of one group of cases."""

    rows: list[Row]
    figure: Any  # a matplotlib Figure
    claim: str = ""  # the essay's claim (claim groups)
    detail: str = ""  # how to read the measurement
    seconds: float = 0.0


@dataclass(frozen=True)
class Group:
    """Cases that share their runs and one figure.

    Attributes:
        key: Name used on the command line (``--cases``) and for the figure file.
        title: Section heading in the report.
        scenarios: Scenario files (under ``scenarios/validation/``) or presets used.
        fast: Runs without ``--full`` and in the test suite.
        run: Computes the group's rows and figure.
    """

    key: str
    title: str
    scenarios: tuple[str, ...]
    fast: bool
    run: Callable[[Runner], GroupResult]


class Runner:
    """Runs work in-process or on a pool of worker processes; keeps shared results."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        # The essay claims' cells, run once for all claims (see _claim_frames).
        self.claim_frames: dict[tuple[str, ...], pd.DataFrame] | None = None
        self.claim_seconds = 0.0

    def map(self, fn: Callable[..., Any], items: Sequence[tuple]) -> list[Any]:
        """``[fn(*args) for args in items]``, on the worker processes if there are several."""
        if self.jobs <= 1 or len(items) <= 1:
            return [fn(*args) for args in items]
        if self._pool is None:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context(method))
        return list(self._pool.map(_call, [(fn, args) for args in items]))

    def close(self) -> None:
        """Shut the worker processes down."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _call(fn_args: tuple[Callable[..., Any], tuple]) -> Any:
    fn, args = fn_args
    return fn(*args)


def scenario(name: str, *overrides: str) -> SimConfig:
    """The validated config of ``scenarios/validation/<name>.yaml`` with overrides."""
    from sim.hydra_conf import load

    return load([f"arrangement=validation/{name}", *overrides])


def _chunks(n: int, jobs: int) -> list[list[int]]:
    """Replication indices 0..n-1 in contiguous chunks, a few per worker."""
    parts = max(1, min(n, 4 * jobs))
    return [c.tolist() for c in np.array_split(np.arange(n), parts) if c.size]


def _rep_frame(cfg: SimConfig, reps: list[int]) -> pd.DataFrame:
    """Rounds of some replications of a config (the rows ``sim.run.run`` makes), in a worker."""
    from sim.model import simulate

    logging.getLogger("MESA").setLevel(logging.WARNING)
    rows = []
    for rep in reps:
        for row in simulate(cfg, rep, parallel=False):
            row["replication"] = rep
            rows.append(row)
    return pd.DataFrame(rows)


def _run_frame(cfg: SimConfig) -> pd.DataFrame:
    """All replications of a config (``sim.run.run``), in a worker."""
    from sim.run import run

    logging.getLogger("MESA").setLevel(logging.WARNING)
    return run(cfg, parallel=False)


# --------------------------------------------------------------------------- figures
def _figure(ncols: int = 2, width: float = 10.0, height: float = 3.8):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"axes.prop_cycle": matplotlib.cycler(color=PALETTE), "font.size": 9})
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False, layout="constrained")
    return fig, list(axes[0])


def _band(ax, x, values, color, label):
    """Mean line with a 10-90% band over runs."""
    ax.fill_between(x, np.quantile(values, 0.1, axis=0), np.quantile(values, 0.9, axis=0), color=color, alpha=0.2)
    ax.plot(x, values.mean(axis=0), color=color, label=label)


# --------------------------------------------------------------------------- 1. Ensign
ENSIGN = "Ensign et al., FAT* 2018"


def _checkpoints(rounds: int, points: int = 80) -> np.ndarray:
    return np.unique(np.geomspace(1, rounds, points).astype(int))


def _urn_shares(cfg: SimConfig, reps: list[int], checkpoints: np.ndarray) -> np.ndarray:
    """Share of place A in the government's records at the checkpoints, per replication."""
    from sim.model import GovernanceModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    out = np.empty((len(reps), len(checkpoints)))
    for i, rep in enumerate(reps):
        model = GovernanceModel(cfg, rep, parallel=False)
        j = 0
        for t in range(1, int(checkpoints[-1]) + 1):
            model.step()
            if t == checkpoints[j]:
                out[i, j] = model.records[0] / model.records.sum()
                j += 1
    return out


def _urn(runner: Runner, cfg: SimConfig) -> tuple[np.ndarray, np.ndarray]:
    cps = _checkpoints(cfg.run.rounds)
    parts = runner.map(_urn_shares, [(cfg, reps, cps) for reps in _chunks(cfg.run.replications, runner.jobs)])
    return cps, np.vstack(parts)


def _ensign_equal(runner: Runner) -> GroupResult:
    from scipy import stats

    cfg = scenario("ensign_equal")
    cps, shares = _urn(runner, cfg)
    final = shares[:, -1]
    mean, var = float(final.mean()), float(final.var(ddof=1))
    ks = float(stats.kstest(final, "uniform").pvalue)
    ok = abs(mean - 0.5) <= 0.03 and abs(var - 0.083) <= 0.012 and ks > 0.01
    row = Row(
        "1a",
        "Runaway feedback, equal rates",
        ENSIGN,
        f"2 places, rates 0.5, 1 inspection/round drawn by records, closed collection, start (1, 1); "
        f"{cfg.run.replications} runs x {cfg.run.rounds:,} rounds",
        "final share of A uniform on (0, 1): mean 0.50 ± 0.03, variance 0.083 ± 0.012, KS p > 0.01",
        f"mean {mean:.3f}, variance {var:.4f}, KS p = {ks:.2f}",
        ok,
    )
    fig, (a1, a2) = _figure()
    a1.hist(final, bins=20, range=(0, 1), density=True, color=PALETTE[0], alpha=0.8, label="model (400 runs)")
    a1.axhline(1.0, color=PALETTE[1], lw=2, label="uniform (paper)")
    a1.set(xlabel="share of place A in the records after 5,000 rounds", ylabel="density", title="Final share")
    a1.legend(loc="lower center")
    for k in range(12):
        a2.plot(cps, shares[k], color=PALETTE[k % 6], lw=0.9)
    a2.set(xscale="log", ylim=(0, 1), xlabel="round", ylabel="share of place A", title="12 runs: each locks in")
    fig.suptitle("1a. Runaway feedback with equal true rates (closed collection)")
    return GroupResult([row], fig)


def _ensign_unequal(runner: Runner) -> GroupResult:
    cfg = scenario("ensign_unequal")
    cps, shares = _urn(runner, cfg)
    final = shares[:, -1]
    mean = float(final.mean())
    row = Row(
        "1b",
        "Runaway feedback, unequal rates",
        ENSIGN,
        f"as 1a with rates (0.6, 0.4); {cfg.run.replications} runs x {cfg.run.rounds:,} rounds",
        "mean final share of A ≥ 0.88 (true share 0.6)",
        f"mean {mean:.3f} (10-90%: {np.quantile(final, 0.1):.2f}-{np.quantile(final, 0.9):.2f})",
        mean >= 0.88,
    )
    fig, (a1, a2) = _figure()
    _band(a1, cps, shares, PALETTE[0], "model: mean and 10-90% of runs")
    a1.axhline(0.6, color=PALETTE[2], ls="--", label="true share of incidents (0.6)")
    a1.axhline(0.88, color=PALETTE[1], ls=":", label="paper: mean ≥ 0.88 at 20,000 rounds")
    a1.set(xscale="log", ylim=(0, 1), xlabel="round", ylabel="share of place A in the records")
    a1.set_title("Share of A over time")
    a1.legend(loc="lower right")
    a2.hist(final, bins=20, range=(0, 1), color=PALETTE[0], alpha=0.8)
    a2.set(xlabel="share of place A after 20,000 rounds", ylabel="runs", title="Final share")
    fig.suptitle("1b. Runaway feedback with rates 0.6 and 0.4: the records run away to A")
    return GroupResult([row], fig)


def _ensign_corrected(runner: Runner) -> GroupResult:
    cfg_u, cfg_s = scenario("ensign_corrected"), scenario("ensign_corrected_start")
    cps_u, sh_u = _urn(runner, cfg_u)
    cps_s, sh_s = _urn(runner, cfg_s)
    m_u, m_s = float(sh_u[:, -1].mean()), float(sh_s[:, -1].mean())
    ok = abs(m_u - 0.6) <= 0.02 and abs(m_s - 0.5) <= 0.02
    row = Row(
        "1c",
        "Runaway feedback corrected by open interpretation",
        f"{ENSIGN} (their correction)",
        "as 1b / 1a, interpretation open: a discovery counts with probability p_other / max(p_A, p_B); "
        f"{cfg_u.run.replications} runs x {cfg_u.run.rounds:,} rounds each",
        "share → 0.600 ± 0.02 (rates 0.6, 0.4); → 0.50 ± 0.02 (equal rates, start (10, 1))",
        f"{m_u:.3f} (sd over runs {sh_u[:, -1].std():.3f}); {m_s:.3f} (sd {sh_s[:, -1].std():.3f})",
        ok,
    )
    fig, (a1, a2) = _figure()
    _band(a1, cps_u, sh_u, PALETTE[0], "model, open interpretation")
    a1.axhline(0.6, color=PALETTE[1], ls="--", label="true share 0.6 (paper)")
    a1.set(xscale="log", ylim=(0, 1), xlabel="round", ylabel="share of place A in the records")
    a1.set_title("Rates (0.6, 0.4), start (1, 1)")
    a1.legend(loc="lower right")
    _band(a2, cps_s, sh_s, PALETTE[2], "model, open interpretation")
    a2.axhline(0.5, color=PALETTE[1], ls="--", label="true share 0.5 (paper)")
    a2.set(xscale="log", ylim=(0, 1), xlabel="round", ylabel="share of place A in the records")
    a2.set_title("Equal rates, start (10, 1)")
    a2.legend(loc="lower right")
    fig.suptitle("1c. The corrected loop converges to the true shares (mean and 10-90% of runs)")
    return GroupResult([row], fig)


# --------------------------------------------------------------------------- 2. Perdomo
PERDOMO = "Perdomo et al., ICML 2020"
EPSILONS = (0.5, 0.9, 1.1)


def _performative(runner: Runner) -> GroupResult:
    frames = runner.map(_run_frame, [(scenario("performative", f"population.score_anchor={e}"),) for e in EPSILONS])
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
    fig, (a1, a2) = _figure()
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


# --------------------------------------------------------------------------- 3. Tsebelis
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
    frames = runner.map(_run_frame, [(c,) for c in adaptive + committed])
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
    fig, (a1, a2) = _figure()
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


# --------------------------------------------------------------------------- 4. Hardt / Ghalme
HARDT = "Hardt et al., ITCS 2016; Ghalme et al., ICML 2021"
CLASSIFICATION = (
    ("a", "naive", "open", "naive threshold 0, public", "error 0.191 ± 0.005", 0.191, 0.005, None),
    (
        "b",
        "robust",
        "open",
        "robust threshold 0.5, public",
        "error < 0.002; honest burden 0.098 ± 0.005",
        None,
        None,
        0.002,
    ),
    ("c", "robust", "closed", "robust threshold, closed (σ = 0.2)", "error 0.126 ± 0.01", 0.126, 0.01, None),
    ("d", "naive", "closed", "naive threshold, closed (σ = 0.2)", "error 0.067 ± 0.01", 0.067, 0.01, None),
)


def _classification(runner: Runner) -> GroupResult:
    cfgs = [
        scenario("strategic_classification", f"government.threshold={t}", f"regime.use={u}")
        for _, t, u, *_ in CLASSIFICATION
    ]
    frames = runner.map(_run_frame, [(c,) for c in cfgs])
    rows, errors, burdens = [], [], []
    for (label, _, _, setup, expected, target, tol, below), df in zip(CLASSIFICATION, frames, strict=True):
        err, burden = float(df["misclassified"].mean()), float(df["gaming_burden"].mean())
        errors.append(err)
        burdens.append(burden)
        if below is not None:
            ok = err < below and abs(burden - 0.098) <= 0.005
            measured = f"error {err:.4f}; honest burden {burden:.4f}"
        else:
            ok = abs(err - target) <= tol
            measured = f"error {err:.4f}"
        rows.append(
            Row(
                f"4{label}",
                f"Strategic classification, {setup}",
                HARDT,
                "100,000 actors, x ~ N(0, 1), qualified if x ≥ 0, B = 1, c = 2; " + setup,
                expected,
                measured,
                ok,
            )
        )
    fig, (a1, a2) = _figure(2, 11.0, 4.2)
    labels = [f"{t}\n{'public' if u == 'open' else 'closed'}" for _, t, u, *_ in CLASSIFICATION]
    xs = np.arange(len(labels))
    a1.bar(xs, errors, color=PALETTE[0], label="model")
    for x, c in zip(xs, CLASSIFICATION, strict=True):
        if c[5] is not None:
            a1.errorbar(
                x, c[5], yerr=c[6], color=PALETTE[1], capsize=6, lw=2, label="paper ± tolerance" if x == 0 else None
            )
        else:
            a1.plot([x - 0.3, x + 0.3], [c[7]] * 2, color=PALETTE[1], lw=2, ls="--", label=f"paper: below {c[7]}")
    a1.set_xticks(xs, labels)
    a1.set(ylabel="share of actors misclassified", title="Classification error")
    a1.legend()
    a2.bar(xs, burdens, color=PALETTE[2], label="model")
    a2.errorbar(1, 0.098, yerr=0.005, color=PALETTE[1], capsize=6, lw=2, label="paper ± tolerance")
    a2.set_xticks(xs, labels)
    a2.set(ylabel="cost paid by qualified actors (per actor, units of B)", title="Burden on honest actors")
    a1.set_xlabel("threshold and its visibility")
    a2.set_xlabel("threshold and its visibility")
    a2.legend()
    fig.suptitle("4. Strategic classification: transparency and a gaming-robust threshold")
    return GroupResult(rows, fig)


# --------------------------------------------------------------------------- 5. confounding
ESSAY_FISH = "essay §2.3 (fish shop)"


def _fish_runs(cfg: SimConfig, reps: list[int]) -> list[tuple[float, float, int, float, np.ndarray]]:
    """Per replication: fitted effect, stratified effect, chosen feature, harm, cell means.

    The fitted effect is the analysis's own (mean record with - without its chosen
    feature); the stratified effect is the shop effect within square strata; harm is
    per place and round; the cell means are by (square, shop).
    """
    from sim.model import GovernanceModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    out = []
    for rep in reps:
        model = GovernanceModel(cfg, rep, parallel=False)
        harm = []
        for _ in range(cfg.run.rounds):
            model.step()
            harm.append(model.record["harm"])
        y = model.records  # round 1's harm, as recorded (reported) in round 2
        square = model.world.drivers[:, 0]
        shop = model.world.proxies[:, 0] if model.world.proxies.shape[1] else np.zeros_like(square)
        cells = np.array(
            [[y[(square == s) & (shop == h)].mean() if np.any((square == s) & (shop == h)) else np.nan
              for h in (False, True)] for s in (False, True)]
        )  # fmt: skip
        strat = sum((square == s).mean() * (cells[int(s), 1] - cells[int(s), 0]) for s in (False, True))
        out.append(
            (model.fitted_effect, float(strat), model.believed_cause, float(np.mean(harm)) / cfg.world.places, cells)
        )
    return out


def _fish_shop(runner: Runner) -> GroupResult:
    cfg = scenario("fish_shop")
    closed = scenario("fish_shop", "world.proxy_given_driver=0", "world.proxy_given_no_driver=0")
    parts = runner.map(_fish_runs, [(c, reps) for c in (cfg, closed) for reps in _chunks(cfg.run.replications, 1)])
    half = len(parts) // 2
    with_shops = [r for p in parts[:half] for r in p]
    no_shops = [r for p in parts[half:] for r in p]
    naive = np.array([r[0] for r in with_shops])
    strat = np.array([r[1] for r in with_shops])
    shop_col = cfg.world.drivers  # the proxy is the column after the drivers
    chose_shop = all(r[2] == shop_col for r in with_shops)
    closing = np.array([b[3] - a[3] for a, b in zip(with_shops, no_shops, strict=True)])
    reps = cfg.run.replications
    setup = f"{cfg.world.places:,} places, P(square) 0.2, P(shop | square) 0.7, P(shop | no square) 0.1; {reps} runs"
    rows = [
        Row(
            "5a",
            "Confounding: naive shop effect",
            ESSAY_FISH,
            setup + "; the analysis (closed) picks the shop",
            "1.68 ± 0.03",
            f"{naive.mean():.3f} (shop chosen in {'every' if chose_shop else 'not every'} run)",
            abs(naive.mean() - 1.68) <= 0.03 and chose_shop,
        ),
        Row(
            "5b",
            "Confounding: shop effect stratified by square",
            ESSAY_FISH,
            setup,
            "0 ± 0.03",
            f"{strat.mean():+.3f}",
            abs(strat.mean()) <= 0.03,
        ),
        Row(
            "5c",
            "Confounding: closing the shops",
            ESSAY_FISH,
            setup + "; paired run without shops (same worlds)",
            "harm changes by 0",
            f"{closing.mean():+.4f} per place and round (largest |difference| {np.abs(closing).max():.1e})",
            bool(np.all(np.abs(closing) <= 1e-12)),
        ),
    ]
    cells = np.mean([r[4] for r in with_shops], axis=0)
    fig, (a1, a2) = _figure()
    xs = np.arange(2)
    a1.bar(xs - 0.2, cells[0], width=0.4, color=PALETTE[0], label="no square")
    a1.bar(xs + 0.2, cells[1], width=0.4, color=PALETTE[1], label="square")
    a1.set_xticks(xs, ["no shop", "shop"])
    a1.set(ylabel="mean harm per place and round", title="Harm by shop and square (strata)")
    a1.legend()
    a2.hist(naive, bins=10, color=PALETTE[0], alpha=0.8, label="naive (the analysis's fit)")
    a2.hist(strat, bins=10, color=PALETTE[2], alpha=0.8, label="stratified by square")
    a2.axvline(1.68, color=PALETTE[1], ls="--", label="1.68 (expected naive)")
    a2.axvline(0.0, color="black", ls=":", label="0 (expected stratified)")
    a2.set(xlabel="estimated shop effect (harm per place)", ylabel="runs", title="Shop effect per run")
    a2.legend(fontsize=8)
    fig.suptitle("5a-c. The fish shop: a confounded correlation")
    return GroupResult(rows, fig)


def _false_discovery(runner: Runner) -> GroupResult:
    from scipy import stats

    cfg = scenario("false_discovery")
    df = pd.concat(runner.map(_rep_frame, [(cfg, reps) for reps in _chunks(cfg.run.replications, runner.jobs)]))
    found = df[df["round"] == 2]["false_discoveries"].to_numpy()
    mean = float(found.mean())
    row = Row(
        "5d",
        "False discovery over 100 null features",
        "essay §2.4 (discovery); level of a test",
        f"{cfg.world.places} places, 100 features unrelated to harm, α = 0.05; {len(found)} repetitions",
        "5.0 ± 0.4 false findings on average",
        f"{mean:.2f} (sd {found.std(ddof=1):.2f})",
        abs(mean - 5.0) <= 0.4,
    )
    fig, (a1,) = _figure(1, 6.0, 3.8)
    ks = np.arange(0, int(found.max()) + 2)
    a1.hist(found, bins=ks - 0.5, density=True, color=PALETTE[0], alpha=0.8, label="model")
    a1.plot(ks, stats.binom.pmf(ks, 100, 0.05), "o-", color=PALETTE[1], label="Binomial(100, 0.05)")
    a1.axvline(mean, color=PALETTE[0], ls="--", label=f"model mean {mean:.2f}")
    a1.set(xlabel="false findings per analysis", ylabel="share of repetitions", title="5d. Discovery: false findings")
    a1.legend()
    return GroupResult([row], fig)


# --------------------------------------------------------------------------- essay claims
# Paired experiments on the presets (concepts §11): cells of one claim share run.seed,
# so they share their worlds and draws (common random numbers); every measure is a
# per-replication statistic whose 95% interval must lie on the claimed side.
CLAIM_BASE = ("world.actors=20000", "run.rounds=40", "run.replications=30")
LATE = 30  # rounds from which a steady-state measure is read


@dataclass(frozen=True)
class Measure:
    """One paired measure of a claim.

    Attributes:
        label: What is measured, with its unit.
        cells: Overrides of each cell it needs (on top of CLAIM_BASE).
        value: Per-replication values from the cells' rounds frames.
        above: Passes if the 95% interval lies above this value.
        below: Passes if the 95% interval lies below this value.
    """

    label: str
    cells: tuple[tuple[str, ...], ...]
    value: Callable[..., np.ndarray]
    above: float | None = None
    below: float | None = None


@dataclass(frozen=True)
class Claim:
    """A stylized fact of the essay as a paired experiment."""

    number: int
    short: str
    text: str
    preset: str
    setup: str
    measures: tuple[Measure, ...]
    gap: str = ""  # what the model would need if the claim is not reproduced


def _total(col: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """Per-replication run total (sum of flows, mean of rates) of a column."""

    def f(df: pd.DataFrame) -> np.ndarray:
        from sim.run import run_totals

        return run_totals(df)[col].to_numpy()

    return f


def _diff(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """B - A of a run total."""
    tot = _total(col)
    return lambda a, b: tot(b) - tot(a)


def _late_diff(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """B - A of a column's mean over the late rounds (steady state)."""

    def late(df: pd.DataFrame) -> np.ndarray:
        return df[df["round"] > LATE].groupby("replication")[col].mean().to_numpy()

    return lambda a, b: late(b) - late(a)


def _first_identified(df: pd.DataFrame) -> np.ndarray:
    """Round in which the true cause is first identified (rounds + 1 if never)."""
    rounds = int(df["round"].max())
    hit = df[df["cause_identified"] > 0].groupby("replication")["round"].min()
    return hit.reindex(sorted(df["replication"].unique())).fillna(rounds + 1).to_numpy()


def _support_trend(df: pd.DataFrame) -> np.ndarray:
    """Legitimacy in the last 5 rounds minus the first 5."""
    rounds = int(df["round"].max())
    by = df.groupby("replication")
    first = by.apply(lambda g: g[g["round"] <= 5]["legitimacy"].mean(), include_groups=False)
    last = by.apply(lambda g: g[g["round"] > rounds - 5]["legitimacy"].mean(), include_groups=False)
    return (last - first).to_numpy()


def _lost_share(closed: pd.DataFrame, public: pd.DataFrame) -> np.ndarray:
    b = _total("benefit")
    return 1.0 - b(public) / b(closed)


ZW, GW, OV, WB, ODP = "zwartwerken", "gezonde_wijk", "overlast", "woninginbraken", "open_data_platform"
RESTRICTED_APPLICATION = ("regime=closed", "regime.interpretation=restricted", "regime.use=restricted")

CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "publishing the targeting",
        "Publishing the targeting analysis (open use) lowers the enforcement benefit, "
        "more so the more reflexive the actors.",
        ZW,
        "use closed vs public; reflexivity population.sophistication 0.5 (preset) vs 0.1",
        (
            Measure(
                "benefit, public - closed (kEUR/run)",
                ((f"arrangement={ZW}",), (f"arrangement={ZW}", "regime.use=open")),
                _diff("benefit"),
                below=0.0,
            ),
            Measure(
                "share of benefit lost by publishing, sophistication 0.5 - 0.1",
                (
                    (f"arrangement={ZW}",),
                    (f"arrangement={ZW}", "regime.use=open"),
                    (f"arrangement={ZW}", "population.sophistication=0.1"),
                    (f"arrangement={ZW}", "regime.use=open", "population.sophistication=0.1"),
                ),
                lambda c5, p5, c1, p1: _lost_share(c5, p5) - _lost_share(c1, p1),
                above=0.0,
            ),
        ),
    ),
    Claim(
        2,
        "co-creation with aligned partners",
        "Co-creation with aligned partners: open regimes give more public value at lower government cost; "
        "partners take over part of the work.",
        GW,
        "regime closed vs open",
        (
            Measure(
                "public value, open - closed (kEUR/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("public_value"),
                above=0.0,
            ),
            Measure(
                "cost, open - closed (kEUR/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("cost"),
                below=0.0,
            ),
            Measure(
                "partner units, open - closed (units/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("partner_units"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        3,
        "closed interpretation and confounding",
        "Closed interpretation on confounded data keeps capacity on the wrong places (the fish-shop effect); "
        "open interpretation with professionals' context knowledge finds the true cause sooner.",
        OV,
        "interpretation closed vs open",
        (
            Measure(
                f"misallocation after round {LATE}, open - closed (share)",
                (
                    (f"arrangement={OV}", "regime.interpretation=closed"),
                    (f"arrangement={OV}", "regime.interpretation=open"),
                ),
                _late_diff("misallocation"),
                below=0.0,
            ),
            Measure(
                "round the true cause is first identified, open - closed (never: 41)",
                (
                    (f"arrangement={OV}", "regime.interpretation=closed"),
                    (f"arrangement={OV}", "regime.interpretation=open"),
                ),
                lambda a, b: _first_identified(b) - _first_identified(a),
                below=0.0,
            ),
        ),
    ),
    Claim(
        4,
        "closed creation, open application in a circle",
        "Closed creation + open application within a restricted, like-minded circle keeps most of the "
        "enforcement benefit while improving interpretation and support.",
        ZW,
        "regime closed vs closed creation with interpretation and use restricted",
        (
            Measure(
                "benefit, restricted / closed (ratio; most: > 0.5)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                lambda a, b: _total("benefit")(b) / _total("benefit")(a),
                above=0.5,
            ),
            Measure(
                "misallocation, restricted - closed (share)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                _diff("misallocation"),
                below=0.0,
            ),
            Measure(
                "legitimacy, restricted - closed (mean per round)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                _diff("legitimacy"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        5,
        "partners' data sharing",
        "Partners withhold data when its use may cost them; a safe environment (pseudonymisation, clear rules) "
        "raises sharing.",
        ZW,
        "regime open; partners.data_cost 0.2 vs 0.6 (preset); pseudonymisation off vs on",
        (
            Measure(
                "data shared, data cost 0.6 - 0.2 (share)",
                ((f"arrangement={ZW}", "regime=open", "partners.data_cost=0.2"), (f"arrangement={ZW}", "regime=open")),
                _diff("data_shared"),
                below=0.0,
            ),
            Measure(
                "data shared, pseudonymised - not (share)",
                (
                    (f"arrangement={ZW}", "regime=open"),
                    (f"arrangement={ZW}", "regime=open", "privacy.pseudonymisation=true"),
                ),
                _diff("data_shared"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        6,
        "analytics levels",
        "Higher analytics levels raise benefits but also privacy costs and, where actions become predictable, evasion.",
        ZW,
        "analytics monitoring vs predictive (the preset: smoothed, stable, so predictable, allocation)",
        (
            Measure(
                "benefit, predictive - monitoring (kEUR/run)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("benefit"),
                above=0.0,
            ),
            Measure(
                "privacy exposure, predictive - monitoring (mean per round)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("privacy_exposure"),
                above=0.0,
            ),
            Measure(
                "evasion rate, predictive - monitoring (mean per round)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("evasion_rate"),
                above=0.0,
            ),
        ),
        gap=(
            "Privacy exposure rises with the level, but benefit and evasion do not. In the model the levels "
            "differ only in lag, smoothing, the number of features searched and the resolution: no level "
            "forecasts better where harm will be (the analysis at every level fits the same records), so a "
            "higher level cannot raise the benefit; and actors respond to the current allocation (published, "
            "or learned from last round's experience), not to how predictable it is, so a stable allocation "
            "does not make evasion easier. The model would need (1) a forecast skill per level: predictive and "
            "profiling analyses that see part of next round's violations (e.g. from partner data or "
            "individual histories) before allocating, and (2) actors who learn the allocation from its past "
            "(publication after the round, belief updating on a moving average), so that a smoothed allocation "
            "is one they can anticipate and evade."
        ),
    ),
    Claim(
        7,
        "support over time",
        "One-sided closed control erodes support over time; openness builds it unless it enables gaming that is "
        "seen as unfair.",
        f"{OV}, {WB}",
        "overlast: regime closed, open; woninginbraken (profiling) open, with vs without gaming (game_cost 1000)",
        (
            Measure(
                "legitimacy, last 5 - first 5 rounds, closed (overlast)",
                ((f"arrangement={OV}", "regime=closed"),),
                _support_trend,
                below=0.0,
            ),
            Measure(
                "legitimacy, last 5 - first 5 rounds, open (overlast)",
                ((f"arrangement={OV}", "regime=open"),),
                _support_trend,
                above=0.0,
            ),
            Measure(
                "legitimacy gain, with - without gaming (open woninginbraken)",
                (
                    (f"arrangement={WB}", "regime=open", "population.game_cost=1000"),
                    (f"arrangement={WB}", "regime=open"),
                ),
                lambda a, b: _support_trend(b) - _support_trend(a),
                below=0.0,
            ),
        ),
    ),
    Claim(
        8,
        "open data platform",
        "An open data platform without active facilitation sees little reuse.",
        ODP,
        "platform.facilitation 0 (preset) vs 1; 12 partners",
        (
            Measure(
                "share of partners reusing the data per round, no facilitation (little: < 0.25)",
                ((f"arrangement={ODP}",),),
                lambda a: a.groupby("replication")["reusers"].mean().to_numpy() / 12,
                below=0.25,
            ),
            Measure(
                "reusing partners per round, facilitation 1 - 0",
                ((f"arrangement={ODP}",), (f"arrangement={ODP}", "platform.facilitation=1")),
                _late_diff("reusers"),
                above=0.0,
            ),
        ),
    ),
)


def _claim_cells() -> list[tuple[str, ...]]:
    cells: list[tuple[str, ...]] = []
    for claim in CLAIMS:
        for m in claim.measures:
            for c in m.cells:
                if c not in cells:
                    cells.append(c)
    return cells


def _claim_frames(runner: Runner) -> dict[tuple[str, ...], pd.DataFrame]:
    """Run every cell the claims need once (cells shared between claims run once)."""
    from sim.hydra_conf import load

    if runner.claim_frames is None:
        t0 = time.perf_counter()
        cells = _claim_cells()
        frames = runner.map(_run_frame, [(load([*CLAIM_BASE, *c]),) for c in cells])
        runner.claim_frames = dict(zip(cells, frames, strict=True))
        runner.claim_seconds = time.perf_counter() - t0
    return runner.claim_frames


def _claim_group(number: int) -> Callable[[Runner], GroupResult]:
    def run_claim(runner: Runner) -> GroupResult:
        from sim.run import interval

        claim = CLAIMS[number - 1]
        frames = _claim_frames(runner)
        parts, values, ok = [], [], True
        for m in claim.measures:
            v = np.asarray(m.value(*[frames[c] for c in m.cells]), dtype=float)
            mean, lo, hi = interval(v)
            good = (m.above is None or lo > m.above) and (m.below is None or hi < m.below)
            ok &= good
            values.append((m, v, mean, lo, hi, good))
            parts.append(f"{m.label}: {_num(mean)} [{_num(lo)}, {_num(hi)}]")
        expected = "; ".join(
            f"{m.label.split(' (')[0]} {'> ' + _num(m.above) if m.above is not None else '< ' + _num(m.below)}"
            for m in claim.measures
        )
        reps = CLAIM_BASE[2].split("=")[1]
        row = Row(
            f"C{number}",
            f"Essay claim {number}: {claim.short}",
            "concepts §11, claim " + str(number),
            f"{claim.preset}: {claim.setup}; 20,000 actors, 40 rounds, {reps} paired replications",
            "95% interval of the paired measure: " + expected,
            "; ".join(parts),
            ok,
            "" if ok else claim.gap or "not reproduced; see the figure",
        )
        fig, axes = _figure(len(values), 3.4 * len(values) + 0.6, 3.6)
        for ax, (m, v, mean, lo, hi, good) in zip(axes, values, strict=True):
            ax.scatter(
                np.zeros_like(v) + np.linspace(-0.15, 0.15, len(v)), v, color=PALETTE[0], s=14, label="replications"
            )
            ax.errorbar(
                [0.4],
                [mean],
                yerr=[[mean - lo], [hi - mean]],
                fmt="o",
                color=PALETTE[1],
                capsize=6,
                label="mean, 95% interval",
            )
            bound = m.above if m.above is not None else m.below
            side = "above" if m.above is not None else "below"
            ax.axhline(bound, color="black", ls=":", lw=1, label=f"claim: interval {side} {_num(bound)}")
            ax.set_xlim(-0.5, 0.8)
            ax.set_xticks([])
            ax.set_title(("" if good else "NOT MET: ") + _wrap(m.label, 38), fontsize=8)
            ax.set_ylabel("paired value per replication")
        axes[0].legend(fontsize=7, loc="best")
        fig.suptitle(f"Claim {number} on {claim.preset}: " + _wrap(claim.text, 110), fontsize=9)
        cells = len(_claim_cells())
        detail = (
            f"The claims' {cells} distinct cells run once for all eight claims "
            f"({runner.claim_seconds:.0f} s); cells of a claim share run.seed, so the differences are paired."
        )
        return GroupResult([row], fig, claim=claim.text, detail=detail)

    return run_claim


def _num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


# --------------------------------------------------------------------------- registry
GROUPS: tuple[Group, ...] = (
    Group(
        "ensign_equal",
        "1a. Runaway feedback, equal rates (Ensign et al. 2018)",
        ("ensign_equal",),
        False,
        _ensign_equal,
    ),
    Group(
        "ensign_unequal",
        "1b. Runaway feedback, unequal rates (Ensign et al. 2018)",
        ("ensign_unequal",),
        False,
        _ensign_unequal,
    ),
    Group(
        "ensign_corrected",
        "1c. The correction by open interpretation (Ensign et al. 2018)",
        ("ensign_corrected", "ensign_corrected_start"),
        False,
        _ensign_corrected,
    ),
    Group("performative", "2. Performative prediction (Perdomo et al. 2020)", ("performative",), True, _performative),
    Group(
        "inspection_game",
        "3. Inspection game (Tsebelis 1989)",
        ("inspection_game", "inspection_commitment"),
        True,
        _inspection_game,
    ),
    Group(
        "strategic_classification",
        "4. Strategic classification and transparency (Hardt et al. 2016; Ghalme et al. 2021)",
        ("strategic_classification",),
        True,
        _classification,
    ),
    Group("fish_shop", "5a-c. Confounding: the fish shop (essay §2.3)", ("fish_shop",), True, _fish_shop),
    Group("false_discovery", "5d. False discovery in data discovery", ("false_discovery",), True, _false_discovery),
    *(
        Group(
            f"claim{c.number}",
            f"C{c.number}. Essay claim {c.number}: {c.short}",
            (c.preset,),
            False,
            _claim_group(c.number),
        )
        for c in CLAIMS
    ),
)
BY_KEY = {g.key: g for g in GROUPS}


def run_group(key: str, jobs: int = 1, runner: Runner | None = None) -> GroupResult:
    """Run one group of cases (by key) and return its rows and figure."""
    own = runner is None
    runner = runner or Runner(jobs)
    try:
        t0 = time.perf_counter()
        result = BY_KEY[key].run(runner)
        result.seconds = time.perf_counter() - t0
        return result
    finally:
        if own:
            runner.close()


# --------------------------------------------------------------------------- report
FULL_COMMAND = "python -m sim.validate --full"
FULL_MARK = f"<!-- Generated by `{FULL_COMMAND}`; do not edit by hand. -->"  # write_report's first comment
FULL_OUT = "docs"  # where --full writes: the tracked report
PARTIAL_OUT = "results/validation"  # where a run of some cases writes by default (git-ignored)


def replaces_full_report(out: Path) -> Path | None:
    """The full report (``--full``'s) that a run of some cases into ``out`` would replace, if any.

    Args:
        out: The folder the report would be written to.
    """
    path = out / "validation.md"
    try:
        with open(path, encoding="utf-8") as fh:
            head = [fh.readline() for _ in range(5)]
    except (OSError, UnicodeDecodeError):
        return None
    return path if any(line.strip() == FULL_MARK for line in head) else None


INTRO = """\
Every case below runs the model itself — `sim.model.GovernanceModel`, the same seven phases and the
same Numba population kernel that `python -m sim` runs — in a reduced configuration given by a
scenario file under [`scenarios/validation/`]({scen}). Nothing here is a separate model written to
pass: where a published setup could not be expressed, a mechanism was added to the model's phases
as a configuration option whose default leaves the presets unchanged (see `docs/ODD.md`,
section 7). The essay's claims (concepts §11) run the arrangement presets as paired experiments:
the cells of a claim share their seed, hence their worlds and random draws (common random
numbers), and each measure is a per-replication statistic whose 95% t-interval must lie on the
claimed side. Tolerances are those of the published results, never widened; a case that fails is
reported as failing, with what the model would need."""


def _md(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def write_report(
    results: dict[str, GroupResult | None], out: Path, full: bool, seconds: float, jobs: int, commit: str = ""
) -> Path:
    """Write ``validation.md`` and one figure per group (atomically) into ``out``.

    Args:
        results: Group key -> its result, or None for a group that was not run.
        out: Folder of the report (figures go to ``out/validation/``).
        full: Whether all cases were asked for (``--full``).
        seconds: Wall time of the whole validation.
        jobs: Worker processes used.
        commit: The commit the cases ran on (read when they started); default: now.

    Returns:
        The path of the report.
    """
    from sim.run import write_atomic

    figdir = out / "validation"
    figdir.mkdir(parents=True, exist_ok=True)
    scen = Path(os.path.relpath(ROOT / SCENARIOS, out)).as_posix()
    for key, res in results.items():
        if res is not None:
            buf = io.BytesIO()
            res.figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
            import matplotlib.pyplot as plt

            plt.close(res.figure)
            write_atomic(figdir / f"{key}.png", buf.getvalue())
    rows = [(g, r) for g in GROUPS for r in (results[g.key].rows if results.get(g.key) else [None])]
    ran = [r for _, r in rows if r is not None]
    failed = [r for r in ran if not r.passed]
    command = FULL_COMMAND if full else "python -m sim.validate"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Validation",
        "",
        FULL_MARK if full else f"<!-- Generated by `{command}`; do not edit by hand. -->",
        f"Generated by `{command}` on {when} from commit `{commit or _git_commit()}` "
        f"({len(ran)} cases in {seconds / 60:.1f} min with {jobs} worker process{'es' if jobs > 1 else ''}). "
        "Do not edit by hand: run the command again.",
        "",
        INTRO.format(scen=scen),
        "",
        f"**{len(ran) - len(failed)} of {len(ran)} cases pass.**"
        + (f" Not reproduced: {', '.join(r.case for r in failed)} (explained below)." if failed else "")
        + ("" if len(ran) == len(rows) else f" {len(rows) - len(ran)} cases were not run (they need `--full`)."),
        "",
        "| case | source | setup | expected | measured | pass |",
        "|---|---|---|---|---|---|",
    ]
    for g, r in rows:
        if r is None:
            why = "not run (fast case; not selected)" if g.fast else "not run (needs `--full`)"
            lines.append(f"| {_md(g.title)} | | | | {why} | – |")
            continue
        mark = "pass" if r.passed else "**fail**"
        lines.append(
            f"| [{r.case}](#{g.key.replace('_', '-')}) {_md(r.title)} | {_md(r.source)} | {_md(r.setup)} | "
            f"{_md(r.expected)} | {_md(r.measured)} | {mark} |"
        )
    for g in GROUPS:
        res = results.get(g.key)
        if res is None:
            continue
        files = ", ".join(
            f"[`{s}.yaml`]({scen}/{s}.yaml)" if (ROOT / SCENARIOS / f"{s}.yaml").is_file() else f"preset `{s}`"
            for s in g.scenarios
        )
        lines += ["", f'<a id="{g.key.replace("_", "-")}"></a>', "", f"## {g.title}", ""]
        if res.claim:
            lines += [f"*Claim:* {res.claim}", ""]
        if res.detail:
            lines += [res.detail, ""]
        lines += [f"Configuration: {files}. Run time {res.seconds:.0f} s.", ""]
        for r in res.rows:
            verdict = "passes" if r.passed else "**does not pass**"
            lines.append(f"- **{r.case}** {verdict}. Expected: {r.expected}. Measured: {r.measured}.")
        lines += ["", f"![{_md(g.title)}](validation/{g.key}.png)", ""]
        for r in res.rows:
            if not r.passed:
                lines += [f"**What the model would need ({r.case}).** {r.gap}", ""]
    path = out / "validation.md"
    write_atomic(path, ("\n".join(lines).rstrip() + "\n").encode())
    return path


# --------------------------------------------------------------------------- command line
def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sim validate",
        description=(
            f"Run the validation cases. With --full: every case, into {FULL_OUT}/validation.md and its figures "
            f"(the tracked report). Without: the fast cases (or --cases), into {PARTIAL_OUT}/; a run of some "
            "cases never replaces a full report (it stops with exit status 2 instead)."
        ),
    )
    parser.add_argument(
        "--full", action="store_true", help=f"run every case (minutes) and write {FULL_OUT}/; default: the fast cases"
    )
    parser.add_argument(
        "--out",
        default=None,
        help=f"folder of validation.md and validation/*.png (default: {FULL_OUT} with --full, else {PARTIAL_OUT}); "
        "a folder holding a full report takes only --full",
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    parser.add_argument("--cases", default="", help="comma-separated case groups to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the case groups and exit")
    return parser.parse_args(argv)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sim.validate`` and ``sim validate``; returns the exit status.

    Exit status 0 if every case that ran passes or fails with an explanation of what
    the model would need, 1 if a case fails without one, 2 on bad input.
    """
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
        return int(exc.code) if isinstance(exc.code, int) else 2
    if args.list:
        for g in GROUPS:
            print(f"{g.key:26s} {'fast' if g.fast else 'full'}  {g.title}")
        return 0
    if args.jobs < 1:
        return _error(f"--jobs={args.jobs} is not allowed. Allowed: an integer >= 1.")
    keys = [k.strip() for k in args.cases.split(",") if k.strip()]
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        return _error(f"--cases={','.join(unknown)} is not allowed. Allowed: {', '.join(BY_KEY)}.")
    if keys and args.full:
        return _error("--cases and --full exclude each other (--full runs every case).")
    selected = keys or [g.key for g in GROUPS if args.full or g.fast]
    from sim.run import unwritable

    out = Path(args.out if args.out is not None else FULL_OUT if args.full else PARTIAL_OUT)
    problem = unwritable(out / "validation")
    if problem:
        allowed = f"a folder that can be created and written; {problem}"
        return _error(f"--out={str(out)!r} is not allowed. Allowed: {allowed}.")
    full_report = None if args.full else replaces_full_report(out)
    if full_report is not None:
        return _error(
            f"--out={str(out)!r} is not allowed: {full_report} is a full report (`{FULL_COMMAND}`), and this run "
            f"has {len(selected)} of {len(GROUPS)} case groups; it would replace it. Allowed: --full, or another "
            f"folder (without --out, a run of some cases writes to {PARTIAL_OUT})."
        )
    logging.getLogger("MESA").setLevel(logging.WARNING)
    commit = _git_commit()  # the code the cases run on (the checkout may move while they run)
    runner = Runner(args.jobs)
    results: dict[str, GroupResult | None] = {g.key: None for g in GROUPS}
    t0 = time.perf_counter()
    try:
        for key in selected:
            res = run_group(key, runner=runner)
            results[key] = res
            for r in res.rows:
                print(f"{r.case:4s} {'pass' if r.passed else 'FAIL'}  {r.title}: {r.measured}  [{res.seconds:.0f} s]")
    except ConfigError as exc:
        return _error(f"a validation scenario does not compose: {exc}")
    finally:
        runner.close()
    path = write_report(results, out, args.full, time.perf_counter() - t0, args.jobs, commit)
    ran = [r for res in results.values() if res for r in res.rows]
    print(f"wrote {path} ({sum(r.passed for r in ran)} of {len(ran)} cases pass, {time.perf_counter() - t0:.0f} s)")
    return 1 if any(not r.passed and not r.gap for r in ran) else 0


if __name__ == "__main__":
    from sim.console import exit_with

    exit_with(main)
