"""The command line of ``sim validate`` (``python -m sim.validate``, ``python -m sim.validation``).

:func:`main` checks the options (bad input: a message naming the option, the value
and what is allowed; exit status 2, nothing written), runs the selected case groups
on one shared :class:`~sim.validation.runner.Runner` and writes the report
(:func:`sim.validation.report.write_report`) into ``--out``: by default
:data:`FULL_OUT` with ``--full``, else :data:`PARTIAL_OUT`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from sim.config import ConfigError
from sim.run import unwritable
from sim.validation.registry import BY_KEY, GROUPS, run_group
from sim.validation.report import FULL_COMMAND, git_commit, replaces_full_report, write_report
from sim.validation.runner import GroupResult, Runner

FULL_OUT = "docs"  # where --full writes: the tracked report
PARTIAL_OUT = "results/validation"  # where a run of some cases writes by default (git-ignored)


def _parse(argv: list[str]) -> argparse.Namespace:
    """The options of ``sim validate``; argparse exits (SystemExit) on a usage error or ``--help``."""
    parser = argparse.ArgumentParser(
        prog="sim validate",
        description=(
            f"Run the validation cases. With --full: every case, into {FULL_OUT}/validation.md and its figures "
            f"(the tracked report). Without: the fast cases (or --cases), into {PARTIAL_OUT}/; a run of some "
            "cases never replaces a full report (it stops with exit status 2 instead)."
        ),
    )
    parser.add_argument(
        "--full", action="store_true", help=f"run every case (minutes) and write {FULL_OUT}/; default: the fast cases"
    )
    parser.add_argument(
        "--out",
        default=None,
        help=f"folder of validation.md and validation/*.png (default: {FULL_OUT} with --full, else {PARTIAL_OUT}); "
        "a folder holding a full report takes only --full",
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    parser.add_argument("--cases", default="", help="comma-separated case groups to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the case groups and exit")
    return parser.parse_args(argv)


def _error(message: str) -> int:
    """Print ``error: message`` to stderr; the exit status of bad input (2)."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sim.validate`` and ``sim validate``; returns the exit status.

    Exit status 0 if every case that ran passes or fails with an explanation of what
    the model would need, 1 if a case fails without one, 2 on bad input.
    """
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
        return int(exc.code) if isinstance(exc.code, int) else 2
    if args.list:
        for g in GROUPS:
            print(f"{g.key:26s} {'fast' if g.fast else 'full'}  {g.title}")
        return 0
    if args.jobs < 1:
        return _error(f"--jobs={args.jobs} is not allowed. Allowed: an integer >= 1.")
    keys = [k.strip() for k in args.cases.split(",") if k.strip()]
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        return _error(f"--cases={','.join(unknown)} is not allowed. Allowed: {', '.join(BY_KEY)}.")
    if keys and args.full:
        return _error("--cases and --full exclude each other (--full runs every case).")
    selected = keys or [g.key for g in GROUPS if args.full or g.fast]
    out = Path(args.out if args.out is not None else FULL_OUT if args.full else PARTIAL_OUT)
    problem = unwritable(out / "validation")
    if problem:
        allowed = f"a folder that can be created and written; {problem}"
        return _error(f"--out={str(out)!r} is not allowed. Allowed: {allowed}.")
    full_report = None if args.full else replaces_full_report(out)
    if full_report is not None:
        return _error(
            f"--out={str(out)!r} is not allowed: {full_report} is a full report (`{FULL_COMMAND}`), and this run "
            f"has {len(selected)} of {len(GROUPS)} case groups; it would replace it. Allowed: --full, or another "
            f"folder (without --out, a run of some cases writes to {PARTIAL_OUT})."
        )
    logging.getLogger("MESA").setLevel(logging.WARNING)
    commit = git_commit()  # the code the cases run on (the checkout may move while they run)
    runner = Runner(args.jobs)
    results: dict[str, GroupResult | None] = {g.key: None for g in GROUPS}
    t0 = time.perf_counter()
    try:
        for key in selected:
            res = run_group(key, runner=runner)
            results[key] = res
            for r in res.rows:
                print(f"{r.case:4s} {'pass' if r.passed else 'FAIL'}  {r.title}: {r.measured}  [{res.seconds:.0f} s]")
    except ConfigError as exc:
        return _error(f"a validation scenario does not compose: {exc}")
    finally:
        runner.close()
    path = write_report(results, out, args.full, time.perf_counter() - t0, args.jobs, commit)
    ran = [r for res in results.values() if res for r in res.rows]
    print(f"wrote {path} ({sum(r.passed for r in ran)} of {len(ran)} cases pass, {time.perf_counter() - t0:.0f} s)")
    return 1 if any(not r.passed and not r.gap for r in ran) else 0
