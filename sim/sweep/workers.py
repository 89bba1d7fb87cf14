"""The local launcher's worker processes, as the launching process keeps them.

sim's local launcher (``hydra_plugins/sim_plugins``, :func:`sim.sweep.launch.launch_local`)
runs the cells on one loky executor of the sweep's (:func:`pool`), sized as joblib sizes
its ``n_jobs`` (:func:`workers_wanted`). The command line starts it early
(:func:`start_workers`, :class:`Workers`): the workers get ready while the cells are
validated, and compute the sweep's last cells while Hydra starts. Where the platform
allows, they are forks of one fork server readied once (:func:`_fork_workers`,
:mod:`sim._forkserver`); :func:`stop_workers` ends them and it.

What each worker does besides its jobs is :mod:`sim.sweep.worker`.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.config import ConfigError
from sim.sweep.cell import RESULT
from sim.sweep.worker import AHEAD_ENV, LAUNCHER_ENV, _started, compute_ahead, warm_worker

if TYPE_CHECKING:
    from sim.config import SimConfig

_POOL: dict[str, Any] = {"executor": None, "context": None, "key": None}  # the sweep's workers, how they start
_POOL_LOCK = threading.Lock()
_FORKSERVER = {"started": False}  # whether this process's pool starts its workers from a fork server
_PRELOAD = "sim._forkserver"  # what the fork server imports, once, before it forks any worker


def workers_wanted(n_jobs: Any) -> int:
    """Worker processes for a launcher's ``n_jobs``, as joblib counts them.

    ``-1`` is every core, ``-2`` all but one, and so on; ``None`` is one (in the
    launching process).

    Raises:
        ConfigError: ``n_jobs`` is 0 or not a whole number.
    """
    import loky

    if n_jobs is None:
        return 1
    try:
        n = int(n_jobs)
    except (TypeError, ValueError):
        n = 0
    if n == 0 or str(n) != str(n_jobs).strip():
        raise ConfigError(
            "hydra.launcher.n_jobs",
            str(n_jobs),
            "a whole number of worker processes other than 0: 1, 2, ..., or -1 for every core (-2: all but one)",
            "the command line",
        )
    return n if n > 0 else max(loky.cpu_count() + 1 + n, 1)


def pool(n: int) -> Any:
    """The sweep's ``n`` worker processes: one loky executor, started at the first call, kept.

    The warm-up (:class:`Workers`, in a thread of its own) and the launcher
    (:func:`launch_local`) ask for the same executor (same size, start method and
    environment), so the launcher runs its jobs on the workers already readied; it is
    kept here, not in loky's reusable executor, which is one per thread. Each worker's
    libraries get their share of the cores, as joblib gives them (no oversubscription).
    Workers idle for 5 minutes end; :func:`stop_workers` ends them at once.
    """
    import multiprocessing
    import os

    import loky

    share = str(max(1, (loky.cpu_count() or 1) // n))
    env = {v: share for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") if v not in os.environ}
    key = (n, _POOL["context"], tuple(sorted(env.items())))
    with _POOL_LOCK:
        executor = _POOL["executor"]
        if executor is not None and _POOL["key"] == key:
            return executor
        if executor is not None:  # another size or start: the old workers go
            executor.shutdown(wait=True, kill_workers=True)
        # The standard library's context (loky's own start where None): what loky itself
        # returns for a start method other than its own.
        context = multiprocessing.get_context(_POOL["context"]) if _POOL["context"] else None
        executor = loky.ProcessPoolExecutor(max_workers=n, timeout=300, context=context, env=env)
        _POOL.update(executor=executor, key=key)
        return executor


class Workers:
    """The local launcher's worker processes, started while the cells are validated.

    sim's local launcher runs the cells on loky's reusable executor (:func:`pool`): its
    workers start at the first call and stay. Making a first call here, in a thread,
    starts the workers and readies them (:func:`warm_worker`: ~2 s of imports and kernel
    loading each) while this process validates every cell; the launcher's call then
    finds them (loky reuses an executor whose arguments are equal). Best effort: if
    anything fails here, the launcher starts its own workers, as it would have.

    Once the cells are valid, Hydra starts in this process (it composes the sweep's
    config, and the launcher the first job's) before it launches any job, while the
    workers would wait (with Hydra's own sweeper, it also composes every job once more
    first: ~0.1 s a cell). :meth:`ahead` gives them the last cells of the sweep
    meanwhile: :func:`compute_ahead` runs a cell's replications and keeps them (keyed
    by the config hash, in a folder of this sweep that ``SIM_AHEAD_DIR`` names to the
    workers), and the cell's job, when it comes, writes them instead of running them
    again (:func:`run_cell`). Every cell is still one Hydra job with the same files;
    only when its replications run changes.

    Args:
        n: Worker processes (:func:`workers_wanted` of the launcher's ``n_jobs``).
    """

    def __init__(self, n: int) -> None:
        import os
        import tempfile

        self.n = n
        self.pids: list[int] = []
        self.error: Exception | None = None
        self.folder = tempfile.mkdtemp(prefix="sim-ahead-")
        os.environ[AHEAD_ENV] = self.folder  # before the workers (and their fork server) start: they inherit it
        os.environ[LAUNCHER_ENV] = f"{os.getpid()}:{_started(os.getpid())}"
        self._start_method = _fork_workers()
        self._stopped = False
        self._ahead: list[Any] = []  # futures of the cells computed ahead
        self._go = threading.Event()
        self._thread = threading.Thread(target=self._work, name="sim-warm-workers", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            if not self._stopped:
                executor = pool(self.n)
                self.pids = [f.result() for f in [executor.submit(warm_worker) for _ in range(self.n)]]
            self._go.wait()
            for f in self._ahead:
                f.result()
        except Exception as exc:  # best effort (or stopped): the cells' jobs run them
            self.error = exc

    def ahead(self, configs: list[SimConfig], root: Path) -> None:
        """Compute the last of these cells (in launch order) while the launcher starts.

        Two for each worker (with Hydra's own sweeper, about what they can do while it
        composes every job once), and at most a quarter of the sweep, so that the
        launcher reaches them long after they are done; none that ``root`` (the sweep
        folder) holds already (a rerun skips them).
        """
        from sim.run import config_hash

        done = set()
        for marker in Path(root).glob(f"*/{RESULT}"):
            try:
                done.add(json.loads(marker.read_text())["config_hash"])
            except (OSError, ValueError, KeyError, TypeError):
                pass
        todo = [cfg for cfg in configs if config_hash(cfg) not in done]
        n = min(2 * self.n, len(configs) // 4, len(todo))
        if n > 0 and not self._stopped:
            try:  # queued now, ahead of the launcher's jobs (the workers take them in order)
                executor = pool(self.n)
                self._ahead = [executor.submit(compute_ahead, cfg, self.folder) for cfg in reversed(todo[-n:])]
            except Exception as exc:  # best effort: the cells' jobs run them
                self.error = exc
        self._go.set()

    def join(self, timeout: float = 120.0) -> None:
        """Wait until the workers are ready and what they compute ahead is done."""
        self._go.set()
        self._thread.join(timeout)

    def close(self) -> None:
        """After the sweep: remove what was computed ahead and not used, end the workers."""
        import os
        import shutil

        self.join()
        shutil.rmtree(self.folder, ignore_errors=True)
        if os.environ.get(AHEAD_ENV) == self.folder:
            del os.environ[AHEAD_ENV]
        os.environ.pop(LAUNCHER_ENV, None)
        stop_workers()  # idle now; ending them here is quicker than loky at exit
        _unfork_workers(self._start_method)

    def stop(self) -> None:
        """End the workers now, ready or not (the sweep will not run: its input was refused)."""
        self._stopped = True
        self._go.set()
        stop_workers()  # the warm-up's call then fails at once
        self._thread.join(10.0)
        self.close()


def start_workers(cfg: Any, n_cells: int) -> Workers | None:
    """Start and ready the local launcher's workers now, if the sweep will use them.

    Args:
        cfg: The composed config with its ``hydra`` node (:func:`sim.sweep.planning.plan`).
        n_cells: Cells in the sweep (one: not worth it).
    """
    from omegaconf import OmegaConf

    launcher = OmegaConf.select(cfg, "hydra.launcher", default=None)
    target = str(launcher.get("_target_", "")) if launcher is not None else ""
    if n_cells < 2 or not target.endswith(".sim_plugins.LocalLauncher"):
        return None  # another launcher starts workers of its own (Hydra's joblib, Ray, SLURM) or none
    n = workers_wanted(launcher.get("n_jobs"))
    if n < 2:
        return None  # one job at a time runs in this process
    return Workers(n)


def stop_workers() -> None:
    """End loky's reusable worker processes, if any (idle: a sweep is over or will not run).

    Left alone, they end at exit anyway, each tearing down its imports (~0.3 s); ended
    here, at once. The fork server they started from (:func:`_fork_workers`) ends too,
    waited for, so that its CPU time counts as this process's children's.
    """
    with _POOL_LOCK:
        executor, _POOL["executor"], _POOL["key"] = _POOL["executor"], None, None
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)
    if _FORKSERVER["started"]:
        from multiprocessing import forkserver

        # The standard library's own handle on its fork server (no public stop before
        # Python 3.14); a no-op if it never started; the next sweep starts its own.
        forkserver._forkserver._stop()
        _FORKSERVER["started"] = False


def _fork_workers() -> str | None:
    """Have loky start the workers from a fork server that is readied once (:mod:`sim._forkserver`).

    Loky's default starts each worker as a fresh interpreter, which then imports Mesa,
    pandas and Hydra and loads the kernel (~1.7 s of CPU, each worker); a fork server
    (Python's ``forkserver`` start method, one of loky's) does that once and forks the
    workers from itself. The server starts with the first worker, from this process's
    environment at that time (so after ``SIM_AHEAD_DIR`` and the threads per worker
    are set), and ends with the workers (:func:`stop_workers`): each sweep has its own.
    Loky's default stays where the platform has no fork server, and where this
    process's main module would run again in every worker (a script without an
    ``if __name__ == "__main__":`` guard: Python's fork server imports the main module
    in each process it starts; ``python -m sim`` and the ``sim`` command are safe).

    Returns:
        The pool's start method before (to restore: :func:`_unfork_workers`), or
        ``"default"`` if nothing was changed.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods() or not _main_is_guarded():
        return "default"
    before = _POOL["context"]
    multiprocessing.get_context("forkserver").set_forkserver_preload([_PRELOAD])
    _POOL["context"] = "forkserver"
    _FORKSERVER["started"] = True
    return before


def _main_is_guarded() -> bool:
    """Whether starting a process from the fork server leaves this process's main module alone.

    Python's fork server imports the main module in every process it starts, as
    ``__mp_main__``: not when it is a package's ``__main__`` (``python -m sim``) or
    there is none (an interactive session, ``python -c``); a script's top-level code
    runs again, which is harmless only under the ``if __name__ == "__main__":`` guard.
    """
    import re

    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and str(spec.name).endswith(".__main__"):
        return True
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^if\s+__name__\s*==\s*[\"']__main__[\"']\s*:", text, re.M) is not None


def _unfork_workers(before: str | None) -> None:
    """Restore the pool's start method as it was before :func:`_fork_workers`."""
    if before != "default":
        _POOL["context"] = before
