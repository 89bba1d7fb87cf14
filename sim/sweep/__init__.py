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

One module per concern, in the order a sweep meets them:

- :mod:`~sim.sweep.planning`: the cells a command line stands for (``plan``, ``expand``),
  each composed and validated before anything is written (``check_cells``);
- :mod:`~sim.sweep.folders`: a cell's folder name (the ``sim.cell_dir`` resolver), one
  folder per cell checked before the sweep (``plan_folders``), every cell accounted for
  after it (``unaccounted``);
- :mod:`~sim.sweep.workers`: the local launcher's worker pool, started early
  (``Workers``, ``start_workers``, ``pool``, ``stop_workers``, the fork server);
- :mod:`~sim.sweep.worker`: what a worker does besides its jobs (``warm_worker``,
  ``watch_launcher``, ``compute_ahead``);
- :mod:`~sim.sweep.launch`: the local launcher's jobs (``launch_local``, ``job_configs``);
- :mod:`~sim.sweep.cell`: one cell's job: its run, ``result.json`` and resume
  (``run_cell``, ``cell_is_done``, ``sha256``). A cell's hash is computed by
  :func:`sim.run.config_hash` and checked against ``result.json`` here;
- :mod:`~sim.sweep.provenance`: what a cell records of how it was made (``provenance.json``);
- :mod:`~sim.sweep.summary`: ``summary.parquet`` (``collect``, ``summarize``, ``keep_summary``);
- :mod:`~sim.sweep.callback`: the Hydra callback that keeps and writes it (``SweepCallback``);
- :mod:`~sim.sweep.progress`: the live progress line (``Progress``);
- :mod:`~sim.sweep.interruption`: after Ctrl+C, the cells done and the command that
  resumes the sweep (``note_command``, ``interrupted``);
- :mod:`~sim.sweep.state`: what the launching process knows of the sweep under way (``STATE``);
- :mod:`~sim.sweep.command`: ``sim sweep summarize <folder>`` (``main``; ``python -m sim.sweep``).

Every name other code uses is importable from here (``from sim.sweep import run_cell``);
the few private ones listed last are the tests'.
"""

from sim.sweep.callback import SweepCallback
from sim.sweep.cell import ERROR, RESULT, cell_is_done, run_cell, sha256
from sim.sweep.command import main
from sim.sweep.folders import CELL_DIR, NO_OVERRIDES, cell_dirname, cell_folders, plan_folders, unaccounted
from sim.sweep.interruption import interrupted, note_command
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
from sim.sweep.progress import Progress
from sim.sweep.provenance import provenance
from sim.sweep.state import STATE
from sim.sweep.summary import SUMMARY, collect, keep_summary, summarize
from sim.sweep.worker import AHEAD_ENV, LAUNCHER_ENV, compute_ahead, warm_worker, watch_launcher
from sim.sweep.workers import _POOL, Workers, _main_is_guarded, pool, start_workers, stop_workers, workers_wanted

__all__ = [
    # planning
    "plan",
    "expand",
    "check_cells",
    "cell_configs",
    "mark_checked",
    "cell_checked",
    # folders
    "CELL_DIR",
    "NO_OVERRIDES",
    "cell_dirname",
    "cell_folders",
    "plan_folders",
    "unaccounted",
    # workers, worker
    "Workers",
    "start_workers",
    "stop_workers",
    "pool",
    "workers_wanted",
    "warm_worker",
    "watch_launcher",
    "compute_ahead",
    "AHEAD_ENV",
    "LAUNCHER_ENV",
    # launch
    "launch_local",
    "job_configs",
    "note_command",
    "interrupted",
    # cell, provenance
    "RESULT",
    "ERROR",
    "run_cell",
    "cell_is_done",
    "sha256",
    "provenance",
    # summary, callback, progress, state, command
    "SUMMARY",
    "collect",
    "summarize",
    "keep_summary",
    "SweepCallback",
    "Progress",
    "STATE",
    "main",
    # the tests'
    "_COMPOSED",
    "_POOL",
    "_main_is_guarded",
    "_task_overrides",
]
