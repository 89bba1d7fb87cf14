"""Sweeps: common random numbers, resume after SIGKILL, launchers, failure isolation."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import sweep
from sim.config import ConfigError
from sim.model import GovernanceModel
from sim.run import run

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
SMALL = ["world.actors=4000", "run.rounds=6", "run.replications=3"]


def sim(cwd, *args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=timeout
    )


def summary(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "summary.parquet")


@pytest.fixture
def emptied():
    """Empty the sweep's module-level dicts a test names (``emptied(sweep.STATE)``), and give their items back after.

    Each is one dict, held by its name in every module of the package that uses it: a test
    empties it; rebinding it (``monkeypatch.setattr``) would change only the package's name.
    """
    saved = []

    def empty(table: dict) -> dict:
        saved.append((table, dict(table)))
        table.clear()
        return table

    yield empty
    for table, items in reversed(saved):
        table.clear()
        table.update(items)


def test_cells_share_draws_that_their_difference_cannot_touch(small):
    """A price in the account cannot change any draw or decision: every other column is equal."""
    a = run(small("valuation.harm_cost=1.0", actors=5000, rounds=8, reps=3))
    b = run(small("valuation.harm_cost=2.0", actors=5000, rounds=8, reps=3))
    touched = {"benefit", "public_value"}
    same = [c for c in a.columns if c not in touched]
    pd.testing.assert_frame_equal(a[same], b[same])
    np.testing.assert_allclose(b.benefit, 2 * a.benefit)


def test_cells_that_behave_differently_still_share_world_and_first_draws(small):
    """Publishing the targeting changes behaviour, not the world or the round-1 gain shocks."""
    ma = GovernanceModel(small("arrangement=zwartwerken", "regime.use=closed", actors=5000), replication=2)
    mb = GovernanceModel(small("arrangement=zwartwerken", "regime.use=open", actors=5000), replication=2)
    ma.step()
    mb.step()
    # Potential harm depends only on the actors' gain shocks: the same draws in both cells.
    assert ma.record["potential_harm"] == mb.record["potential_harm"]
    assert ma.record["mean_belief"] != mb.record["mean_belief"]


def test_sweep_writes_summary_and_resumes(tmp_path):
    r = sim(
        tmp_path,
        "-m",
        "role=producer,regulator",
        "regime.use=open,closed",
        *SMALL,
        "hydra/launcher=basic",
        "hydra.sweep.dir=sw",
    )
    assert r.returncode == 0, r.stderr
    table = summary(tmp_path / "sw")
    assert len(table) == 4 * 3 and table.cell.nunique() == 4
    assert not table.duplicated(["cell", "replication"]).any()
    for col in (
        "arrangement",
        "role",
        "regime",
        "framing",
        "collection",
        "interpretation",
        "use",
        "analytics",
        "seed",
        "regime.use",
        "replication",
        "cost",
        "benefit",
        "public_value",
        "evasion_rate",
        "trust",
    ):
        assert col in table.columns, col
    cell = next(p for p in (tmp_path / "sw").iterdir() if (p / "result.json").is_file())
    prov = json.loads((cell / "provenance.json").read_text())
    assert prov["version"] and prov["config_hash"] and prov["seed"] == 0 and prov["replications"] == [0, 1, 2]
    again = sim(
        tmp_path,
        "-m",
        "role=producer,regulator",
        "regime.use=open,closed",
        *SMALL,
        "hydra/launcher=basic",
        "hydra.sweep.dir=sw",
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(": skipped") == 4 and ": done" not in again.stdout
    pd.testing.assert_frame_equal(summary(tmp_path / "sw"), table)
    # A changed cell config is recomputed, not skipped.
    third = sim(
        tmp_path,
        "-m",
        "role=producer,regulator",
        "regime.use=open,closed",
        *SMALL,
        "run.seed=1",
        "hydra/launcher=basic",
        "hydra.sweep.dir=sw2",
    )
    assert third.stdout.count(": done") == 4


def test_sweep_killed_mid_way_resumes_to_the_same_summary(tmp_path):
    args = [
        "-m",
        "role=producer,regulator,co_producer",
        "regime.use=open,closed",
        "world.actors=20000",
        "run.rounds=20",
        "run.replications=4",
        "hydra/launcher=basic",
    ]
    ref = sim(tmp_path, *args, "hydra.sweep.dir=ref")
    assert ref.returncode == 0, ref.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "hydra.sweep.dir=killed"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline and len(list((tmp_path / "killed").glob("*/result.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((tmp_path / "killed").glob("*/result.json")))
    assert 2 <= done_before < 6, done_before
    resumed = sim(tmp_path, *args, "hydra.sweep.dir=killed")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.count(": skipped") >= done_before
    pd.testing.assert_frame_equal(summary(tmp_path / "killed"), summary(tmp_path / "ref"))
    assert not list((tmp_path / "killed").rglob("*.tmp"))


@pytest.mark.parametrize("launcher", ["local", "joblib", "ray"])
def test_launchers_give_identical_summaries(tmp_path, launcher):
    if launcher == "ray" and not os.environ.get("SIM_REQUIRE_RAY"):  # CI's locked job requires it
        pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    args = ["-m", "role=producer,regulator", "regime.use=open,closed", *SMALL]
    basic = sim(tmp_path, *args, "hydra/launcher=basic", "hydra.sweep.dir=basic")
    other = sim(tmp_path, *args, f"hydra/launcher={launcher}", "hydra.sweep.dir=other")
    assert basic.returncode == 0 and other.returncode == 0, (basic.stderr, other.stderr)
    pd.testing.assert_frame_equal(summary(tmp_path / "basic"), summary(tmp_path / "other"))
    for cell in (tmp_path / "basic").glob("*/rounds.parquet"):
        twin = tmp_path / "other" / cell.parent.name / "rounds.parquet"
        pd.testing.assert_frame_equal(pd.read_parquet(cell), pd.read_parquet(twin), check_exact=True)
    if launcher == "local":  # its last cell ran ahead, while Hydra started (sweep.Workers.ahead)
        assert other.stdout.count("computed ahead") == 1 and other.stdout.count(": done") == 4


def test_a_failing_cell_does_not_lose_the_others(tmp_path):
    args = ["-m", "role=producer,regulator", *SMALL, "hydra/launcher=basic", "hydra.sweep.dir=sw"]
    blocked = tmp_path / "sw" / "role=regulator,run.replications=3,run.rounds=6,world.actors=4000" / "rounds.parquet"
    blocked.mkdir(parents=True)
    (blocked / "obstacle").write_text("a folder where a result belongs")
    r = sim(tmp_path, *args)
    assert r.returncode == 1
    assert "failed cell role=regulator" in r.stderr and "Traceback" not in r.stderr
    table = summary(tmp_path / "sw")
    assert set(table.role) == {"producer"} and len(table) == 3
    assert json.loads((blocked.parent / "error.json").read_text())["error"]


def test_experiment_cells_and_bad_sweep_values(tmp_path):
    multirun, cells = sweep.expand(["experiment=roles"])
    assert multirun and len(cells) == 28
    multirun, cells = sweep.expand(["experiment=open_vs_closed"])
    assert len(cells) == 81
    assert len(sweep.expand(["experiment=reflexivity_ladder"])[1]) == 12
    assert len(sweep.expand(["experiment=analytics_ladder"])[1]) == 10
    r = sim(tmp_path, "-m", "regime.use=open,sometimes")
    assert r.returncode == 2 and "regime.use" in r.stderr and "sometimes" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("overrides", "split"),
    [
        (["role=producer,director", "regime=open,closed", "analytics=monitoring,profiling"], True),
        (["arrangement=zwartwerken", "role=producer,director", "regime.use=open,closed", "run.rounds=3"], True),
        (["arrangement=overlast,zwartwerken", "role=producer,director"], False),  # a global file is swept
    ],
)
def test_cells_are_composed_as_hydra_composes_them(overrides, split, monkeypatch):
    """check_cells composes once per swept option where it can; every cell's config is Hydra's own."""
    from omegaconf import OmegaConf

    from sim import hydra_conf

    _, cells = sweep.expand(overrides)
    calls = []
    compose = hydra_conf.compose
    monkeypatch.setattr(hydra_conf, "compose", lambda o, *a, **k: calls.append(o) or compose(o, *a, **k))
    got = list(sweep.cell_configs(cells))
    monkeypatch.undo()
    assert (len(calls) < len(cells)) == split
    for cell, composed, values in got:
        lines = [o.input_line for o in values]
        assert all("." in line.split("=")[0] for line in lines)
        groups = [o for o in cell if o not in lines]
        assert composed == OmegaConf.to_container(hydra_conf.compose(groups), resolve=True), cell


JOB_SWEEPS = [
    ["experiment=roles"],
    ["experiment=roles", "run.replications=20", "hydra.sweep.dir=x"],  # as benchmarks/sweep_throughput.py
    ["experiment=open_vs_closed"],
    ["experiment=reflexivity_ladder"],
    ["experiment=analytics_ladder"],
    ["experiment=sensitivity"],
    ["experiment=hoppe"],  # global files swept (problem, strategy): Hydra composes
    ["role=producer,director", "regime.use=open,closed", "run.seed=1,2", "hydra.sweep.dir=x"],
    ["arrangement=overlast,zwartwerken", "role=producer,director"],  # a global file swept: Hydra composes
    ["analytics=monitoring,profiling", "regime=open,closed", "analytics.lag=1,2"],
]


@pytest.mark.parametrize("checked", [False, True])
@pytest.mark.parametrize("overrides", JOB_SWEEPS, ids=lambda o: o[0])
def test_launcher_job_configs_are_hydras_own(overrides, checked, monkeypatch, emptied):
    """The local launcher's job configs equal Hydra's composition of each job, to every key and type.

    With ``checked``, the swapped group nodes come from check_cells' compositions, as in a
    sweep from the command line. The first job's composition, which later jobs are copied
    from, is never handed out itself: a copy briefly unsets its nodes' parents, while joblib
    may be pickling a job in another thread.
    """
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim import hydra_conf

    _, cells, _ = sweep.plan(overrides)
    jobs = [list(sweep._task_overrides(c)) for c in cells][:24]  # the sensitivity sweep has 512
    emptied(sweep._COMPOSED)
    if checked:
        sweep.check_cells(cells[:24])
    hydra_conf.register()
    with initialize_config_dir(config_dir=str(hydra_conf.CONF_DIR), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration(config_name="config", overrides=overrides, run_mode=RunMode.MULTIRUN)
        composed = []
        load = loader.load_sweep_config
        monkeypatch.setattr(loader, "load_sweep_config", lambda *a: composed.append(load(*a)) or composed[-1])
        fast = list(sweep.job_configs(loader, master, jobs))
        monkeypatch.undo()
        assert all(cfg is not composed[0] for cfg in fast)  # the first job's composition is copied from
        assert len(composed) < len(jobs) or overrides[0].startswith("arrangement=") or overrides == ["experiment=hoppe"]
        if checked and overrides[0] == "experiment=roles":
            assert len(composed) == 1  # the first job; every other option's node is check_cells'
        for job, cfg in zip(jobs, fast, strict=True):
            assert OmegaConf.to_yaml(cfg) == OmegaConf.to_yaml(loader.load_sweep_config(master, job)), job


def test_checked_sweeper_composes_only_unchecked_cells(monkeypatch, emptied):
    """Cells sim checked before Hydra started are not composed again; any other cell is, as Hydra does."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    from hydra_plugins.sim_plugins.sim_plugins import CheckedSweeper

    seen = []
    monkeypatch.setattr(BasicSweeper, "validate_batch_is_legal", lambda self, batch: seen.append(batch))
    emptied(sweep.STATE)
    sweeper = CheckedSweeper(max_batch_size=None, params={})
    sweep.mark_checked([["role=producer", "regime=open", "hydra.sweep.dir=x"]])
    sweeper.validate_batch_is_legal([["role=producer", "regime=open"], ["role=director", "regime=open"]])
    assert seen == [[["role=director", "regime=open"]]]
    sweeper.validate_batch_is_legal([["role=producer", "regime=open"]])
    assert len(seen) == 1


def test_workers_started_early_are_the_ones_the_launcher_uses():
    """start_workers readies the pool the launcher asks for (its n_jobs), so the launcher reuses its warm workers."""
    from hydra.utils import instantiate

    _, cells, composed = sweep.plan(["experiment=roles"])
    workers = sweep.start_workers(composed, len(cells))
    try:
        launcher = instantiate(composed.hydra.launcher)  # as Hydra makes it; its launch() then asks for:
        n = sweep.workers_wanted(launcher.joblib.get("n_jobs"))
        assert workers is not None and workers.n == n
        workers.join()
        executor = sweep._POOL["executor"]
        # loky starts all of its workers at once; readied ones may take several warm-ups each.
        started = {p.pid for p in executor._processes.values()}
        assert workers.error is None and len(started) >= 2 and set(workers.pids) <= started
        assert sweep.pool(n) is executor
        assert {f.result() for f in [executor.submit(os.getpid) for _ in range(8)]} <= started
    finally:
        workers.close()
    assert "SIM_AHEAD_DIR" not in os.environ and not Path(workers.folder).exists()
    assert sweep._POOL["executor"] is None
    assert sweep.start_workers(sweep.plan(["role=producer,director", "hydra/launcher=basic"])[2], 2) is None
    assert sweep.start_workers(sweep.plan(["role=producer,director", "hydra/launcher=joblib"])[2], 2) is None


@pytest.mark.parametrize(
    ("n_jobs", "expected"), [(None, 1), (1, 1), (3, 3), (-1, os.cpu_count()), (-(os.cpu_count() or 1) - 5, 1)]
)
def test_workers_wanted_counts_as_joblib_does(n_jobs, expected):
    assert sweep.workers_wanted(n_jobs) == expected


@pytest.mark.parametrize("n_jobs", [0, "two", 1.5])
def test_workers_wanted_refuses_what_is_no_count(n_jobs):
    with pytest.raises(ConfigError, match="hydra.launcher.n_jobs"):
        sweep.workers_wanted(n_jobs)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads parent process ids from /proc (Linux)")
def test_workers_fork_from_a_readied_server_that_ends_with_them():
    """Workers are forks of one server that imported and loaded everything once (sim._forkserver).

    Each is a child of that server, not of this process, and finds the model and the
    compiled kernel already loaded; the server is waited for when the workers end, and
    the pool's start method is as it was before.
    """
    from multiprocessing import forkserver

    before = sweep._POOL["context"]
    _, cells, composed = sweep.plan(["experiment=roles"])
    workers = sweep.start_workers(composed, len(cells))
    try:
        workers.join()
        executor = sweep._POOL["executor"]
        started = {p.pid for p in executor._processes.values()}
        assert workers.error is None and len(started) >= 2 and set(workers.pids) <= started
        server = forkserver._forkserver._forkserver_pid
        assert server is not None and server != os.getpid()
        for pid in started:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            assert ppid == server
        loaded = [f.result() for f in [executor.submit(_loaded_in_worker) for _ in range(4)]]
        assert all(loaded), loaded
    finally:
        workers.close()
    assert forkserver._forkserver._forkserver_pid is None  # ended and waited for
    assert not Path(f"/proc/{server}").exists()
    assert sweep._POOL["context"] == before


def _loaded_in_worker() -> bool:
    """In a worker: the model's modules and a compiled kernel are there before any job imports them."""
    import sys

    from sim.kernels import population

    return "sim.model" in sys.modules and "mesa" in sys.modules and bool(population._respond.overloads)


def test_fork_server_only_where_the_main_module_is_not_run_again(tmp_path, monkeypatch):
    """Python's fork server runs the main module again in each worker: only a package's or a guarded script's."""
    import types

    def main_module(name: str, text: str | None) -> bool:
        module = types.ModuleType("__main__")
        module.__spec__ = types.SimpleNamespace(name=name) if name else None
        if text is not None:
            (tmp_path / "script.py").write_text(text)
            module.__file__ = str(tmp_path / "script.py")
        monkeypatch.setitem(sys.modules, "__main__", module)
        return sweep._main_is_guarded()

    assert main_module("sim.__main__", None)  # python -m sim
    assert main_module("", None)  # an interactive session
    assert main_module("", "import sim.cli\n\nif __name__ == '__main__':\n    sim.cli.main_exit()\n")
    assert not main_module("", "import sim.cli\n\nsim.cli.main(['experiment=roles'])\n")


def test_summarize_command_rebuilds(tmp_path):
    r = sim(tmp_path, "-m", "role=producer,regulator", *SMALL, "hydra/launcher=basic", "hydra.sweep.dir=sw")
    assert r.returncode == 0, r.stderr
    before = summary(tmp_path / "sw")
    (tmp_path / "sw" / "summary.parquet").unlink()
    r = sim(tmp_path, "sweep", "summarize", "sw")
    assert r.returncode == 0, r.stderr
    pd.testing.assert_frame_equal(summary(tmp_path / "sw"), before)
    bad = sim(tmp_path, "sweep", "summarize", "nowhere")
    assert bad.returncode == 2 and "nowhere" in bad.stderr
    # In one process a verified cell is not read twice, but a file changed since is verified again.
    table, failures = sweep.summarize(tmp_path / "sw")
    assert not failures and len(table) == len(before)
    damaged = next((tmp_path / "sw").glob("*/rounds.parquet"))
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"x")
    table, failures = sweep.summarize(tmp_path / "sw")
    assert len(failures) == 1 and "damaged" in failures[0]["error"] and len(table) == len(before) - 3


def test_summary_is_kept_current_while_the_cells_run(tmp_path):
    """keep_summary (the launching process's thread) rewrites summary.parquet as cells finish."""
    import shutil
    import threading

    r = sim(tmp_path, "-m", "role=producer,regulator", *SMALL, "hydra/launcher=basic", "hydra.sweep.dir=sw")
    assert r.returncode == 0, r.stderr
    cells = sorted(p for p in (tmp_path / "sw").iterdir() if (p / "result.json").is_file())
    live = tmp_path / "live"
    live.mkdir()
    shutil.copytree(cells[0], live / cells[0].name)
    done = threading.Event()
    keeper = threading.Thread(target=sweep.keep_summary, args=(live, done, 0.0))
    keeper.start()
    try:
        deadline = time.monotonic() + 30
        while not (live / "summary.parquet").is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(summary(live)) == 3  # the one finished cell
        shutil.copytree(cells[1], live / cells[1].name)  # another cell finishes
        while len(summary(live)) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
        pd.testing.assert_frame_equal(summary(live), summary(tmp_path / "sw"))
    finally:
        done.set()
        keeper.join()


def test_progress_line_and_quiet_off_terminal(tmp_path):
    import io

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "result.json").write_text("{}")
    sweep.STATE["sweep_dir"] = tmp_path
    p = sweep.Progress(4, stream=io.StringIO())
    assert not p.enabled
    assert p.line().startswith("sweep: 1/4 cells")
    sweep.STATE.clear()


def test_slurm_launcher_config_composes():
    from sim import hydra_conf

    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    cfg = hydra_conf.compose(["hydra/launcher=slurm", "experiment=roles"], return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher")
    assert any("NUMBA_NUM_THREADS" in line for line in cfg.hydra.launcher.setup)


def test_parallel_workers_share_the_cores(monkeypatch):
    from sim import cli

    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    cli._limit_worker_threads([], n_cells=4)
    assert os.environ["NUMBA_NUM_THREADS"] == "2" and os.environ["OMP_NUM_THREADS"] == "2"
    monkeypatch.delenv("NUMBA_NUM_THREADS")
    cli._limit_worker_threads(["hydra/launcher=basic"], n_cells=4)
    assert "NUMBA_NUM_THREADS" not in os.environ


TINY = ["world.actors=500", "run.rounds=4", "run.replications=2"]
NAMES = "arrangement=overlast,lessons/fish_shop,validation/fish_shop"  # a plain preset and nested ones, one name twice


def test_every_planned_cell_is_in_the_summary_whatever_the_form_of_the_arrangement_name(tmp_path):
    """Each cell is one folder right under the sweep folder, and in summary.parquet; a rerun finds them all."""
    args = ["-m", NAMES, *TINY, "hydra.sweep.dir=sw"]
    r = sim(tmp_path, *args)
    assert r.returncode == 0, r.stderr
    root = tmp_path / "sw"
    table = summary(root)
    assert len(table) == 3 * 2 and table.config_hash.nunique() == 3
    _, cells, cfg = sweep.plan(args[1:])
    folders = sweep.cell_folders(cells, cfg)
    assert len(set(folders)) == len(cells) == 3 and set(table.cell) == set(folders)
    assert sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) == sorted(folders)
    assert all((root / f / "result.json").is_file() for f in folders)
    assert "arrangement=lessons%2Ffish_shop,run.replications=2,run.rounds=4,world.actors=500" in folders
    rebuilt = sim(tmp_path, "sweep", "summarize", "sw")
    assert rebuilt.returncode == 0 and "6 rows from 3 cells" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
    again = sim(tmp_path, *args)
    assert again.returncode == 0 and again.stdout.count(": skipped") == 3, again.stdout + again.stderr


def test_cell_folder_names_are_one_name_each_and_give_the_overrides_back():
    names = [sweep.cell_dirname(d) for d in ("a=x/y", "a=x%2Fy", "a=x%y", "a=../../etc", "a=x", "")]
    assert len(set(names)) == len(names)
    assert all(n and "/" not in n and n not in (".", "..") for n in names)
    assert names[0] == "a=x%2Fy" and names[4] == "a=x" and names[5] == sweep.NO_OVERRIDES
    # The folders the sweep's plan names are the ones Hydra's jobs get (conf/config.yaml's subdir).
    _, cells, cfg = sweep.plan(["-m", "run.threads=2", "role=producer,director"][1:])
    assert cfg.hydra.sweep._get_node("subdir")._value() == sweep.CELL_DIR
    assert sweep.cell_folders(cells, cfg) == ["role=producer", "role=director"]


def test_a_planned_cell_not_in_the_summary_fails_the_sweep_naming_it(tmp_path, capsys, emptied):
    """A cell folder out of the summary's reach (as with Hydra's own, nested naming): the sweep names it, exits 1."""
    from omegaconf import OmegaConf

    from sim import cli

    emptied(sweep.STATE)
    OmegaConf.register_new_resolver("sim.cell_dir", lambda name: name or sweep.NO_OVERRIDES, replace=True)
    try:
        status = cli.main(["-m", NAMES, *TINY, "hydra/launcher=basic", f"hydra.sweep.dir={tmp_path / 'sw'}"])
    finally:
        OmegaConf.register_new_resolver("sim.cell_dir", sweep.cell_dirname, replace=True)
    err = capsys.readouterr().err
    assert status == 1, err
    assert len(summary(tmp_path / "sw")) == 2  # only overlast's folder is right under the sweep folder
    for name in ("lessons", "validation"):
        folder = f"arrangement={name}%2Ffish_shop,run.replications=2,run.rounds=4,world.actors=500"
        assert f"failed cell {folder}: planned (arrangement={name}/fish_shop " in err, err


def test_unaccounted_cells():
    table = pd.DataFrame({"cell": ["a", "a", "b"]})
    planned = {"a": ["x=1"], "b": ["x=2"], "c": ["x=3"], "d": ["x=4"]}
    missing = sweep.unaccounted(Path("sw"), table, [{"cell": "c", "error": "boom"}], planned)
    assert [m["cell"] for m in missing] == ["d"] and "x=4" in missing[0]["error"] and "sw" in missing[0]["error"]
    assert sweep.unaccounted(Path("sw"), pd.DataFrame(), [], None) == []
    assert len(sweep.unaccounted(Path("sw"), table, [], 3)) == 1 and sweep.unaccounted(Path("sw"), table, [], 2) == []


def test_a_sweep_with_its_own_folder_naming_still_fails_when_cells_are_lost(tmp_path):
    r = sim(tmp_path, "-m", NAMES, *TINY, "hydra.sweep.dir=sw", "hydra.sweep.subdir=${hydra.job.override_dirname}")
    assert r.returncode == 1, r.stderr
    assert "planned 3 cells" in r.stderr and "holds results or errors of 1 only" in r.stderr
