"""The decision report: its numbers against an independent recomputation, bad folders, sampled designs."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import sampling
from sim.config import ConfigError, SamplingConfig
from sim.glossary import BOUNDS, option_name
from sim.hydra_conf import load
from sim.report import main as report_main
from sim.run import ACCOUNT, config_hash
from tests.report import reference_level

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
SMALL = ["world.actors=3000", "run.rounds=8", "run.replications=5", "hydra/launcher=basic"]


def sim(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=300
    )


def ci(x):
    """Mean and 95% t-interval, written out here rather than taken from sim.run."""
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """A real 2 x 2 sweep (roles x regimes) and its report."""
    tmp = tmp_path_factory.mktemp("grid")
    r = sim(tmp, "-m", "role=regulator,co_producer", "regime=open,closed", *SMALL, "hydra.sweep.dir=sw")
    assert r.returncode == 0, r.stderr
    assert report_main([str(tmp / "sw")]) == 0
    return tmp / "sw"


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """The sensitivity experiment at its smallest complete size: Sobol' N=2, 6 parameters: 16 points x 2."""
    tmp = tmp_path_factory.mktemp("sampled")
    r = sim(
        tmp,
        "experiment=sensitivity",
        "sampling.samples=2",
        "sampling.sample=range(0,16)",
        "world.actors=1500",
        "run.rounds=5",
        "run.replications=2",
        "hydra/launcher=basic",
        "hydra.sweep.dir=sw",
    )
    assert r.returncode == 0, r.stderr
    assert report_main([str(tmp / "sw")]) == 0
    return tmp / "sw"


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "report" / "tables" / f"{name}.csv")


def test_account_means_and_intervals_match_summary(grid):
    raw = pd.read_parquet(grid / "summary.parquet")
    acc = table(grid, "account").set_index(["role", "regime"])
    assert len(acc) == 4
    for (role, regime), grp in raw.groupby(["role", "regime"]):
        row = acc.loc[(role, regime)]
        assert row["n"] == len(grp) == 5
        assert row["name"] == option_name({"role": role, "regime": regime})
        for col in ACCOUNT:
            want = reference_level(grp[col], *BOUNDS[col])
            np.testing.assert_allclose(
                [row[f"{col}_mean"], row[f"{col}_ci95_low"], row[f"{col}_ci95_high"]], want, rtol=1e-9, atol=1e-12
            )
        # Public value has no bound: its interval is the t-interval.
        np.testing.assert_allclose(
            [row["public_value_ci95_low"], row["public_value_ci95_high"]], ci(grp["public_value"])[1:], rtol=1e-9
        )


def test_paired_differences_use_the_same_worlds(grid):
    raw = pd.read_parquet(grid / "summary.parquet")
    dif = table(grid, "differences")
    assert set(dif["baseline"]) == {"role=regulator, regime=closed", "role=co_producer, regime=closed"}
    assert len(dif) == 2
    for role in ("regulator", "co_producer"):
        a = raw[(raw.role == role) & (raw.regime == "open")].set_index("replication")
        b = raw[(raw.role == role) & (raw.regime == "closed")].set_index("replication")
        row = dif[dif.option == f"role={role}, regime=open"].iloc[0]
        for col in ACCOUNT:
            want = ci(a[col] - b[col])
            got = [row[f"diff_{col}_mean"], row[f"diff_{col}_ci95_low"], row[f"diff_{col}_ci95_high"]]
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    # The trade-off's contributions (weight x difference per component) add up to the public-value difference.
    parts = dif[[f"contribution_{c}" for c in ACCOUNT[:5]]].sum(axis=1)
    np.testing.assert_allclose(parts, dif["diff_public_value_mean"], rtol=1e-9)


def test_probability_best_and_ranking(grid):
    raw = pd.read_parquet(grid / "summary.parquet")
    raw["option"] = "role=" + raw.role + ", regime=" + raw.regime
    wide = raw.pivot(index="replication", columns="option", values="public_value")
    winners = wide.idxmax(axis=1)
    rank = table(grid, "ranking").set_index("option")
    for opt in wide.columns:
        assert rank.loc[opt, "p_best"] == pytest.approx((winners == opt).mean())
        assert rank.loc[opt, "mean_rank"] == pytest.approx(wide.rank(axis=1, ascending=False)[opt].mean())
    means = wide.mean().sort_values(ascending=False)
    assert list(rank.sort_values("rank").index) == list(means.index)
    assert rank["p_best"].sum() == pytest.approx(1.0)


def test_report_files_and_headline_numbers(grid):
    out = grid / "report"
    html = (out / "report.html").read_text()
    md = (out / "report.md").read_text()
    for name in ("account", "differences", "ranking", "series", "heatmap"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (out / "figures" / f"{name}.svg").read_text().lstrip().startswith("<?xml")
        assert f"figures/{name}.png" in md and "data:image/svg+xml;base64," in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # opens offline
    # The headline names the top option by mean public value, and calls it best only if its paired
    # intervals against every other option are above 0: both as computed here.
    raw = pd.read_parquet(grid / "summary.parquet")
    wide = raw.pivot(index="replication", columns=["role", "regime"], values="public_value")
    means = wide.mean()
    (role, regime), best = means.idxmax(), means.max()
    clear = all(ci(wide[(role, regime)] - wide[o])[1] > 0 for o in wide.columns if o != (role, regime))
    name = option_name({"role": role, "regime": regime})
    mean = f"{best:,.0f}".replace("-", "−")
    if clear:
        assert f"**Best option: {name}**, with public value {mean} (" in md
        assert f"<strong>Best option: {name}</strong>, with public value {mean} (" in html
    else:
        assert f"**No option is clearly best.** *{name}* has the highest mean public value" in md
        assert f"<em>{name}</em> has the highest mean public value" in html and f": public value {mean} (" in md
        assert "Best option:" not in md and "Too few replications" in md
    # The ranking shown puts the same option first.
    assert f"| 1 | {name} |" in md
    # The markdown and the HTML carry the same table rows, options by their readable names.
    for word in ("co-producer, ", "regulator, "):
        assert md.count(f"| {word}") == html.count(f'<td class="text">{word}') > 0
    assert "role=" not in md.split("## Method")[0].replace("--baseline", "").replace("`regime=closed`", "")
    series = table(grid, "series")
    assert set(series["column"]) == {"legitimacy", "trust", "evasion_rate", "data_shared", "misallocation"}


def test_time_series_match_rounds_files(grid):
    series = table(grid, "series")
    raw = pd.read_parquet(grid / "summary.parquet")
    for opt in series.option.unique():
        role, regime = (p.split("=")[1] for p in opt.split(", "))
        cell = raw[(raw.role == role) & (raw.regime == regime)].cell.iloc[0]
        rounds = pd.read_parquet(grid / cell / "rounds.parquet")
        for col in ("legitimacy", "evasion_rate"):
            got = series[(series.option == opt) & (series.column == col)].set_index("round")
            by_round = rounds.groupby("round")[col]
            np.testing.assert_allclose(got["mean"].sort_index(), by_round.mean(), rtol=1e-12)
            want = [reference_level(g, *BOUNDS[col])[2] for _, g in by_round]
            np.testing.assert_allclose(got["ci95_high"].sort_index(), want, rtol=1e-9, atol=1e-12)


def test_sampled_experiment_records_draws_and_report_answers_when_open_wins(sampled):
    raw = pd.read_parquet(sampled / "summary.parquet")
    cfg = load(["experiment=sensitivity", "sampling.samples=2"]).sampling
    names = list(cfg.parameters)
    design = sampling.design_matrix(cfg)
    assert design.shape == (16, 6)
    for sample, grp in raw.groupby("sampling.sample"):
        assert grp[names].nunique().max() == 1  # both regimes, every replication: the same draw
        np.testing.assert_allclose(grp[names].iloc[0].to_numpy(dtype=float), design[sample], rtol=1e-12)
    per = table(sampled, "sample_differences").set_index("sampling.sample")
    for sample, grp in raw.groupby("sampling.sample"):
        o = grp[grp.regime == "open"].set_index("replication").public_value
        c = grp[grp.regime == "closed"].set_index("replication").public_value
        assert per.loc[sample, "diff_public_value"] == pytest.approx((o - c).mean(), rel=1e-9)
    dif = table(sampled, "differences")  # weights.legitimacy is sampled: contributions use each world's weight
    parts = dif[[f"contribution_{c}" for c in ACCOUNT[:5]]].sum(axis=1)
    np.testing.assert_allclose(parts, dif["diff_public_value_mean"], rtol=1e-9)
    sens = table(sampled, "sensitivity")
    assert set(sens.parameter) == set(names) and {"S1", "ST", "S1_conf", "ST_conf"} <= set(sens.columns)
    md = (sampled / "report" / "report.md").read_text()
    share = (per["diff_public_value"] > 0).mean()
    assert f"open beats closed in {share:.0%} of the 16 sampled worlds" in md
    assert "What drives it" in md


def test_report_is_reproducible(sampled, tmp_path):
    assert report_main([str(sampled), "--out", str(tmp_path / "again")]) == 0
    first = sorted((sampled / "report" / "tables").glob("*.csv"))
    assert len(first) >= 8
    for path in first:
        assert (tmp_path / "again" / "tables" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("design, samples", [("lhs", 120), ("morris", 12), ("sobol", 32)])
def test_sensitivity_finds_the_parameter_that_matters(design, samples):
    from sim.report.stats import sensitivity

    spec = {"population.sophistication": [0.0, 0.8], "weights.legitimacy": [0, 1000], "partners.alignment": [0, 1]}
    cfg = SamplingConfig(design=design, samples=samples, seed=3, parameters=spec)
    x = sampling.design_matrix(cfg)
    ps = pd.DataFrame(x, columns=list(spec))
    ps["sampling.sample"] = range(len(ps))
    ps["diff"] = 5.0 * x[:, 1] - 4000.0 * x[:, 0] ** 2  # legitimacy weight dominates, alignment does nothing
    ps["diff_var"], ps["n"] = 0.0, 3
    sens = sensitivity(ps, {"design": design, "samples": samples, "seed": 3, "levels": 4, "parameters": spec})
    t = sens["table"].set_index("parameter")
    assert sens["complete"] and list(t.index)[:2] == ["weights.legitimacy", "population.sophistication"]
    assert t.loc["partners.alignment", sens["key"]] < 0.2 * t.loc["weights.legitimacy", sens["key"]]
    incomplete = sensitivity(ps.iloc[:-1], {"design": design, "samples": samples, "seed": 3, "parameters": spec})
    assert not incomplete["complete"] and incomplete["have"] == len(ps) - 1


def test_sampling_is_deterministic_and_covers_the_ranges():
    spec = {"population.sophistication": [0.0, 0.8], "partners.count": [2, 20], "weights.legitimacy": [0, 1000]}
    lhs = SamplingConfig(design="lhs", samples=20, seed=7, parameters=spec)
    a = sampling.design_matrix(lhs)
    sampling._design.cache_clear()
    b = sampling.design_matrix(lhs)
    np.testing.assert_array_equal(a, b)
    lo, hi = np.array([0.0, 2, 0]), np.array([0.8, 20, 1000])
    assert (a >= lo).all() and (a <= hi).all()
    strata = np.floor((a - lo) / (hi - lo) * 20).astype(int)
    for j in range(3):  # Latin hypercube: every one of the 20 strata of each range holds one point
        assert sorted(strata[:, j]) == list(range(20))
    other = sampling.design_matrix(SamplingConfig(design="lhs", samples=20, seed=8, parameters=spec))
    assert not np.allclose(a, other)
    sob = SamplingConfig(design="sobol", samples=8, seed=1, parameters=spec)
    assert sampling.design_matrix(sob).shape == (8 * 5, 3)
    mor = SamplingConfig(design="morris", samples=4, levels=4, seed=1, parameters=spec)
    m = sampling.design_matrix(mor)
    assert m.shape == (4 * 4, 3)
    assert np.allclose(np.round((m[:, 0] / 0.8) * 3), (m[:, 0] / 0.8) * 3)  # on the 4-level grid
    # Resolved configs carry the draws (integers rounded) and hash them.
    base = [
        "sampling.design=lhs",
        "sampling.samples=20",
        "sampling.seed=7",
        "+sampling.parameters={population.sophistication:[0.0,0.8],partners.count:[2,20],weights.legitimacy:[0,1000]}",
    ]
    c3, c3b, c4 = (load([*base, f"sampling.sample={i}"]) for i in (3, 3, 4))
    assert c3.population.sophistication == pytest.approx(a[3, 0]) and c3.partners.count == round(a[3, 1])
    assert isinstance(c3.partners.count, int) and c3.weights.legitimacy == pytest.approx(a[3, 2])
    assert config_hash(c3) == config_hash(c3b) != config_hash(c4)


@pytest.mark.parametrize(
    "override, key",
    [
        ("sampling.sample=20", "sampling.sample"),
        ("+sampling.parameters={world.nonsense:[0,1]}", "sampling.parameters.world.nonsense"),
        ("+sampling.parameters={population.sophistication:[0.5,0.2]}", "sampling.parameters.population.sophistication"),
        ("+sampling.parameters={population.sophistication:[0,2]}", "sampling.parameters.population.sophistication"),
        ("+sampling.parameters={run.seed:[0,9]}", "sampling.parameters.run.seed"),
    ],
)
def test_bad_sampling_sections_are_refused(override, key):
    base = ["sampling.design=lhs", "sampling.samples=20"]
    if "parameters" not in override:
        base.append("+sampling.parameters={population.sophistication:[0,0.8]}")
    with pytest.raises(ConfigError) as err:
        load([*base, override])
    assert err.value.key == key
    with pytest.raises(ConfigError, match="power of 2"):
        load(["sampling.design=sobol", "sampling.samples=6", "+sampling.parameters={weights.legitimacy:[0,9]}"])


def _bad_folders(tmp: Path, good: Path) -> dict[str, Path]:
    import shutil

    cases = {"missing": tmp / "nowhere"}
    (tmp / "afile").write_text("x")
    cases["file"] = tmp / "afile"
    (tmp / "empty").mkdir()
    cases["empty"] = tmp / "empty"
    nosum = tmp / "nosummary"
    shutil.copytree(good, nosum, ignore=shutil.ignore_patterns("summary.parquet", "report"))
    cases["no summary"] = nosum
    blob = (good / "summary.parquet").read_bytes()
    for name, content in (("truncated", blob[: len(blob) // 2]), ("not parquet", b"cell,role\n1,2\n")):
        (tmp / name).mkdir()
        (tmp / name / "summary.parquet").write_bytes(content)
        cases[name] = tmp / name
    (tmp / "columns").mkdir()
    pd.DataFrame({"a": [1]}).to_parquet(tmp / "columns" / "summary.parquet")
    cases["columns"] = tmp / "columns"
    return cases


def test_bad_folders_exit_2_with_a_clear_message(grid, tmp_path, capsys):
    expect = {
        "missing": "does not exist",
        "file": "is a file",
        "empty": "is not a sweep folder",
        "no summary": "sim sweep summarize",
        "truncated": "not a readable Parquet file",
        "not parquet": "not a readable Parquet file",
        "columns": "lacks the column(s)",
    }
    for case, folder in _bad_folders(tmp_path, grid).items():
        assert report_main([str(folder)]) == 2, case
        err = capsys.readouterr().err
        assert err.startswith("error: ") and str(folder) in err and expect[case] in err, (case, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, (case, err)
    assert report_main([str(grid), "--baseline", "colour=red"]) == 2
    assert "colour" in capsys.readouterr().err
    assert report_main([str(grid), "--baseline", "role=mayor"]) == 2  # swept, but not at that value
    err = capsys.readouterr().err
    assert "role=mayor" in err and "co_producer" in err and "Traceback" not in err
    r = sim(tmp_path, "report", "nowhere")
    assert r.returncode == 2 and "nowhere" in r.stderr and "Traceback" not in r.stderr


def test_unknown_metric_or_column_lists_the_result_columns(grid, capsys):
    for option in ("--metric", "--column"):
        for bad in ("nope", "role"):  # not a column; a column, but not a number
            assert report_main([str(grid), option, bad, "--heatmap", "role", "regime"]) == 2, (option, bad)
            err = capsys.readouterr().err
            assert f"{option} {bad!r}" in err and "Traceback" not in err, err
            listed = err.split("Allowed: ", 1)[1]
            assert all(c in listed for c in ACCOUNT) and "evasion_rate" in listed, err
            assert "replication," not in listed and "seed" not in listed, err  # results only, not the bookkeeping
