"""One cell of a sweep: its run into its folder, its completion marker, resume (:func:`run_cell`).

A cell is one Hydra job that runs all its replications and writes, in its folder,
``rounds.parquet``, ``totals.parquet``, ``summary.json``, ``provenance.json``
(:mod:`sim.sweep.provenance`) and, last, ``result.json`` (:data:`RESULT`): the completion
marker, with the cell's config hash and the checksums (:func:`sha256`) of its files.
Every file is written atomically (temp file + rename, :func:`sim.run.write_atomic`); a
temp file left by a kill is removed on the rerun. A failed cell writes ``error.json``
(:data:`ERROR`) instead, and the other cells go on.

Where a cell's hash is computed and checked: :func:`sim.run.config_hash` computes it from
the resolved config (what makes a cell the same cell); :func:`run_cell` computes it before
running and :func:`cell_is_done` checks it, and every checksum, against ``result.json``,
so a rerun skips a cell whose results match and recomputes anything else. The summary
(:func:`sim.sweep.summary.collect`) checks the same before it reads a cell.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from sim.run import config_hash, run, run_totals, summarise, write_atomic, write_parquet
from sim.sweep.provenance import provenance
from sim.sweep.worker import _computed_ahead, watch_launcher

if TYPE_CHECKING:
    from sim.config import SimConfig

RESULT = "result.json"  # a cell's completion marker: its config hash and its files' checksums
ERROR = "error.json"  # a failed cell's error and traceback


def sha256(path: Path) -> str:
    """Checksum of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cell_is_done(folder: Path, cell_hash: str) -> bool:
    """True if the cell's results exist, match its config hash and are intact.

    Args:
        folder: The cell folder.
        cell_hash: The hash of the cell's resolved config.
    """
    marker = folder / RESULT
    if not marker.is_file():
        return False
    try:
        meta = json.loads(marker.read_text())
        if meta.get("config_hash") != cell_hash:
            return False
        for name, digest in meta["checksums"].items():
            if not (folder / name).is_file() or sha256(folder / name) != digest:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def run_cell(cfg: SimConfig, folder: Path, cell: str, overrides: list[str]) -> str:
    """Run one cell into ``folder`` unless it is already done; never raises.

    Returns:
        ``"skipped"``, ``"done"`` or ``"failed"`` (the error is in ``error.json``).
    """
    watch_launcher()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".*.tmp"):  # left by a kill during a write
        stale.unlink(missing_ok=True)
    h = config_hash(cfg)
    if cell_is_done(folder, h):
        return "skipped"
    (folder / RESULT).unlink(missing_ok=True)
    try:
        df = _computed_ahead(h)
        if df is None:
            df = run(cfg)
        write_parquet(folder / "rounds.parquet", df)
        totals = run_totals(df)
        write_parquet(folder / "totals.parquet", totals)
        summary = summarise(df, cfg, totals)
        write_atomic(folder / "summary.json", json.dumps(summary, indent=2).encode())
        write_atomic(folder / "provenance.json", json.dumps(provenance(cfg, h), indent=2).encode())
        meta = {
            "cell": cell,
            "overrides": overrides,
            "config_hash": h,
            "checksums": {n: sha256(folder / n) for n in ("rounds.parquet", "totals.parquet", "summary.json")},
        }
        (folder / ERROR).unlink(missing_ok=True)
        write_atomic(folder / RESULT, json.dumps(meta, indent=2).encode())
        return "done"
    except Exception as exc:  # isolate the failure: the other cells go on
        err = {
            "cell": cell,
            "overrides": overrides,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
        write_atomic(folder / ERROR, json.dumps(err, indent=2).encode())
        return "failed"
