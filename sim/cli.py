"""Command line: ``python -m sim [overrides]`` (also the ``sim`` console script).

Configuration is composed by Hydra from ``conf/`` (and the arrangement presets in
``scenarios/``). Before Hydra creates any output folder, the same overrides are
composed and validated here, so bad input stops with a clear message, exit status
2, and nothing written.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from sim.config import ConfigError
from sim.console import OWN_PROCESS as _OWN_PROCESS
from sim.console import exit_with, interrupt_seen, note_interrupts  # exit_with: also sim.cli.exit_with
from sim.console import hold_interrupts as _hold_interrupts

USAGE_HINT = "See README.md (Configuration) or run `python -m sim --help`."


def _fail(exc: ConfigError) -> int:
    print(f"error: {exc}\n{USAGE_HINT}", file=sys.stderr)
    return 2


def _task(dcfg) -> None:
    """The Hydra job (:func:`_job`); a Ctrl+C that reaches it is noted in its ``run.log``.

    (A single run's, and the basic launcher's cells: the local launcher's workers leave
    Ctrl+C to the launching process, which ends them.)
    """
    import logging

    t0 = time.perf_counter()
    try:
        _job(dcfg)
    except KeyboardInterrupt:
        logging.getLogger("sim").warning(
            "interrupted after %.1f s, before its results were complete: run the command again",
            time.perf_counter() - t0,
        )
        raise


def _job(dcfg) -> None:
    """Validate, run, write outputs, print the public account.

    What it prints, and an error, also go to ``run.log`` in the run (or cell) folder
    (``hydra.job_logging`` in conf/config.yaml): the overrides, the resolved choices and
    config hash, the scale and timings, the files written, the public account.
    """
    import logging

    from hydra.core.hydra_config import HydraConfig

    from sim.kernels.population import PARALLEL_MIN_ACTORS, warmup
    from sim.run import account_table, as_config, config_hash, run, write_outputs

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    log = logging.getLogger("sim")  # to run.log only (conf/config.yaml)
    hc = HydraConfig.get()
    log.info("overrides: %s", " ".join(hc.overrides.task) or "(none)")
    try:
        cfg = as_config(dcfg, "the composed config")
    except ConfigError as exc:
        log.error("error: %s", exc)
        sys.exit(_fail(exc))
    log.info("seed=%s config_hash=%s", cfg.run.seed, config_hash(cfg))
    out = Path(hc.runtime.output_dir)
    scoring = cfg.analytics.resolution == "individual" and cfg.analytics.profile == "score"
    compile_s = warmup(parallel=cfg.world.actors >= PARALLEL_MIN_ACTORS, scoring=scoring)
    if str(hc.mode).endswith("MULTIRUN"):
        from sim import sweep

        t0 = time.perf_counter()
        status = sweep.run_cell(cfg, out, out.name, list(hc.overrides.task))
        print(f"cell {out.name or '(no overrides)'}: {status} in {time.perf_counter() - t0:.1f} s", flush=True)
        _log_cell(log, cfg, out, status, compile_s, time.perf_counter() - t0)
        return
    import pandas  # noqa: F401  (imported by the run; loaded here so that "run" times the run only)

    import sim.model  # noqa: F401

    t0 = time.perf_counter()
    df = run(cfg)
    run_s = time.perf_counter() - t0
    try:
        summary = write_outputs(df, cfg, out)
    except OSError as exc:
        message = (
            f"error: could not write results to {out}: {exc.strerror or exc}. Each file is written to a "
            "temporary name and renamed when complete, so nothing partial was left; earlier results are "
            "untouched."
        )
        log.error("%s", message)
        print(message, file=sys.stderr)
        sys.exit(1)
    r = summary["regime"]
    lines = [
        f"arrangement={summary['arrangement']} role={summary['role']} analytics={summary['analytics']} "
        f"regime={r['name']} (framing={r['framing']}, collection={r['collection']}, "
        f"interpretation={r['interpretation']}, use={r['use']})",
        f"{cfg.world.actors:,} actors x {cfg.run.rounds} rounds x {cfg.run.replications} replications; "
        f"kernels ready in {compile_s:.2f} s, run {run_s:.2f} s",
        f"Public account (run totals, {summary['unit']}), mean and 95% interval over replications:",
        account_table(summary),
        f"wrote {out / 'rounds.parquet'} and {out / 'summary.json'}",
    ]
    print("\n".join(lines))
    log.info("%s", "\n".join(lines))


def _log_cell(log, cfg, out: Path, status: str, compile_s: float, cell_s: float) -> None:
    """A sweep cell's lines in its ``run.log``: its choices and scale, what became of it, the timings."""
    import json

    from sim import sweep

    r = cfg.regime
    log.info(
        "arrangement=%s role=%s analytics=%s regime=%s (framing=%s, collection=%s, interpretation=%s, use=%s)",
        *(cfg.arrangement.name, cfg.role.name, cfg.analytics.name, r.name),
        *(r.framing, r.collection, r.interpretation, r.use),
    )
    log.info(
        "%s actors x %s rounds x %s replications; kernels ready in %.2f s, cell %s in %.1f s",
        *(f"{cfg.world.actors:,}", cfg.run.rounds, cfg.run.replications, compile_s, status, cell_s),
    )
    if status == "skipped":
        log.info("results already there and intact (%s matches the config and the files): not run again", sweep.RESULT)
    elif status == "failed":
        try:
            error = json.loads((out / sweep.ERROR).read_text())["error"]
        except (OSError, ValueError, KeyError, TypeError):
            error = "(unreadable error record)"
        log.error("failed: %s (traceback in %s); a rerun of the sweep retries it", error, out / sweep.ERROR)
    else:
        log.info("wrote rounds.parquet, totals.parquet, summary.json, provenance.json and %s in %s", sweep.RESULT, out)


# ``sim <subcommand> ...``: each lives in its own module with ``main(argv) -> int``
# (so ``python -m sim.<module>`` works too). Everything else goes to the run.
SUBCOMMANDS = {
    "dashboard": "sim.dashboard",
    "lesson": "sim.lessons",
    "report": "sim.report",
    "validate": "sim.validation",
    "sweep": "sim.sweep",
}


def _subcommand(name: str, rest: list[str]) -> int:
    import importlib

    try:
        module = importlib.import_module(SUBCOMMANDS[name])
    except ModuleNotFoundError as exc:
        if exc.name == SUBCOMMANDS[name]:
            print(f"error: `sim {name}` is not available in this version.", file=sys.stderr)
            return 2
        raise
    return int(module.main(rest) or 0)


def _not_a_subcommand(word: str) -> ConfigError:
    import difflib

    near = difflib.get_close_matches(word, SUBCOMMANDS, n=1)
    hint = f" (did you mean `sim {near[0]}`?)" if near else ""
    return ConfigError(
        "subcommand",
        word,
        f"one of {', '.join(SUBCOMMANDS)}{hint}, or a run's overrides key=value (e.g. regime.use=public)",
        "the command line",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _subcommand(argv[0], argv[1:])
    if argv and not argv[0].startswith(("-", "+", "~")) and "=" not in argv[0]:
        return _fail(_not_a_subcommand(argv[0]))  # `sim reprot x`: no override either
    flags = [a for a in argv if a.startswith("-")]
    overrides = _overrides(argv)
    multirun = any(f in ("-m", "--multirun") for f in flags)
    # Help and --info describe the program, not a job: they need no valid overrides. --cfg
    # shows the job's config, so its overrides are checked as a run's are (it writes nothing).
    asks_help = any(f in ("--help", "-h", "--hydra-help") for f in flags)
    informational = asks_help or any(f in ("--info", "-i", "--shell-completion", "-sc") for f in flags)
    show_config = any(f in ("--cfg", "-c") or f.startswith("--cfg=") for f in flags)
    if not asks_help:  # (Hydra answers help before any other check)
        try:
            _check_modes(flags)
        except ConfigError as exc:
            return _fail(exc)
    if (informational or show_config) and _OWN_PROCESS["set"] and hasattr(signal, "SIGPIPE"):
        # They only print (Hydra's help, the config): like any Unix tool, end at once and
        # silently when the reader goes (`sim --cfg job | head`), where Hydra would print a
        # traceback of the broken pipe. (Only these: runs, the dashboard and Ray write to
        # sockets, where a closed connection must not end the process.)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from sim import hydra_conf, sweep

    cells: list[list[str]] = []
    if not informational:
        workers = None
        note_interrupts()  # a Ctrl+C during the checks is an interruption, whatever error it leaves
        try:
            hydra_conf.check_layout()
            hydra_conf.check_overrides(overrides)
            mode_multirun, cells, composed = sweep.plan(overrides)
            hydra_conf.check_hydra(composed, overrides)
            multirun = multirun or mode_multirun
            if multirun:
                sweep.note_command(argv, composed, len(cells))  # for the line after a Ctrl+C
            if multirun and _OWN_PROCESS["set"]:
                import gc

                # Hydra and the modules loaded so far live as long as this process: the
                # collector need not scan them again in every full collection (~0.1 s
                # each, several in a sweep's start-up and launch).
                gc.freeze()
            if multirun and not show_config:
                _limit_worker_threads(overrides, len(cells))
                sweep.plan_folders(cells, composed)  # each cell a folder of its own, checked at the end
                # The launcher's workers start and get ready while every cell is checked.
                workers = sweep.STATE["workers"] = sweep.start_workers(composed, len(cells))
                checked = sweep.check_cells(cells)
                sweep.mark_checked(cells)  # the sweeper need not check them again
            elif multirun:
                sweep.check_cells(cells)
            else:
                hydra_conf.load(overrides)
            if not show_config:
                _check_writable(overrides, multirun, composed)
            if workers is not None:  # the last cells, while Hydra starts
                workers.ahead(checked, Path(str(composed.hydra.sweep.dir)))
        except BaseException as exc:
            stopped = not isinstance(exc, Exception) or interrupt_seen()  # Ctrl+C
            if workers is not None:
                if stopped:
                    _hold_interrupts()  # Ctrl+C: a second one must not cut the workers' end short
                sweep.STATE.pop("workers", None)
                workers.stop()
            if stopped:
                if isinstance(exc, Exception):
                    raise KeyboardInterrupt from exc  # what the interrupted library left is no input error
                raise  # Ctrl+C (reported by exit_with)
            if isinstance(exc, ConfigError):
                return _fail(exc)
            return _fail(hydra_conf.hydra_error(exc, overrides))  # a malformed override Hydra cannot even parse
    if multirun and not show_config:
        _limit_worker_threads(overrides, len(cells))
    hydra_conf.register()
    import hydra

    app = hydra.main(config_path=str(hydra_conf.CONF_DIR), config_name="config", version_base="1.3")(_task)
    saved = sys.argv
    sys.argv = [saved[0] if saved else "sim", *argv]
    progress = sweep.Progress(len(cells)) if multirun else None
    ended = False
    try:
        if progress is not None:
            with progress:
                app()
        else:
            app()
        ended = True
    except SystemExit as exc:
        ended = True
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.argv = saved
        workers = sweep.STATE.pop("workers", None)
        if ended:
            sweep.STATE.pop("command", None)  # noted for an interruption (sweep.interrupted)
        if workers is not None and ended:
            workers.close()  # idle now: ending them here is quicker than at exit
        elif workers is not None:
            _hold_interrupts()
            workers.stop()  # interrupted: at once, whatever they are doing
    if multirun:
        return _report_sweep()
    return 0


# Hydra's options that take a value (``--cfg job``): that value is no override.
_VALUED = set("--cfg -c --package -p --config-path -cp --config-name -cn --config-dir -cd --experimental-rerun".split())
_INFO_TOPICS = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")  # --info's optional value


def _overrides(argv: list[str]) -> list[str]:
    """The overrides of a command line: its arguments less Hydra's options and their values."""
    out, i = [], 0
    while i < len(argv):
        arg = argv[i]
        if arg in _VALUED or (arg in ("--info", "-i") and i + 1 < len(argv) and argv[i + 1] in _INFO_TOPICS):
            i += 2
            continue
        if not arg.startswith("-"):
            out.append(arg)
        i += 1
    return out


# Hydra runs one of these (long: short); given two, it fails with a traceback.
_MODES = {"--run": "-r", "--multirun": "-m", "--cfg": "-c", "--info": "-i", "--shell-completion": "-sc"}


def _check_modes(flags: list[str]) -> None:
    """Refuse Hydra's options that cannot go together, as Hydra would, but without its traceback."""
    given = [f.split("=", 1)[0] for f in flags]
    modes = sorted(long for long, short in _MODES.items() if long in given or short in given)
    if len(modes) > 1:
        raise ConfigError(
            "options",
            " ".join(modes),
            "one of --run, --multirun (-m), --cfg, --info and --shell-completion at a time",
            "the command line",
        )
    if "--resolve" in given and "--cfg" not in modes:
        raise ConfigError(
            "options", "--resolve", "--resolve only with --cfg (e.g. --cfg job --resolve)", "the command line"
        )


def _check_writable(overrides: list[str], multirun: bool, composed=None) -> None:
    """Fail before any work if the output folder cannot be created or written.

    Args:
        overrides: The command line's overrides.
        multirun: Whether it is a sweep (``hydra.sweep.dir``, else ``hydra.run.dir``).
        composed: The command line's config with its ``hydra`` node, if already composed.
    """
    from sim import hydra_conf
    from sim.run import unwritable

    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    plain = [o for o in overrides if "," not in o or o.startswith("hydra.")]
    try:
        if composed is None:
            composed = hydra_conf.compose(plain, return_hydra_config=True)
        target = Path(str(composed.hydra[key.split(".")[1]].dir))
    except Exception:  # the composition error itself is reported elsewhere
        return
    problem = unwritable(target)
    if problem:
        raise ConfigError(
            key,
            str(target),
            f"a folder that can be created and written; {problem}",
            "the command line" if any(o.startswith(key) for o in overrides) else "conf/config.yaml",
        )


def _limit_worker_threads(overrides: list[str], n_cells: int) -> None:
    """Give each parallel worker its share of the cores (no oversubscription)."""
    import os

    launcher = next((o.split("=", 1)[1] for o in overrides if o.startswith("hydra/launcher=")), "local")
    cores = os.cpu_count() or 1
    if launcher == "basic":
        return  # one job at a time, in this process: it may use every core
    workers = max(1, min(cores, n_cells))
    share = str(max(1, cores // workers))
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, share)


def _report_sweep() -> int:
    from sim import sweep

    root = sweep.STATE.get("sweep_dir")
    if root is None:
        return 0
    failures = sweep.STATE.get("failures", [])
    print(f"sweep: {sweep.STATE.get('rows', 0)} rows in {Path(root) / sweep.SUMMARY}")
    for f in failures:
        print(f"failed cell {f.get('cell')}: {f.get('error')}", file=sys.stderr)
    if failures:
        print(
            f"{len(failures)} cell(s) failed; their errors are in <cell>/{sweep.ERROR}. "
            "Rerun the same command to retry them (finished cells are kept).",
            file=sys.stderr,
        )
        return 1
    return 0


def main_exit() -> None:
    """Console-script entry (``sim``, ``python -m sim``): exit with :func:`main`'s status."""
    _OWN_PROCESS["set"] = True  # what a sweep has loaded stays to the end; signals are this command's
    exit_with(main)
