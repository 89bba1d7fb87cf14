"""The real command, run in a temporary folder."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.hydra_conf import SCENARIO_DIR
from sim.run import REQUIRED

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def sim(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=tmp_path, capture_output=True, text=True, env=ENV, timeout=300
    )


def test_default_run_writes_contract_outputs(tmp_path):
    r = sim(tmp_path, "world.actors=5000", "run.rounds=6", "run.replications=3")
    assert r.returncode == 0, r.stderr
    runs = list((tmp_path / "results" / "runs").iterdir())
    assert len(runs) == 1
    df = pd.read_parquet(runs[0] / "rounds.parquet")
    assert list(df.columns[: len(REQUIRED)]) == REQUIRED and len(df) == 18
    summary = json.loads((runs[0] / "summary.json").read_text())
    assert summary["arrangement"] == "overlast" and summary["role"] == "regulator"
    assert set(summary["regime"]) >= {"framing", "collection", "interpretation", "use"}
    for comp in ("cost", "benefit", "negative_side_effects", "positive_side_effects", "legitimacy", "public_value"):
        s = summary["account"][comp]
        assert s["ci95_low"] <= s["mean"] <= s["ci95_high"]
        assert comp in r.stdout
    assert "kernels ready in" in r.stdout
    assert not list(runs[0].glob("*.tmp"))
    umask = os.umask(0)
    os.umask(umask)
    for name in ("rounds.parquet", "summary.json"):  # readable as any new file, not private (0600)
        assert (runs[0] / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_the_run_log_says_what_ran_how_long_and_where_it_went(tmp_path):
    r = sim(tmp_path, "arrangement=zwartwerken", "world.actors=3000", "run.rounds=3", "run.replications=2")
    assert r.returncode == 0, r.stderr
    folder = next((tmp_path / "results" / "runs").iterdir())
    assert sorted(p.name for p in folder.iterdir()) == [".hydra", "rounds.parquet", "run.log", "summary.json"]
    log = (folder / "run.log").read_text()
    for words in (
        "overrides: arrangement=zwartwerken world.actors=3000 run.rounds=3 run.replications=2",
        "arrangement=zwartwerken role=",
        "seed=0 config_hash=",
        "3,000 actors x 3 rounds x 2 replications; kernels ready in",
        "public_value",
        f"wrote {folder / 'rounds.parquet'} and {folder / 'summary.json'}",
    ):
        assert words in log, (words, log)
    assert "[sim]" not in r.stdout  # the terminal shows them once, as printed


def test_overrides_reach_the_run(tmp_path):
    r = sim(
        tmp_path,
        "arrangement=zwartwerken",
        "role=co_producer",
        "regime.use=public",
        "analytics=profiling",
        "world.actors=3000",
        "run.rounds=3",
        "run.replications=2",
        "run.seed=7",
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(next((tmp_path / "results" / "runs").iterdir()).joinpath("summary.json").read_text())
    assert (summary["arrangement"], summary["role"], summary["analytics"], summary["seed"]) == (
        "zwartwerken",
        "co_producer",
        "profiling",
        7,
    )
    assert summary["regime"]["use"] == "open"


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["regime.use=sometimes"], ["regime.use", "sometimes", "open, restricted, closed"]),
        (["role=mayor"], ["role", "mayor", "co_producer"]),
        (["arrangement=atlantis"], ["arrangement", "atlantis", "zwartwerken"]),
        (["run.rounds=0"], ["run.rounds", "0", "integer"]),
        (["partners.alignment=2"], ["partners.alignment", "2", "[0, 1]"]),
        (["world.actorz=10"], ["world.actorz", "places"]),
        (["run.replications=lots"], ["run.replications", "lots"]),
        (["experiment=nope"], ["experiment", "nope"]),
        (["regime.use="], ["regime.use"]),
    ],
)
def test_bad_input_exit_2_clear_message_nothing_written(tmp_path, args, expect):
    r = sim(tmp_path, *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    for word in expect:
        assert word in r.stderr, (word, r.stderr)
    assert not (tmp_path / "results").exists()
    assert list(tmp_path.iterdir()) == []


def test_cfg_shows_the_checked_config_and_writes_nothing(tmp_path):
    # --cfg's value (job) is no override; a sweep's cells (the experiment's) are checked too.
    for args, shown in (
        (["--cfg", "job", "run.rounds=7"], "rounds: 7"),
        (["-c", "job", "experiment=roles"], "replications: 20"),
        (["--cfg=hydra", "run.rounds=7"], "run.rounds=7"),
    ):
        r = sim(tmp_path, *args)
        assert r.returncode == 0 and shown in r.stdout, (args, r.stderr)
    assert list(tmp_path.iterdir()) == []


def test_help_is_sims_own(tmp_path):
    from sim.cli import SUBCOMMANDS

    r = sim(tmp_path, "--help")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("sim") and "powered by Hydra" not in first, first
    for word in (*SUBCOMMANDS, "-m", "--cfg job", "README.md", "regime.use=public"):
        assert word in r.stdout, word
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "word"),
    [
        ("# @package _global_\narrangement: [unclosed\n", "arrangement"),
        ("# @package _global_\nworld:\n  places: -3\n", "world.places"),
        ("# @package _global_\nwrold:\n  places: 3\n", "wrold"),
        ("- just\n- a list\n", "arrangement"),
    ],
)
def test_malformed_scenario_file(tmp_path, content, word):
    name = f"_test_bad_{os.getpid()}_{abs(hash(content)) % 10**8}"
    path = Path(SCENARIO_DIR) / f"{name}.yaml"
    path.write_text(content)
    try:
        r = sim(tmp_path, f"arrangement={name}")
    finally:
        path.unlink()
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert word in r.stderr, r.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("command", "status"),
    [
        (["-m", "sim", "lesson", "--list"], 1),
        (["-m", "sim.lessons", "--list"], 1),
        (["-m", "sim.validate", "--list"], 1),
        (["-m", "sim", "--help"], -signal.SIGPIPE),  # Hydra's printing only: ended by the signal, as Unix tools
        (["-m", "sim", "--cfg", "job"], -signal.SIGPIPE),
    ],
)
def test_output_into_a_closed_pipe_stops_quietly(tmp_path, command, status):
    # `sim lesson --list | head -1`: the reader goes before the command has written all.
    proc = subprocess.Popen(
        [sys.executable, *command], cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # no reader: the command's first write (or its flush) fails
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == status
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_an_error_left_by_ctrl_c_is_an_interruption_not_bad_input(monkeypatch):
    """Ctrl+C inside a library that swallows it and leaves a broken object: exit 130, not 'bad input' (2)."""
    from sim import cli, console
    from sim import sweep as sweep_package

    def interrupted_inside_a_library(cells):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            pass  # as OmegaConf's code did, mid-composition
        raise AttributeError("'NoneType' object has no attribute '_invalidate_flags_cache'")

    monkeypatch.setitem(console.OWN_PROCESS, "set", True)
    monkeypatch.setitem(console._SIGINT, "seen", False)
    monkeypatch.setattr(sweep_package, "check_cells", interrupted_inside_a_library)
    try:
        with pytest.raises(KeyboardInterrupt):
            cli.main(["-m", "role=producer,regulator", "world.actors=300", "run.rounds=2", "hydra/launcher=basic"])
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
