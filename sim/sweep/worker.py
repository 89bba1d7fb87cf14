"""What a worker process of the local launcher does besides running its jobs.

- :func:`warm_worker`: its first task, readying it (imports, the compiled kernel) while
  the launching process still validates the cells; the fork server the workers start
  from runs it too (:mod:`sim._forkserver`).
- :func:`watch_launcher`: it ends once the process that launched the sweep is gone.
- :func:`compute_ahead`: it runs a cell's replications before the cell's job comes, while
  Hydra starts (:meth:`sim.sweep.workers.Workers.ahead`); the job then takes them
  (:func:`_computed_ahead`, from :func:`sim.sweep.cell.run_cell`).

The launching process's side, the pool of these workers, is :mod:`sim.sweep.workers`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sim.run import run, write_parquet
from sim.sweep.provenance import _git_commit

if TYPE_CHECKING:
    import pandas as pd

    from sim.config import SimConfig

AHEAD_ENV = "SIM_AHEAD_DIR"  # the folder of this sweep's cells computed ahead (set for its workers)
LAUNCHER_ENV = "SIM_LAUNCHER"  # "<pid>:<start>" of the process that launched the sweep (set for its workers)
_WATCHING = {"pid": 0}  # the process (this one, not a fork of it) whose watch thread runs


def warm_worker(watch: bool = True) -> int:
    """Ready a launcher's worker process for its cells: the imports and the kernel.

    Never raises (an error here would make loky end the workers the cells run on);
    whatever fails shows again, and is reported, in the cells. The task's own module
    (:mod:`sim.cli`, a layer above the sweep) is not imported here: unpickling the first
    job imports it (~2 ms, what it adds to the modules loaded here).

    Args:
        watch: Start :func:`watch_launcher` (not in the fork server: it forks the
            workers, and must have no threads when it does).

    Returns:
        The worker's process id.
    """
    import os

    if watch:
        watch_launcher()
    try:
        import pyarrow.parquet  # noqa: F401  (pandas writes the cells' tables with it)
        from hydra.core.utils import run_job  # noqa: F401  (Hydra's wrapper of every job)

        import sim.model  # noqa: F401  (Mesa, pandas, Numba)
        from sim.kernels.population import warmup

        warmup()  # from Numba's on-disk cache
        _git_commit()  # every cell's provenance names it (a git process, once per worker or fork server)
    except Exception:
        pass
    return os.getpid()


def _started(pid: int) -> str | None:
    """When process ``pid`` started (a clock tick count), or None if it is gone (or a zombie).

    From ``/proc/<pid>/stat`` where there is one, so that a process id used again by
    another process does not pass for the one watched; elsewhere, whether a signal
    could be sent.
    """
    import os

    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None  # gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "alive"
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) ": state is field 3, start field 22
    return None if fields[0] in ("Z", "X") else fields[19]


def watch_launcher(every: float = 1.0) -> None:
    """In a worker of a sweep: end this process once the process that launched the sweep is gone.

    A launcher that ends normally ends its workers (:func:`stop_workers`); one killed
    alone (``kill -9``, the out-of-memory killer) cannot, and its workers, each holding
    the model in memory, would wait idle for loky's timeout (5 minutes), and the fork
    server with them, after finishing the cells they were running. A kill of the whole
    process group (Ctrl+C in a terminal, a batch system) ends them at once; this makes
    a kill of the launcher alone do the same: within ``every`` seconds, every worker
    ends as if killed with it, and removes the folder of replications computed ahead.
    A rerun resumes the sweep (:func:`run_cell` removes a temp file left by a write cut
    short).

    Starts one daemon thread per process, at most; does nothing outside a sweep's workers.
    """
    import os

    mark = os.environ.get(LAUNCHER_ENV, "")
    pid, _, started = mark.partition(":")
    if not pid.isdigit() or int(pid) == os.getpid() or _WATCHING["pid"] == os.getpid():
        return
    _WATCHING["pid"] = os.getpid()

    def watch() -> None:
        import shutil

        while _started(int(pid)) == started:
            time.sleep(every)
        if os.environ.get(AHEAD_ENV):  # the launcher's own clean-up (Workers.close), which it cannot do now
            shutil.rmtree(os.environ[AHEAD_ENV], ignore_errors=True)
        os._exit(1)  # as a kill would: nothing to report to, and nothing a rerun needs cleaned up

    threading.Thread(target=watch, name="sim-watch-launcher", daemon=True).start()


def compute_ahead(cfg: SimConfig, folder: str) -> float:
    """Run a cell's replications before its job, into ``folder`` (:meth:`sim.sweep.workers.Workers.ahead`).

    Never raises: a cell that fails here fails again, and is reported, in its job.

    Returns:
        Seconds taken (0 if it failed).
    """
    watch_launcher()
    try:
        from sim.run import config_hash

        t0 = time.perf_counter()
        h = config_hash(cfg)
        write_parquet(Path(folder) / f"{h}.parquet", run(cfg))
        took = time.perf_counter() - t0
        print(f"cell {h}: computed ahead in {took:.1f} s", flush=True)
        return took
    except Exception:
        return 0.0


def _computed_ahead(cell_hash: str) -> pd.DataFrame | None:
    """The replications computed ahead for this config in this sweep (taken: removed), if any."""
    import os

    import pandas as pd

    folder = os.environ.get(AHEAD_ENV)
    if not folder:
        return None
    path = Path(folder) / f"{cell_hash}.parquet"
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    return df
