"""``sim sweep summarize <folder>`` (also ``python -m sim.sweep``): rebuild a sweep's summary from its cell folders."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.sweep.cell import ERROR, RESULT
from sim.sweep.summary import SUMMARY, summarize

DESCRIPTION = "Sweeps: many cells (configurations) x replications, resumable, on any launcher."  # sim sweep --help


def main(argv: list[str] | None = None) -> int:
    """``sim sweep summarize <folder>``: rebuild summary.parquet from the cell folders."""
    parser = argparse.ArgumentParser(prog="sim sweep", description=DESCRIPTION)
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
