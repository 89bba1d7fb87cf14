"""Legitimacy that acts, and the coalition that forms and falls apart (issue 18, items 1 and 3).

Each mechanism test states the expected direction and checks it with fixed seeds and
paired replications (common random numbers): the 95% interval of the paired difference
excludes zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.agents import Partner, Professional
from sim.hydra_conf import load
from sim.run import interval, run

SMALL = ["world.actors=20000", "run.replications=8", "run.rounds=40", "run.seed=7", "feedback=acting"]


def _window(df: pd.DataFrame, col: str, first: int, last: int) -> np.ndarray:
    """Per replication, the mean of ``col`` over rounds first..last."""
    rows = df[(df["round"] >= first) & (df["round"] <= last)]
    return rows.groupby("replication")[col].mean().to_numpy()


def test_a_loss_of_legitimacy_raises_violations():
    """A legitimacy shock of -0.3 after round 20: more violations in rounds 21-30 (the norm weakens)."""
    base = run(load(["arrangement=overlast", *SMALL]))
    shocked = run(load(["arrangement=overlast", *SMALL, "schedule=[{round:20,shock:{legitimacy:-0.3}}]"]))
    mean, lo, hi = interval(_window(shocked, "violations", 21, 30) - _window(base, "violations", 21, 30))
    assert lo > 0, (mean, lo, hi)


def test_without_the_norm_legitimacy_is_a_ledger_entry_only():
    """The control: with feedback=ledger (the default), the same shock leaves every violation as it was."""
    args = ["arrangement=overlast", *SMALL, "run.replications=2", "feedback=ledger"]
    base = run(load(args))
    shocked = run(load([*args, "schedule=[{round:20,shock:{legitimacy:-0.3}}]"]))
    np.testing.assert_array_equal(base["violations"].to_numpy(), shocked["violations"].to_numpy())
    assert (shocked["legitimacy"] < base["legitimacy"]).any()


def test_a_sudden_loss_does_more_harm_than_a_gradual_loss_of_the_same_size():
    """Open overlast, -0.3 at once after round 20 against -0.03 after each of rounds 20-29: more violations
    over the rest of the run (rounds 21-60).

    A loss faster than expectations adapt leaves a grievance (legitimacy.tolerance,
    .adaptation); the same loss spread out leaves none: the path matters (Epstein 2002).
    """
    args = ["arrangement=overlast", "regime=open", *SMALL, "run.rounds=60"]
    gradual = ",".join(f"{{round:{r},shock:{{legitimacy:-0.03}}}}" for r in range(20, 30))
    sudden = run(load([*args, "schedule=[{round:20,shock:{legitimacy:-0.3}}]"]))
    slow = run(load([*args, f"schedule=[{gradual}]"]))
    mean, lo, hi = interval(_window(sudden, "violations", 21, 60) - _window(slow, "violations", 21, 60))
    assert lo > 0, (mean, lo, hi)
    assert _window(sudden, "grievance", 21, 25).mean() > 0
    assert _window(slow, "grievance", 21, 30).max() == 0


def test_legitimacy_raises_partners_willingness_to_share():
    """Open zwartwerken, a legitimacy shock of -0.4 after round 10: less partner data shared in rounds 11-20."""
    args = ["arrangement=zwartwerken", "regime=open", *SMALL]
    base = run(load(args))
    shocked = run(load([*args, "schedule=[{round:10,shock:{legitimacy:-0.4}}]"]))
    mean, lo, hi = interval(_window(base, "data_shared", 11, 20) - _window(shocked, "data_shared", 11, 20))
    assert lo > 0, (mean, lo, hi)


def test_willingness_and_engagement_follow_legitimacy():
    """The partners' willingness and the professionals' engagement target move with legitimacy, clipped to [0, 1]."""
    trust = np.array([0.0, 0.4, 0.95])
    np.testing.assert_allclose(Partner.willingness(trust, 0.9, 0.3), [0.12, 0.52, 1.0])
    np.testing.assert_allclose(Partner.willingness(trust, 0.1, 0.3), [0.0, 0.28, 0.83])
    np.testing.assert_array_equal(Partner.willingness(trust, 0.1, 0.0), trust)
    used = np.array([True, False])
    up = Professional.update_engagement(np.array([0.5, 0.5]), 0.5, used, 0.1)
    flat = Professional.update_engagement(np.array([0.5, 0.5]), 0.5, used)
    np.testing.assert_allclose(up - flat, [0.05, 0.05])


def test_partners_leave_a_closed_arrangement_and_return_when_invited():
    """Closed: trust falls below partners.exit_trust and partners leave; opened after round 25, they return."""
    args = [
        "arrangement=gezonde_wijk",
        "role=director",
        "regime=closed",
        "world.actors=5000",
        "run.rounds=50",
        "run.replications=3",
        "feedback=acting",
    ]
    closed = run(load(args))
    reopened = run(load([*args, "schedule=[{round:25,set:{regime:open}}]"]))
    count = load(args).partners.count
    assert closed["coalition_size"].iloc[0] == count
    assert closed.groupby("replication")["partners_left"].sum().min() > 0
    assert (closed.loc[closed["round"] == 50, "coalition_size"] < count).all()
    late = reopened[reopened["round"] > 25]
    assert late.groupby("replication")["partners_returned"].sum().min() > 0
    assert (reopened.loc[reopened["round"] == 50, "coalition_size"] == count).all()
    # Outside, a partner brings nothing: with everybody gone, no partner units.
    gone = closed[closed.groupby("replication")["coalition_size"].shift(1) == 0]  # all had left before the round
    assert len(gone) > 0 and (gone["partner_units"] == 0).all() and (gone["data_shared"] == 0).all()


def test_without_agreement_at_the_table_the_joint_work_waits():
    """An agreement bar nobody reaches (partners.agreement=1): no partner units; a bar of 0: partners work."""
    args = [
        "arrangement=gezonde_wijk",
        "role=co_producer",
        "regime=open",
        "world.actors=5000",
        "run.rounds=10",
        "run.replications=2",
        "feedback=acting",
    ]
    never = run(load([*args, "partners.agreement=1"]))
    always = run(load([*args, "partners.agreement=0"]))
    assert (never["agreement"] == 0).all() and (never["partner_units"] == 0).all()
    assert (always["agreement"] == 1).all() and (always["partner_units"] > 0).all()
