"""The local launcher's jobs: Hydra's joblib launcher, each job's config made cheaply (:func:`launch_local`).

``hydra_plugins/sim_plugins``'s ``LocalLauncher`` calls :func:`launch_local`: the same
log lines, jobs and ``run_job`` as Hydra's joblib launcher, on the sweep's worker pool
(:mod:`sim.sweep.workers`). Only where a job's config is made differs: in the launching
process, from the first job's (:func:`job_configs`, one composition per option of a
swept config group, reusing :mod:`sim.sweep.planning`'s), not composed again in the
worker; each worker runs its jobs with :func:`_execute_job`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sim.sweep.planning import _COMPOSED, _swappable
from sim.sweep.workers import pool, workers_wanted

_SHARED: dict[str, tuple] = {}  # in a worker: the launch's shared objects (launch_local), by token


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
