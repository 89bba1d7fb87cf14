"""The problem's structure (conf/problem/), the basic strategies (conf/strategy/) and experiment=hoppe.

Table 7 of the essay (after Hoppe): the problem types shape the partners the model
builds, the strategies are presets of role, regime, schedule and facilitation, and the
report says which strategy wins in which problem type (sim/report/groups.py).
"""

import hashlib
import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import sweep
from sim.config import from_mapping, to_dict, validate
from sim.hydra_conf import load
from sim.model.governance import GovernanceModel
from sim.report import groups
from sim.report import main as report_main
from sim.report.document import ci
from sim.run import config_hash, run, summarise

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
PROBLEMS = ["structured", "knowledge_contested", "values_contested", "unstructured"]
STRATEGIES = ["expert_solution", "coalition_experiment", "broaden_issue", "shared_discourse"]
SMALL = ["world.actors=2000", "run.rounds=30", "run.replications=2"]


def built(*overrides: str, replications: int = 6) -> list[GovernanceModel]:
    cfg = load([*overrides, *SMALL])
    return [GovernanceModel(cfg, r) for r in range(replications)]


def test_problem_types_shape_the_partners_the_model_builds():
    """Dissensus on values: less aligned partners; on data: less trust, contested harder."""
    made = {p: built(f"problem={p}") for p in PROBLEMS}

    def mean(p, what):
        return float(np.mean([what(m) for m in made[p]]))

    def alignment(m):
        return m._mean_alignment

    def trust(m):
        return float(m.partner_trust.mean())

    def like_minded(m):
        return float(np.mean([p.aligned for p in m.partners]))

    assert mean("unstructured", alignment) < mean("structured", alignment) - 0.15
    assert mean("unstructured", trust) < mean("structured", trust) - 0.2
    assert mean("values_contested", like_minded) < mean("structured", like_minded) - 0.3
    assert mean("knowledge_contested", alignment) == mean("structured", alignment)  # same draws, same values
    assert mean("knowledge_contested", trust) < mean("structured", trust)
    assert mean("values_contested", trust) == mean("structured", trust)
    contest = {p: load([f"problem={p}"]).problem.contestation for p in PROBLEMS}
    assert (
        contest["knowledge_contested"] > contest["structured"] and contest["unstructured"] > contest["values_contested"]
    )


def test_the_problem_applies_after_the_arrangement_and_the_command_line_after_both():
    """gezonde_wijk sets partners.alignment=0.7 and trust 0.55; the problem's values replace them."""
    assert load(["arrangement=gezonde_wijk"]).partners.alignment == 0.7
    cfg = load(["arrangement=gezonde_wijk", "problem=unstructured"])
    assert (cfg.partners.alignment, cfg.partners.trust, cfg.problem.name) == (0.45, 0.35, "unstructured")
    assert cfg.partners.capacity == 10.0  # what the problem does not set stays the arrangement's
    cfg = load(["arrangement=gezonde_wijk", "problem=unstructured", "partners.trust=0.9"])
    assert cfg.partners.trust == 0.9
    cfg = load(["arrangement=gezonde_wijk", "strategy=broaden_issue"])  # co_producer in the preset
    assert (cfg.role.name, cfg.regime.framing, cfg.regime.interpretation) == ("director", "open", "restricted")
    assert load(["strategy=broaden_issue", "role=producer"]).role.name == "producer"


def test_strategies_are_presets_of_role_regime_schedule_and_facilitation():
    got = {s: load([f"strategy={s}"]) for s in STRATEGIES}
    assert got["expert_solution"].role.name == "producer"
    assert got["expert_solution"].regime.interpretation == "closed"  # the experts give meaning: contestable
    assert {p: getattr(got["coalition_experiment"].regime, p) for p in ("framing", "use")} == {
        "framing": "restricted",
        "use": "restricted",
    }
    assert got["broaden_issue"].role.coordinates and got["broaden_issue"].regime.framing == "open"
    discourse = got["shared_discourse"]
    assert discourse.regime.use == "closed" and discourse.regime.interpretation == "open"
    assert [e["round"] for e in discourse.schedule] == [15, 25]
    assert all(got[s].schedule == [] for s in STRATEGIES if s != "shared_discourse")
    summary = summarise(run(load(["strategy=shared_discourse", *SMALL])), load(["strategy=shared_discourse", *SMALL]))
    assert summary["schedule"][1]["set"]["role.name"] == "facilitator"
    assert summary["schedule"][1]["set"]["platform.facilitation"] == 0.5


def test_contestation_scales_the_contested_share_and_its_default_changes_nothing():
    base = {
        "world": {"actors": 1500, "places": 12},
        "run": {"rounds": 4, "replications": 2},
        "regime": {"interpretation": "closed"},
        "partners": {"alignment": 0.45, "alignment_spread": 0.35},
    }
    plain = run(validate(from_mapping(base)))
    same = run(validate(from_mapping({**base, "problem": {"contestation": 1.0}})))
    pd.testing.assert_frame_equal(plain, same, check_exact=True)
    assert plain["contested"].between(0.2, 0.8).all()
    double = run(validate(from_mapping({**base, "problem": {"contestation": 2.0}})))
    assert np.array_equal(double["contested"], np.minimum(1.0, 2.0 * plain["contested"]))
    assert (double["legitimacy"].iloc[1:] < plain["legitimacy"].iloc[1:]).any()  # contested results are unfair
    opened = run(validate(from_mapping({**base, "regime": {"interpretation": "open"}, "problem": {"contestation": 5}})))
    assert (opened["contested"] == 0).all()  # heard at the table, nobody contests


def test_without_a_problem_the_config_hash_and_summary_are_as_before():
    cfg = load(["world.actors=1500", "run.rounds=2", "run.replications=1"])
    data = to_dict(cfg)
    data["run"].pop("threads")
    for section in ("sampling", "schedule", "problem"):
        data.pop(section)
    for key in ("exploration", "selectivity", "partner_learning", "standard", "intensify"):
        data["government"].pop(key)  # the working practice's knobs, left at their defaults, are not hashed either
    assert config_hash(cfg) == hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    assert "problem" not in summarise(run(cfg), cfg)
    chosen = load(["problem=structured", "world.actors=1500", "run.rounds=2", "run.replications=1"])
    assert config_hash(chosen) != config_hash(cfg)
    assert summarise(run(chosen), chosen)["problem"] == "structured"


def test_hoppe_experiment_is_the_four_by_four_grid():
    multirun, cells = sweep.expand(["experiment=hoppe"])
    assert multirun and len(cells) == 16
    pairs = {tuple(sorted(o for o in c if o.startswith(("problem=", "strategy=")))) for c in cells}
    assert pairs == {(f"problem={p}", f"strategy={s}") for p in PROBLEMS for s in STRATEGIES}
    cfg = load(["experiment=hoppe"])
    assert cfg.run.replications >= 10 and cfg.run.rounds > 25  # intervals; shared_discourse's last step


# ---- sim/report/groups.py on made-up totals


def totals(effects: dict[str, dict[str, float]], worlds: int = 12, noise: float = 1.0, seed: int = 3) -> pd.DataFrame:
    """One row per problem x strategy x replication: a world effect shared by all, plus each one's effect."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 100, worlds)
    rows = []
    for p, by in effects.items():
        for s, e in by.items():
            own = rng.normal(0, noise, worlds)
            rows += [
                {"problem": p, "strategy": s, "replication": r, "public_value": shared[r] + e + own[r]}
                for r in range(worlds)
            ]
    return pd.DataFrame(rows)


def t_interval(x):
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def test_winners_pairs_within_each_group_and_says_when_the_winner_is_clear():
    t = totals({"unstructured": {"broaden_issue": 10.0, "expert_solution": 0.0}, "structured": {"a": 0.0, "b": 0.1}})
    out = groups.winners(t)
    assert list(out.problem) == ["structured", "structured", "unstructured", "unstructured"]  # table 7's order
    assert list(out.strategy[2:]) == ["expert_solution", "broaden_issue"]
    un = out[out.problem == "unstructured"].set_index("strategy")
    assert un.loc["broaden_issue", "best"] and un.loc["broaden_issue", "clear"]
    # The shared world effect (sd 100) swamps each mean's interval, not the paired difference.
    assert un.loc["broaden_issue", "ci95_low"] < un.loc["expert_solution", "mean"]
    here = t[t.problem == "unstructured"].pivot(index="replication", columns="strategy", values="public_value")
    diff = here["expert_solution"] - here["broaden_issue"]
    assert un.loc["expert_solution", "diff_mean"] == pytest.approx(diff.mean(), rel=1e-12)
    lo, hi = t_interval(diff)
    assert (un.loc["expert_solution", "diff_ci95_low"], un.loc["expert_solution", "diff_ci95_high"]) == (
        pytest.approx(lo, rel=1e-9),
        pytest.approx(hi, rel=1e-9),
    )
    assert un.loc["broaden_issue", "p_best"] == 1.0 and un.loc["broaden_issue", "diff_mean"] == 0.0
    st = out[out.problem == "structured"].set_index("strategy")
    assert st["best"].sum() == 1 and not st["clear"].any()  # 0.1 apart with noise 1: not told apart
    shown = groups.display(out).set_index("problem")
    assert shown.loc["unstructured", "winner"] == "broaden_issue (clear)"
    assert "not told apart from" in shown.loc["structured", "winner"]
    margin = ci(-diff.mean(), -hi, -lo, sign=True)  # best - runner-up, from the independent interval
    assert shown.loc["unstructured", "margin over the runner-up (paired)"] == f"{margin} over expert_solution"
    assert margin.startswith("+")
    assert shown.loc["unstructured", groups.ESSAY_COLUMN] == "shared_discourse: not run"  # table 7's, not in this sweep
    assert shown.loc["structured", groups.ESSAY_COLUMN] == "expert_solution: not run"


def test_winners_refuses_tables_it_cannot_pair():
    t = totals({"structured": {"a": 0.0, "b": 1.0}})
    with pytest.raises(ValueError, match="strategy"):
        groups.winners(t.drop(columns="strategy"))
    with pytest.raises(ValueError, match="more than one row"):
        groups.winners(pd.concat([t, t.head(1)]))


def test_section_only_for_a_sweep_that_varies_the_problem():
    t = totals({"structured": {"a": 0.0, "b": 5.0}, "unstructured": {"a": 5.0, "b": 0.0}}, noise=0.5)
    assert groups.section(t, ["strategy"], ["replication"]) == []
    blocks = groups.section(t, ["problem", "strategy"], ["replication"])
    assert [b.kind for b in blocks] == ["h2", "p", "table"] and "A clear winner in 2 of 2" in blocks[1].text
    items = groups.summary_items(t, ["problem", "strategy"], ["replication"], "public_value")
    assert items == [
        "In the **structured** problem the best is b (clear).",
        "In the **unstructured** problem the best is a (clear).",
    ]
    # Without a swept strategy the other swept choices make the option.
    blocks = groups.section(t.rename(columns={"strategy": "role"}), ["role", "problem"], ["replication"])
    assert "role" not in blocks[-1].table.columns and "a" in blocks[-1].table.columns


# ---- a real sweep and its report


@pytest.fixture(scope="module")
def hoppe_sweep(tmp_path_factory):
    """Two problem types x two strategies, small, and its report."""
    tmp = tmp_path_factory.mktemp("hoppe")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "-m",
            "problem=structured,unstructured",
            "strategy=coalition_experiment,shared_discourse",
            "world.actors=3000",
            "run.rounds=30",
            "run.replications=5",
            "hydra/launcher=basic",
            "hydra.sweep.dir=sw",
        ],
        cwd=tmp,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    assert report_main([str(tmp / "sw")]) == 0
    return tmp / "sw"


def test_report_shows_the_winner_per_problem_type_of_a_real_sweep(hoppe_sweep):
    raw = pd.read_parquet(hoppe_sweep / "summary.parquet")
    assert (
        set(raw.problem) == {"structured", "unstructured"} and raw.groupby(["problem", "strategy"]).size().eq(5).all()
    )
    got = pd.read_csv(hoppe_sweep / "report" / "tables" / "problem_winners.csv")
    assert len(got) == 4
    for p, here in raw.groupby("problem"):
        wide = here.pivot(index="replication", columns="strategy", values="public_value")
        best = wide.mean().idxmax()
        rows = got[got.problem == p].set_index("strategy")
        assert rows.loc[best, "best"] and rows["best"].sum() == 1
        for s in wide.columns:
            assert rows.loc[s, "mean"] == pytest.approx(wide[s].mean(), rel=1e-12)
            if s != best:
                lo, hi = t_interval(wide[s] - wide[best])
                assert rows.loc[s, "diff_ci95_low"] == pytest.approx(lo, rel=1e-9)
                assert rows.loc[s, "diff_ci95_high"] == pytest.approx(hi, rel=1e-9)
                assert bool(rows.loc[best, "clear"]) == (hi < 0)
    shown = pd.read_csv(hoppe_sweep / "report" / "tables" / "problem_winners.csv")
    un = shown[shown.problem == "unstructured"].set_index("strategy").loc["shared_discourse"]
    essay = (
        "shared_discourse: the winner"
        if un["best"]
        else f"shared_discourse: {ci(un['diff_mean'], un['diff_ci95_low'], un['diff_ci95_high'], sign=True)}"
    )
    md = (hoppe_sweep / "report" / "report.md").read_text()
    assert f"| {essay} |" in md  # table 7's strategy for the unstructured problem, against the winner
    assert "| expert_solution: not run |" in md
    assert "## Which strategy wins in which problem type" in md
    assert "| problem | coalition_experiment | shared_discourse | winner |" in md
    html = (hoppe_sweep / "report" / "report.html").read_text()
    assert "Which strategy wins in which problem type" in html and "tables/problem_winners.csv" in html
