"""The command line of the report: ``sim report <folder> [options]`` and its exit statuses.

:func:`parser` holds the options; :func:`main` loads the sweep (:mod:`sim.report.data`),
builds the blocks (:mod:`sim.report.build`) and writes them
(:mod:`sim.report.document`). A bad folder or option ends with a message naming it and
exit status 2 before the report is written; so does an output folder that cannot be
written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.report import data, document
from sim.report.build import DEFAULT_BASELINE, build, title
from sim.report.data import SweepError


def parser() -> argparse.ArgumentParser:
    """The command line of ``sim report``."""
    p = argparse.ArgumentParser(
        prog="sim report",
        description="Decision report of a sweep: writes <folder>/report/ (report.html, report.md, figures/, tables/).",
    )
    p.add_argument("folder", type=Path, help="a sweep folder, e.g. results/sweeps/roles/overlast")
    p.add_argument(
        "--baseline",
        default=DEFAULT_BASELINE,
        help="what each option is compared with: the option with these swept values changed "
        "(default: regime=closed, the closed regime of the same role); e.g. role=none or role=regulator,regime=closed",
    )
    p.add_argument("--metric", default="public_value", help="column to rank by and to explain (default public_value)")
    p.add_argument(
        "--series",
        action="append",
        metavar="KEY=VALUE,...",
        help="options to show over the rounds (repeatable; default: the best, the runner-up and the best's baseline)",
    )
    p.add_argument("--heatmap", nargs=2, metavar=("X", "Y"), help="two swept dimensions (or sampled parameters)")
    p.add_argument("--column", default="public_value", help="column of the heatmap (default public_value)")
    p.add_argument("--out", type=Path, help="output folder (default <folder>/report)")
    return p


def main(argv: list[str] | None = None) -> int:
    """``sim report <folder>``: build the report; exit 2 with a clear message on bad input."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        sw = data.load(args.folder)
        blocks = build(sw, args)
    except SweepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}. See `sim report --help`.", file=sys.stderr)
        return 2
    out = args.out or args.folder / "report"
    try:
        document.write(blocks, out, f"Decision report: {title(sw)}")
    except OSError as exc:
        print(f"error: cannot write the report to {out}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out / 'report.html'} and {out / 'report.md'} (figures/, tables/)")
    for line in next(b for b in blocks if b.name == "summary").items:
        print("- " + document.plain(line))
    return 0
