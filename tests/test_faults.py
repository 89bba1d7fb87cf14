"""Faults: kills at random moments, kills during a write, damaged files, full disk, unwritable folders."""

import os
import random
import resource
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.run import write_atomic

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
SWEEP = [
    "-m",
    "role=producer,regulator,co_producer",
    "regime.use=open,closed",
    "world.actors=20000",
    "run.rounds=15",
    "run.replications=3",
    "hydra/launcher=basic",
]


def sim(cwd, *args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=600, **kw
    )


def summary(folder):
    return pd.read_parquet(folder / "summary.parquet")


def test_kills_at_random_moments_then_resume_match_an_uninterrupted_sweep(tmp_path):
    ref = sim(tmp_path, *SWEEP, "hydra.sweep.dir=ref")
    assert ref.returncode == 0, ref.stderr
    rng = random.Random(20261129)
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", *SWEEP, "hydra.sweep.dir=sw"],
            cwd=tmp_path,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(1.5, 5.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    final = sim(tmp_path, *SWEEP, "hydra.sweep.dir=sw")
    assert final.returncode == 0, final.stderr
    table = summary(tmp_path / "sw")
    pd.testing.assert_frame_equal(table, summary(tmp_path / "ref"))
    assert not table.duplicated(["cell", "replication"]).any()
    assert not list((tmp_path / "sw").rglob("*.tmp"))


WRITER = r"""
import sys
from pathlib import Path
from sim.run import write_atomic
write_atomic(Path(sys.argv[1]), b"x" * 400_000_000)
"""


def test_kill_during_a_write_leaves_the_old_file_or_none(tmp_path):
    for existing in (None, b"old result"):
        dest = tmp_path / "rounds.parquet"
        dest.unlink(missing_ok=True)
        if existing:
            dest.write_bytes(existing)
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(dest)], env=ENV)
        deadline = time.time() + 60
        while time.time() < deadline and not list(tmp_path.glob(".rounds.parquet.*.tmp")):
            time.sleep(0.001)
        assert list(tmp_path.glob(".rounds.parquet.*.tmp")), "the write never started"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if existing:
            assert dest.read_bytes() == existing
        else:
            assert not dest.exists()


def test_write_atomic_cleans_up_after_an_error(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    try:
        write_atomic(tmp_path / "x.parquet", b"data")
    except OSError:
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask022", "umask027"])
def test_written_files_get_the_usual_mode_not_the_temp_files_0600(tmp_path, umask):
    """Results are for sharing: 0666 less the umask, as any new file, not mkstemp's private 0600."""
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "x.json", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "x.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_damaged_result_is_detected_and_recomputed(tmp_path):
    args = [
        "-m",
        "role=producer,regulator",
        "world.actors=4000",
        "run.rounds=6",
        "run.replications=2",
        "hydra/launcher=basic",
        "hydra.sweep.dir=sw",
    ]
    assert sim(tmp_path, *args).returncode == 0
    before = summary(tmp_path / "sw")
    victim = next((tmp_path / "sw").glob("role=regulator*/rounds.parquet"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    check = sim(tmp_path, "sweep", "summarize", "sw")
    assert check.returncode == 1 and "damaged" in check.stderr
    assert set(summary(tmp_path / "sw").role) == {"producer"}, "a damaged cell must not be read"
    again = sim(tmp_path, *args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(": done") == 1 and again.stdout.count(": skipped") == 1
    pd.testing.assert_frame_equal(summary(tmp_path / "sw"), before)


def _small_disk():
    # A file-size limit makes large writes fail with EFBIG, as a full disk fails them with ENOSPC.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_full_disk_gives_a_clear_error_and_loses_nothing(tmp_path):
    args = ["world.actors=4000", "run.rounds=50", "run.replications=10", "hydra.run.dir=out"]
    r = sim(tmp_path, *args, preexec_fn=_small_disk)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "could not write results" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out" / "rounds.parquet").exists()
    assert not list((tmp_path / "out").glob(".*.tmp"))
    # A sweep on a full disk keeps the cells already written; a rerun completes it.
    sweep = [
        "-m",
        "run.replications=1,10",
        "world.actors=4000",
        "run.rounds=50",
        "hydra/launcher=basic",
        "hydra.sweep.dir=sw",
    ]
    r = sim(tmp_path, *sweep, preexec_fn=_small_disk)
    assert r.returncode == 1
    assert len(list((tmp_path / "sw").glob("*/result.json"))) == 1
    r = sim(tmp_path, *sweep)
    assert r.returncode == 0 and r.stdout.count(": skipped") == 1, r.stderr
    assert len(summary(tmp_path / "sw")) == 11


def test_unwritable_results_folder_is_refused_before_any_work(tmp_path):
    (tmp_path / "results").write_text("a file where the results folder should be")
    r = sim(tmp_path, "run.rounds=2")
    assert r.returncode == 2 and "results is not a folder" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_a_run_writes_only_inside_its_results_folder(tmp_path):
    r = sim(tmp_path, "world.actors=2000", "run.rounds=2", "run.replications=2")
    assert r.returncode == 0, r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def _live_in_group(pgid):
    """Processes of a process group that are still running (not zombies), from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # state, ppid, pgrp, ...
        if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes from /proc")
def test_killing_the_launcher_alone_ends_its_workers_and_the_sweep_resumes(tmp_path):
    # The local launcher's workers (forks of a fork server) would otherwise finish their
    # cells and wait idle for loky's timeout, each holding the model in memory.
    sweep = ["-m", "role=producer,regulator,co_producer,director", "regime.use=open,closed"]
    sweep += ["world.actors=20000", "run.rounds=100", "run.replications=6", "hydra.sweep.dir=sw"]
    temp = tmp_path / "temp"  # where the launcher makes its folder of replications computed ahead
    temp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *sweep],
        cwd=tmp_path,
        env={**ENV, "TMPDIR": str(temp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((tmp_path / "sw").glob("*/result.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep ended before the launcher could be killed"
        assert len(_live_in_group(proc.pid)) >= 3  # the launcher, its fork server and workers
        os.kill(proc.pid, signal.SIGKILL)  # the launcher only, not its process group
        proc.wait()
        deadline = time.monotonic() + 15
        while _live_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _live_in_group(proc.pid) == []
        assert not list(temp.glob("sim-ahead-*"))
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    rerun = sim(tmp_path, *sweep)
    assert rerun.returncode == 0, rerun.stderr
    table = summary(tmp_path / "sw")
    assert len(table) == 8 * 6 and not table.duplicated(["cell", "replication"]).any()
    assert not list((tmp_path / "sw").rglob("*.tmp"))


INTERRUPTED = ["-m", "role=producer,regulator,co_producer,director", "regime.use=open,closed"]
INTERRUPTED += ["world.actors=20000", "run.rounds=100", "run.replications=6"]


def _fork_server_in_group(pgid):
    """Whether the process group has a fork server (the one the local launcher's workers fork from)."""
    for pid in _live_in_group(pgid):
        try:
            if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            pass
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes from /proc")
@pytest.mark.parametrize("target", ["group", "launcher", "start-up"])
def test_ctrl_c_stops_a_sweep_cleanly_with_one_line_and_the_command_that_resumes(tmp_path, target):
    # "group": Ctrl+C in a terminal (SIGINT to the whole process group), in the default
    # time-stamped folder, whose name the resume command must give; "launcher": SIGINT to
    # the launching process alone (`kill -INT <pid>`), in a folder named on the command line;
    # "start-up": Ctrl+C while the workers' fork server readies itself, before any cell.
    args = INTERRUPTED + (["hydra.sweep.dir=sw"] if target != "group" else [])
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        if target == "start-up":
            while not _fork_server_in_group(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.4)  # past its interpreter's start (~0.05 s), into its readying (imports, kernel: 1-3 s)
        while target != "start-up" and not list(tmp_path.glob("**/result.json")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        if target != "launcher":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        deadline = time.monotonic() + 3
        while _live_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _live_in_group(proc.pid) == [], "no worker may be left"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err and "KeyboardInterrupt" not in err, err
    root = tmp_path / "sw" if target != "group" else next(p.parent.parent for p in tmp_path.glob("**/result.json"))
    done = len(list(root.glob("*/result.json")))
    assert (done == 0) if target == "start-up" else (1 <= done < 8)
    assert f"{done} of 8 cells done" in lines[0], lines[0]
    assert not list(tmp_path.rglob("*.tmp")), "no partial file may be left"
    assert done == 0 or summary(root)["cell"].nunique() == done  # the cells done, readable meanwhile
    command = shlex.split(lines[0].split("resume, run: ", 1)[1])
    assert command[:3] == ["python", "-m", "sim"], command
    if target == "group":
        assert f"hydra.sweep.dir={root.relative_to(tmp_path)}" in command
    rerun = sim(tmp_path, *command[3:])
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.count(": skipped") == done and rerun.stdout.count(": done") == 8 - done
    table = summary(root)
    assert len(table) == 8 * 6 and not table.duplicated(["cell", "replication"]).any()


def test_a_cell_folder_holding_only_its_log_is_never_taken_for_a_result(tmp_path):
    # What an interruption leaves of a cell that had just started: Hydra's .hydra and the
    # cell's log (run.log; cli.log, empty, before). Only result.json marks a result.
    args = ["-m", "role=producer,regulator", "world.actors=4000", "run.rounds=6", "run.replications=3"]
    args += ["hydra/launcher=basic", "hydra.sweep.dir=sw"]
    assert sim(tmp_path, *args).returncode == 0
    before = summary(tmp_path / "sw")
    cell = next((tmp_path / "sw").glob("role=regulator,*"))
    for path in cell.iterdir():
        if path.is_file() and path.name != "run.log":
            path.unlink()
    (cell / "cli.log").write_text("")
    check = sim(tmp_path, "sweep", "summarize", "sw")
    assert check.returncode == 0 and "3 rows from 1 cells" in check.stdout, (check.stdout, check.stderr)
    again = sim(tmp_path, *args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(": done") == 1 and again.stdout.count(": skipped") == 1
    pd.testing.assert_frame_equal(summary(tmp_path / "sw"), before)
    log = (cell / "run.log").read_text()
    assert log.count("cell done in") == 2 and "wrote rounds.parquet" in log  # the first run's lines are kept
    other = next((tmp_path / "sw").glob("role=producer,*")) / "run.log"
    assert "cell skipped" in other.read_text() and "not run again" in other.read_text()
