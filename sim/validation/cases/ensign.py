"""Cases 1a-1c: runaway feedback in predictive inspection and its correction.

Source: Ensign, Friedler, Neville, Scheidegger and Venkatasubramanian, "Runaway
feedback loops in predictive policing", FAT* 2018: sections 4 (the Polya urn: with
equal rates the share of place A locks in at a uniform draw, 1a; with unequal rates
it runs away to the higher one, 1b) and 5 (their correction: a discovery counts with
probability p_other / max(p_A, p_B), and the share converges to the true one, 1c).

Scenarios: ``scenarios/validation/ensign_equal.yaml``, ``ensign_unequal.yaml``,
``ensign_corrected.yaml``, ``ensign_corrected_start.yaml``. Full runs only (``--full``).
"""

from __future__ import annotations

import logging

import numpy as np

from sim.config import SimConfig
from sim.validation.figures import PALETTE, band, figure
from sim.validation.runner import Group, GroupResult, Row, Runner, chunks, scenario

# sim.model and scipy are imported in the functions that use them, for start-up time
# (`sim validate --list` and bad input load neither).

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
    parts = runner.map(_urn_shares, [(cfg, reps, cps) for reps in chunks(cfg.run.replications, runner.jobs)])
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
    fig, (a1, a2) = figure()
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
    fig, (a1, a2) = figure()
    band(a1, cps, shares, PALETTE[0], "model: mean and 10-90% of runs")
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
    fig, (a1, a2) = figure()
    band(a1, cps_u, sh_u, PALETTE[0], "model, open interpretation")
    a1.axhline(0.6, color=PALETTE[1], ls="--", label="true share 0.6 (paper)")
    a1.set(xscale="log", ylim=(0, 1), xlabel="round", ylabel="share of place A in the records")
    a1.set_title("Rates (0.6, 0.4), start (1, 1)")
    a1.legend(loc="lower right")
    band(a2, cps_s, sh_s, PALETTE[2], "model, open interpretation")
    a2.axhline(0.5, color=PALETTE[1], ls="--", label="true share 0.5 (paper)")
    a2.set(xscale="log", ylim=(0, 1), xlabel="round", ylabel="share of place A in the records")
    a2.set_title("Equal rates, start (10, 1)")
    a2.legend(loc="lower right")
    fig.suptitle("1c. The corrected loop converges to the true shares (mean and 10-90% of runs)")
    return GroupResult([row], fig)


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
)
