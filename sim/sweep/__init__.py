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
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sim.config import ConfigError, SimConfig
from sim.sweep.cell import ERROR, RESULT, cell_is_done, run_cell, sha256
from sim.sweep.folders import CELL_DIR, NO_OVERRIDES, cell_dirname, cell_folders, plan_folders, unaccounted
from sim.sweep.planning import (
    _COMPOSED,
    _swappable,
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
    _started,
    compute_ahead,
    warm_worker,
    watch_launcher,
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
    "keep_summary",
    "mark_checked",
    "plan",
    "plan_folders",
    "provenance",
    "run_cell",
    "sha256",
    "summarize",
    "unaccounted",
    "warm_worker",
    "watch_launcher",
    "_COMPOSED",
    "_started",
    "_task_overrides",
]


# ----------------------------------------------------------------- launching


def job_configs(loader: Any, master: Any, job_overrides: Sequence[Sequence[str]]) -> Iterator[Any]:
    """Each job's config as Hydra's ``load_sweep_config`` composes it, composing as little as possible.

    The first job is composed by Hydra. A job that differs from it only in the option of
    plain config groups (``role=...``: files that set keys of their own node only, as in
    :func:`cell_configs`) and in the values of plain overrides (``regime.use=...``) is that
    config with those groups' nodes taken from one composition per option, its value
    overrides applied as Hydra applies them, and the ``hydra`` node's record of the job
    (task overrides, choices, ``override_dirname``) rewritten. Anything else is composed by
    Hydra. ``tests/test_sweep.py`` checks that every job of every experiment is the same
    config to the last key and type as Hydra's.

    Args:
        loader: Hydra's config loader.
        master: The sweep's config (Hydra's multirun config of the command line).
        job_overrides: Each job's overrides, in launch order.

    Yields:
        Each job's config (a DictConfig with its ``hydra`` node), in order.
    """
    import pickle

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    parser = OverridesParser.create()
    base: tuple[list[Any], Any, bytes] | None = None  # the first job: parsed overrides, config, pickled
    nodes: dict[tuple[int, str], Any] = {}  # (position, option) -> that group's node
    for overrides in job_overrides:
        cfg = None
        if base is not None:
            try:
                cfg = _derived(parser.parse_overrides(list(overrides)), base, nodes, loader, master)
            except Exception:  # whatever Hydra's composition makes of it (it reports errors)
                cfg = None
        if cfg is None:
            cfg = loader.load_sweep_config(master, list(overrides))
            if base is None:
                # Jobs get copies, unpickled (a third of a deepcopy's time; and OmegaConf's
                # deepcopy briefly unsets the parents of the copied config's nodes, while
                # loky may be pickling a job in another thread).
                base = (parser.parse_overrides(list(overrides)), cfg, pickle.dumps(cfg))
                cfg = pickle.loads(base[2])
        OmegaConf.copy_cache(from_config=master, to_config=cfg)  # as load_sweep_config does
        yield cfg


def _derived(parsed: list[Any], base: tuple[list[Any], Any, bytes], nodes: dict, loader: Any, master: Any) -> Any:
    """A job's config from the first job's (:func:`job_configs`), or None where Hydra must compose it.

    The jobs must set the same keys in the same order. Where the job chooses another
    option of a plain config group, that group's node comes from a composition of the
    first job's config groups with this option (check_cells' own, when it made one);
    then every value override of the job (each ``key=value``; a ``+``, ``~`` or a dict
    is left to Hydra) is applied as Hydra applies them: again where the first job had the
    same one, which changes nothing, and for the first time in the swapped nodes.
    """
    import copy
    import pickle

    from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
    from hydra.core.override_parser.types import OverrideType
    from omegaconf import DictConfig, open_dict

    base_parsed, base_cfg, base_pickled = base
    if len(parsed) != len(base_parsed):
        return None
    choices = base_cfg.hydra.runtime.choices
    groups: list[str] = []  # the first job's group overrides, in order
    swaps, values = [], []
    for b, o in zip(base_parsed, parsed, strict=True):
        key = o.get_key_element()
        if key != b.get_key_element() or o.is_hydra_override() or b.is_hydra_override():
            return None
        plain = all(x.type == OverrideType.CHANGE and x.package is None for x in (b, o))
        if key in choices:  # a config group
            groups.append(b.input_line)
            if o.input_line == b.input_line:
                continue
            if not _swappable(b, o):
                return None
            swaps.append((len(groups) - 1, key, o))
        elif plain and not isinstance(o.value(), (dict, list)):
            values.append(o)
        else:
            return None
    keys = [o.get_key_element() for o in parsed]
    if len(set(keys)) != len(keys):
        return None  # a key set twice: its order matters, left to Hydra
    cfg = pickle.loads(base_pickled)
    for i, key, o in swaps:
        node = nodes.get((i, o.input_line))
        if node is None:
            one = list(groups)
            one[i] = o.input_line
            composed = _COMPOSED.get(tuple(one))  # check_cells composed the same, if it could
            if composed is None:
                composed = loader.load_sweep_config(master, one)
            node = nodes[(i, o.input_line)] = composed[key]
        if not isinstance(node, DictConfig):
            return None
        cfg[key] = copy.deepcopy(node)
        with open_dict(cfg.hydra):
            cfg.hydra.runtime.choices[key] = o.value()
    ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
    job = cfg.hydra.job
    with open_dict(cfg.hydra):
        cfg.hydra.overrides.task = [o.input_line for o in parsed]
        job.override_dirname = get_overrides_dirname(
            overrides=parsed,
            kv_sep=job.config.override_dirname.kv_sep,
            item_sep=job.config.override_dirname.item_sep,
            exclude_keys=job.config.override_dirname.exclude_keys,
        )
    return cfg


def launch_local(launcher: Any, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> list[Any]:
    """Hydra's joblib launcher's ``launch``, each job's config from :func:`job_configs`.

    The same log lines and ``run_job`` as ``hydra_plugins.hydra_joblib_launcher``'s
    ``launch``, on the launcher's ``n_jobs`` worker processes (:func:`pool`); only where
    a job's config is made differs (here, from :func:`job_configs`, not in the worker).
    Of the launcher's joblib settings, ``n_jobs`` is the one that applies: the jobs are
    few and large, so joblib's batching and memory-mapping settings have nothing to do.
    """
    import logging
    import os

    import cloudpickle
    from hydra.core.singleton import Singleton
    from hydra.core.utils import configure_log, filter_overrides, setup_globals

    log = logging.getLogger("hydra_plugins.hydra_joblib_launcher._core")
    setup_globals()
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    n = workers_wanted(launcher.joblib.get("n_jobs"))
    log.info(f"Launching {len(job_overrides)} jobs on {n} worker process{'es' if n > 1 else ''}")
    log.info(f"Launching jobs, sweep output dir : {sweep_dir}")
    for idx, overrides in enumerate(job_overrides):
        log.info("\t#{} : {}".format(idx, " ".join(filter_overrides(overrides))))
    # What every job shares, pickled once (a worker unpickles it once per launch), not
    # with every job. cloudpickle: the task function is the command's, which plain
    # pickle can only refer to by name.
    shared = cloudpickle.dumps((launcher.hydra_context, launcher.task_function, Singleton.get_state()))
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    configs = job_configs(launcher.hydra_context.config_loader, launcher.config, job_overrides)
    jobs = ((initial_job_idx + idx, cfg, token, shared) for idx, cfg in enumerate(configs))
    if n < 2:  # as joblib with one job: in this process
        return [_execute_job(*job) for job in jobs]
    executor = pool(n)
    futures = [executor.submit(_execute_job, *job) for job in jobs]
    return [f.result() for f in futures]


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


_POOL: dict[str, Any] = {"executor": None, "context": None, "key": None}  # the sweep's workers, how they start
_POOL_LOCK = threading.Lock()


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


_SHARED: dict[str, tuple] = {}  # in a worker: the launch's shared objects (launch_local), by token


def _execute_job(idx: int, sweep_config: Any, token: str, shared: bytes) -> Any:
    """Run one job in a worker: Hydra's joblib ``execute_job``, given the job's config.

    ``shared`` holds Hydra's context, the task function and Hydra's singletons, as
    Hydra's launcher passes them to every job; unpickled once per worker and launch.
    Hydra's ``Singleton.set_state`` scans every installed Hydra plugin again (the state
    it is given leaves them out), ~35 ms a job; the worker's scan from its first job is
    kept instead (the same plugins: they are the installed packages). ``run_job`` sets
    the job's ``HydraConfig`` itself.
    """
    import pickle

    from hydra.core.plugins import Plugins
    from hydra.core.singleton import Singleton
    from hydra.core.utils import run_job, setup_globals
    from omegaconf import open_dict

    if token not in _SHARED:
        _SHARED.clear()
        _SHARED[token] = pickle.loads(shared)
    hydra_context, task_function, singleton_state = _SHARED[token]
    setup_globals()
    instances = dict(singleton_state["instances"])  # each job its own, as from a fresh unpickling
    plugins = Singleton._instances.get(Plugins)
    if plugins is not None:
        instances[Plugins] = plugins
    Singleton.set_state({**singleton_state, "instances": instances})
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    return run_job(
        hydra_context=hydra_context,
        config=sweep_config,
        task_function=task_function,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )


# ----------------------------------------------------------------- workers


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


_FORKSERVER = {"started": False}
_PRELOAD = "sim._forkserver"


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


def start_workers(cfg: Any, n_cells: int) -> Workers | None:
    """Start and ready the local launcher's workers now, if the sweep will use them.

    Args:
        cfg: The composed config with its ``hydra`` node (:func:`plan`).
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
