"""Sweeps: many cells (configurations) x replications, resumable, on any launcher.

A sweep is a Hydra multirun. Each cell is one Hydra job that runs *all* its
replications (so Hydra's per-job cost is spread over real work) and writes, in
its own folder, ``rounds.parquet``, ``summary.json``, ``provenance.json`` and, last,
``result.json`` (the completion marker with the config hash and file checksums).
A cell whose ``result.json`` matches its config hash and whose files match their
checksums is skipped on a rerun; anything else is (re)computed. Every file is
written atomically (temp + rename).

At the sweep root, ``summary.parquet`` holds one row per cell x replication: the
swept choices, the resolved choices and the run totals of every column. The
launching process rebuilds it every few seconds while the cells run (atomically,
under a file lock, so it can be read meanwhile) and at the end; ``sim sweep
summarize <folder>`` rebuilds it from the cell folders.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sim.sweep.cell import ERROR, RESULT, cell_is_done, run_cell, sha256
from sim.sweep.folders import CELL_DIR, NO_OVERRIDES, cell_dirname, cell_folders, plan_folders, unaccounted
from sim.sweep.launch import job_configs, launch_local
from sim.sweep.planning import (
    _COMPOSED,
    _task_overrides,
    cell_checked,
    cell_configs,
    check_cells,
    expand,
    mark_checked,
    plan,
)
from sim.sweep.provenance import provenance
from sim.sweep.state import STATE
from sim.sweep.summary import SUMMARY, collect, keep_summary, summarize
from sim.sweep.worker import (
    AHEAD_ENV,
    LAUNCHER_ENV,
    compute_ahead,
    warm_worker,
    watch_launcher,
)
from sim.sweep.workers import (
    _POOL,
    Workers,
    _main_is_guarded,
    pool,
    start_workers,
    stop_workers,
    workers_wanted,
)

__all__ = [
    "AHEAD_ENV",
    "CELL_DIR",
    "ERROR",
    "LAUNCHER_ENV",
    "NO_OVERRIDES",
    "RESULT",
    "STATE",
    "SUMMARY",
    "cell_checked",
    "cell_configs",
    "cell_dirname",
    "cell_folders",
    "cell_is_done",
    "check_cells",
    "collect",
    "compute_ahead",
    "expand",
    "job_configs",
    "keep_summary",
    "launch_local",
    "mark_checked",
    "plan",
    "plan_folders",
    "pool",
    "provenance",
    "run_cell",
    "sha256",
    "start_workers",
    "stop_workers",
    "summarize",
    "unaccounted",
    "warm_worker",
    "watch_launcher",
    "Workers",
    "workers_wanted",
    "_COMPOSED",
    "_POOL",
    "_main_is_guarded",
    "_task_overrides",
]


# ----------------------------------------------------------------- progress
class Progress:
    """A live line on stderr: cells done/total, elapsed, ETA; silent off a terminal."""

    def __init__(self, total: int, stream=None, interval: float = 0.5) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.interval = interval
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.start_time = time.monotonic()

    def count(self) -> int:
        """Cells finished (done, skipped or failed) in the sweep folder, once known."""
        root = STATE.get("sweep_dir")
        if root is None or not Path(root).is_dir():
            return 0
        return len(
            {p.parent for p in Path(root).glob(f"*/{RESULT}")} | {p.parent for p in Path(root).glob(f"*/{ERROR}")}
        )

    def line(self) -> str:
        """The progress text."""
        done = min(self.count(), self.total)
        elapsed = time.monotonic() - self.start_time
        eta = elapsed / done * (self.total - done) if done else float("nan")
        eta_s = f"{eta:5.0f} s" if eta == eta else "    ?"
        return f"sweep: {done}/{self.total} cells, elapsed {elapsed:5.0f} s, ETA {eta_s}"

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()


# ----------------------------------------------------------------- callback
try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra is a dependency
    Callback = object  # type: ignore[assignment,misc]


class SweepCallback(Callback):
    """Hydra callback: the sweep folder and its summary while it runs (:func:`keep_summary`), the summary at the end."""

    def on_multirun_start(self, config, **kwargs: Any) -> None:  # noqa: D102
        root = Path(config.hydra.sweep.dir)
        root.mkdir(parents=True, exist_ok=True)
        STATE["sweep_dir"] = root
        # Kept in STATE, not on the callback: Hydra pickles its callbacks for every job.
        done = threading.Event()
        reader = threading.Thread(target=keep_summary, args=(root, done), name="sim-summary", daemon=True)
        STATE["reader"] = (reader, done)
        reader.start()

    def on_multirun_end(self, config, **kwargs: Any) -> None:  # noqa: D102
        STATE.pop("checked_cells", None)  # checked for this sweep only
        reader, done = STATE.pop("reader", (None, None))
        if reader is not None:
            done.set()
            reader.join()
        root = Path(config.hydra.sweep.dir)
        table, failures = summarize(root)
        # Every cell planned must be in the summary or among the failures: never lost silently.
        failures = failures + unaccounted(root, table, failures, STATE.pop("planned", None))
        STATE.update(sweep_dir=root, rows=len(table), failures=failures)


# ----------------------------------------------------------------- command
def main(argv: list[str] | None = None) -> int:
    """``sim sweep summarize <folder>``: rebuild summary.parquet from the cell folders."""
    parser = argparse.ArgumentParser(prog="sim sweep", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summarize", help="rebuild <folder>/summary.parquet from its cell folders")
    s.add_argument("folder", type=Path)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    root: Path = args.folder
    if not root.is_dir():
        print(f"error: {root} is not a folder. Allowed: a sweep folder (results/sweeps/...).", file=sys.stderr)
        return 2
    if not list(root.glob(f"*/{RESULT}")) and not list(root.glob(f"*/{ERROR}")):
        print(f"error: {root} holds no sweep cells (no */{RESULT}). Allowed: a sweep folder.", file=sys.stderr)
        return 2
    table, failures = summarize(root)
    print(f"wrote {root / SUMMARY}: {len(table)} rows from {table['cell'].nunique() if len(table) else 0} cells")
    for f in failures:
        print(f"failed cell {f.get('cell')}: {f.get('error')}", file=sys.stderr)
    return 1 if failures else 0
