"""A sweep's summary: ``summary.parquet`` at the sweep root, read from the cell folders.

It holds one row per cell x replication: the swept choices, the resolved choices and
the run totals of every column (:func:`collect`, which verifies each cell's files against
its checksums first, :func:`sim.sweep.cell.cell_is_done`). The launching process rebuilds
it every few seconds while the cells run (:func:`keep_summary`, atomically, under a file
lock, so it can be read meanwhile) and at the end (:func:`summarize`); ``sim sweep
summarize <folder>`` rebuilds it from the cell folders (:mod:`sim.sweep.command`).
"""

from __future__ import annotations

import fcntl
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.run import run_totals, write_parquet
from sim.sweep.cell import ERROR, RESULT, cell_is_done

if TYPE_CHECKING:
    import pandas as pd

SUMMARY = "summary.parquet"


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with open(root / ".summary.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _swept_value(value: str) -> Any:
    """Override values as typed columns (numbers stay numbers)."""
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


class _Damaged(Exception):
    """A cell's result file fails its checksum."""


# Rows already read, and their files verified, in this process, by cell folder: (file
# stats, rows). A cell whose files have not changed on disk since (same inode, size and
# time of each) gives the rows read then.
_VERIFIED: dict[str, tuple[tuple, pd.DataFrame]] = {}


def _stats(folder: Path) -> tuple:
    """What identifies the versions of a cell's files: inode, size and time of each."""
    out = []
    for name in (RESULT, "summary.json", "totals.parquet", "rounds.parquet"):
        try:
            st = (folder / name).stat()
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _cell_rows(folder: Path) -> pd.DataFrame:
    """A completed cell's rows of the summary (one per replication)."""
    import pandas as pd

    meta = json.loads((folder / RESULT).read_text())
    if not cell_is_done(folder, meta["config_hash"]):
        raise _Damaged
    summary = json.loads((folder / "summary.json").read_text())
    if "totals.parquet" in meta["checksums"]:
        totals = pd.read_parquet(folder / "totals.parquet")
    else:  # a cell written before totals were kept
        totals = run_totals(pd.read_parquet(folder / "rounds.parquet"))
    r = summary["regime"]
    head: dict[str, Any] = {
        "cell": meta["cell"],
        "arrangement": summary["arrangement"],
        "role": summary["role"],
        "regime": r["name"],
        "framing": r["framing"],
        "collection": r["collection"],
        "interpretation": r["interpretation"],
        "use": r["use"],
        "analytics": summary["analytics"],
        "seed": summary["seed"],
    }
    for ov in meta["overrides"]:  # swept keys beyond the resolved choices, typed
        key, _, value = ov.lstrip("+~").partition("=")
        if key not in head and key not in ("experiment", "hydra/launcher") and not key.startswith("hydra"):
            head[key] = _swept_value(value)
    for key, value in summary.get("sampled", {}).get("values", {}).items():  # a sampled experiment's draws
        head.setdefault(key, value)
    head["config_hash"] = meta["config_hash"]
    for k, v in head.items():
        totals[k] = v
    return totals[list(head) + [c for c in totals.columns if c not in head]]


def collect(root: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Read every completed cell under ``root``, verifying its files' checksums: (summary rows, failures).

    Each process reads a cell once: a cell whose files have not changed on disk since
    (same inode, size and time) gives the rows read and verified then.
    """
    import pandas as pd

    root = Path(root)
    frames = []
    failures = []
    for marker in sorted(root.glob(f"*/{RESULT}")):
        folder = marker.parent
        stats = _stats(folder)
        cached = _VERIFIED.get(str(folder))
        if cached is not None and cached[0] == stats:
            frames.append(cached[1])
            continue
        try:
            rows = _cell_rows(folder)
        except _Damaged:
            # Never read a damaged file silently: rerunning the sweep recomputes it.
            failures.append(
                {
                    "cell": folder.name,
                    "error": "results damaged on disk (checksum mismatch); rerun the sweep to recompute this cell",
                }
            )
            continue
        except (OSError, ValueError, KeyError, TypeError) as exc:
            failures.append({"cell": folder.name, "error": f"unreadable results: {exc}"})
            continue
        _VERIFIED[str(folder)] = (stats, rows)
        frames.append(rows)
    for err in sorted(root.glob(f"*/{ERROR}")):
        if (err.parent / RESULT).is_file():
            continue
        try:
            failures.append(json.loads(err.read_text()))
        except (OSError, ValueError):
            failures.append({"cell": err.parent.name, "error": "unreadable error record"})
    if not frames:
        return pd.DataFrame(), failures
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["cell", "replication"], kind="stable").reset_index(drop=True)
    return out, failures


def summarize(root: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Rebuild ``summary.parquet`` at the sweep root from the cell folders."""
    root = Path(root)
    with _locked(root):
        table, failures = collect(root)
        if not table.empty:
            write_parquet(root / SUMMARY, table)
    return table, failures


def keep_summary(root: Path, done: threading.Event, every: float = 5.0) -> None:
    """While a sweep runs: keep ``summary.parquet`` current, until ``done`` is set.

    Runs in a thread of the launching process (:class:`SweepCallback`), whatever the
    launcher. Every second it reads and verifies the cells finished since (each once:
    :func:`collect` keeps what it has verified), so that the summary at the end reads
    only the last ones; every ``every`` seconds, or ten times what a rebuild takes if
    that is longer (so that keeping the summary readable never costs more than a tenth
    of the sweep), it rewrites ``summary.parquet``. Best effort: the summary at the end
    is written in any case.
    """
    try:
        import pandas  # noqa: F401  (loaded here, not at the end of the sweep)
        import pyarrow.parquet  # noqa: F401

        last, cost = time.monotonic(), 0.0
        while not done.wait(1.0):
            if time.monotonic() - last < max(every, 10.0 * cost):
                collect(root)
                continue
            t0 = time.monotonic()
            summarize(root)
            last = time.monotonic()
            cost = last - t0
    except Exception:
        pass
