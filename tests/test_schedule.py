"""The policy schedule (sim/schedule.py): changes after a round, with common random numbers.

Mechanism tests state the expected direction and check it with fixed seeds and paired
replications, the 95% interval of the paired difference excluding zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError
from sim.hydra_conf import load
from sim.model import GovernanceModel
from sim.run import interval, run, summarise

SMALL = ["world.actors=20000", "run.replications=6", "run.rounds=40", "run.seed=11"]


def _late_mean(df: pd.DataFrame, col: str, after: int) -> np.ndarray:
    return df[df["round"] > after].groupby("replication")[col].mean().to_numpy()


def test_rounds_before_a_change_are_identical_and_publishing_raises_evasion():
    """Publishing the targeting after round 20 leaves rounds 1-20 bit-identical, then raises evasion."""
    base = run(load(["arrangement=zwartwerken", *SMALL]))
    leak = run(load(["arrangement=zwartwerken", *SMALL, "schedule=[{round:20,set:{regime.use:public}}]"]))
    before = base["round"] <= 20
    pd.testing.assert_frame_equal(base[before], leak[before.to_numpy()], check_exact=True)
    assert not base[~before].equals(leak[~before.to_numpy()])
    mean, lo, hi = interval(_late_mean(leak, "evasion_rate", 20) - _late_mean(base, "evasion_rate", 20))
    assert lo > 0, (mean, lo, hi)


def test_a_change_after_round_0_is_the_same_as_the_setting_from_the_start():
    """``round: 0`` acts before the first round: the same numbers as setting the key for the run."""
    start = run(load(["arrangement=zwartwerken", *SMALL, "run.replications=2", "regime.use=public"]))
    scheduled = run(
        load(["arrangement=zwartwerken", *SMALL, "run.replications=2", "schedule=[{round:0,set:{regime.use:public}}]"])
    )
    pd.testing.assert_frame_equal(start, scheduled, check_exact=True)


@pytest.mark.parametrize("regime", ["open", "closed_creation_open_use"])
def test_a_regime_change_admits_partners_as_a_run_that_started_with_it(regime):
    """After a regime change the partners' admission is that of a model built with the new regime."""
    changed = GovernanceModel(
        load(["run.rounds=10", "world.actors=3000", f"schedule=[{{round:3,set:{{regime:{regime}}}}}]"])
    )
    fresh = GovernanceModel(load(["run.rounds=10", "world.actors=3000", f"regime={regime}"]))
    for _ in range(4):
        changed.step()
    assert changed.cfg.regime == fresh.cfg.regime
    for name in ("_involvement", "_sees", "_asked", "_framing_admits", "_admitted", "_contested", "_audience_share"):
        np.testing.assert_array_equal(getattr(changed, name), getattr(fresh, name), err_msg=name)


def test_a_role_preset_by_name_changes_the_role_mid_run():
    """``set: {role: facilitator}`` after round 10: the facilitator's publishing from round 11 on."""
    cfg = load(
        [
            "arrangement=gezonde_wijk",
            "role=producer",
            "world.actors=5000",
            "run.rounds=20",
            "run.replications=3",
            "regime=open",
            "schedule=[{round:10,set:{role:facilitator}}]",
        ]
    )
    df = run(cfg)
    assert (df.loc[df["round"] <= 10, "reusers"] == 0).all()  # a producer publishes nothing
    assert df.loc[df["round"] > 10, "reusers"].sum() > 0
    summary = summarise(df, cfg)
    assert summary["schedule"][0]["round"] == 10
    assert summary["schedule"][0]["set"]["role.name"] == "facilitator"
    assert summary["schedule"][0]["set"]["role.publishes"] is True


def test_a_legitimacy_shock_lowers_legitimacy_from_the_next_round():
    """A shock of -0.3 after round 15: rounds 1-15 identical, legitimacy lower afterwards in every world."""
    base = run(load(["arrangement=overlast", *SMALL]))
    shocked = run(load(["arrangement=overlast", *SMALL, "schedule=[{round:15,shock:{legitimacy:-0.3}}]"]))
    before = base["round"] <= 15
    pd.testing.assert_frame_equal(base[before], shocked[before.to_numpy()], check_exact=True)
    mean, lo, hi = interval(_late_mean(base, "legitimacy", 15) - _late_mean(shocked, "legitimacy", 15))
    assert lo > 0, (mean, lo, hi)


def test_entries_act_in_the_order_of_their_rounds_and_build_on_each_other():
    """Two changes given out of order: each configuration in force is the one before it, changed."""
    from sim.schedule import resolve

    cfg = load(["schedule=[{round:30,set:{regime.use:open}},{round:10,set:{government.capacity:60}}]"])
    first, second = resolve(cfg)
    assert (first.after, second.after) == (10, 30)
    assert first.cfg.government.capacity == 60 and first.cfg.regime.use == "closed"
    assert second.cfg.government.capacity == 60 and second.cfg.regime.use == "open"


@pytest.mark.parametrize(
    ("schedule", "key"),
    [
        ("[{round:50,set:{regime.use:open}}]", "schedule[0].round"),
        ("[{round:-1,set:{regime.use:open}}]", "schedule[0].round"),
        ("[{round:5,set:{population.sophistication:0.9}}]", "schedule[0].set.population.sophistication"),
        ("[{round:5,set:{run.rounds:10}}]", "schedule[0].set.run.rounds"),
        ("[{round:5,set:{analytics:profiling}}]", "schedule[0].set.analytics.resolution"),
        ("[{round:5,set:{government.capacity:-1}}]", "schedule[0].set.government.capacity"),
        ("[{round:5,set:{analytics.features_searched:5000}}]", "schedule[0].set.analytics.features_searched"),
        ("[{round:5,set:{regime.use:open}},{round:6,shock:{trust:2}}]", "schedule[1].shock.trust"),
        ("[{round:5,shock:{support:0.1}}]", "schedule[0].shock.support"),
    ],
)
def test_a_bad_schedule_names_its_entry_and_key(schedule, key):
    """Every bad entry fails before any work, naming the entry's index and the key."""
    with pytest.raises(ConfigError) as err:
        load([f"schedule={schedule}"])
    assert err.value.key == key


def test_a_schedule_keeps_the_config_hash_of_runs_without_one():
    """An empty schedule leaves a run's config hash (resumable sweeps, provenance) as it was."""
    from sim.run import config_hash

    plain = load([])
    assert config_hash(plain) == config_hash(load(["schedule=[]"]))
    assert config_hash(plain) != config_hash(load(["schedule=[{round:5,set:{regime.use:open}}]"]))
