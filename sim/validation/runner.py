"""What every validation case is made of: its rows, its result, its group, and the runner.

A case group (:class:`Group`) computes its rows (:class:`Row`) and figure
(:class:`GroupResult`) with a :class:`Runner`, which maps work onto worker processes
and keeps the results that groups share (the essay claims' cells). Every case runs
the model itself -- :class:`sim.model.GovernanceModel` or :func:`sim.run.run` -- on a
validated scenario of ``scenarios/validation/`` (:func:`scenario`); the helpers here
run its replications in chunks, one chunk per worker call.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import SimConfig
from sim.run import run

# sim.hydra_conf (Hydra) and sim.model (Numba, Mesa) are imported in the functions that
# use them, for start-up time: `sim validate --list`, `--help` and bad input answer at once.


@dataclass
class Row:
    """One row of the validation table.

    Attributes:
        case: Short label, e.g. ``1a``.
        title: What is checked.
        source: Where the expected result comes from.
        setup: The reduced configuration, in words.
        expected: The published (or claimed) result with its tolerance.
        measured: What the model gave.
        passed: Whether the measured value is within the tolerance.
        gap: If it fails: what the model would need (empty if it passes).
    """

    case: str
    title: str
    source: str
    setup: str
    expected: str
    measured: str
    passed: bool
    gap: str = ""


@dataclass
class GroupResult:
    """The rows and the figure of one group of cases."""

    rows: list[Row]
    figure: Any  # a matplotlib Figure
    claim: str = ""  # the essay's claim (claim groups)
    detail: str = ""  # how to read the measurement
    seconds: float = 0.0


@dataclass(frozen=True)
class Group:
    """Cases that share their runs and one figure.

    Attributes:
        key: Name used on the command line (``--cases``) and for the figure file.
        title: Section heading in the report.
        scenarios: Scenario files (under ``scenarios/validation/``) or presets used.
        fast: Runs without ``--full`` and in the test suite.
        run: Computes the group's rows and figure.
    """

    key: str
    title: str
    scenarios: tuple[str, ...]
    fast: bool
    run: Callable[[Runner], GroupResult]


class Runner:
    """Runs work in-process or on a pool of worker processes; keeps shared results."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        # The essay claims' cells, run once for all claims (sim.validation.cases.essay_claims).
        self.claim_frames: dict[tuple[str, ...], pd.DataFrame] | None = None
        self.claim_seconds = 0.0

    def map(self, fn: Callable[..., Any], items: Sequence[tuple]) -> list[Any]:
        """``[fn(*args) for args in items]``, on the worker processes if there are several."""
        if self.jobs <= 1 or len(items) <= 1:
            return [fn(*args) for args in items]
        if self._pool is None:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context(method))
        return list(self._pool.map(_call, [(fn, args) for args in items]))

    def close(self) -> None:
        """Shut the worker processes down."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _call(fn_args: tuple[Callable[..., Any], tuple]) -> Any:
    fn, args = fn_args
    return fn(*args)


def scenario(name: str, *overrides: str) -> SimConfig:
    """The validated config of ``scenarios/validation/<name>.yaml`` with overrides."""
    from sim.hydra_conf import load

    return load([f"arrangement=validation/{name}", *overrides])


def chunks(n: int, jobs: int) -> list[list[int]]:
    """Replication indices 0..n-1 in contiguous chunks, a few per worker."""
    parts = max(1, min(n, 4 * jobs))
    return [c.tolist() for c in np.array_split(np.arange(n), parts) if c.size]


def rep_frame(cfg: SimConfig, reps: list[int]) -> pd.DataFrame:
    """Rounds of some replications of a config (the rows ``sim.run.run`` makes), in a worker."""
    from sim.model import simulate

    logging.getLogger("MESA").setLevel(logging.WARNING)
    rows = []
    for rep in reps:
        for row in simulate(cfg, rep, parallel=False):
            row["replication"] = rep
            rows.append(row)
    return pd.DataFrame(rows)


def run_frame(cfg: SimConfig) -> pd.DataFrame:
    """All replications of a config (``sim.run.run``), in a worker."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return run(cfg, parallel=False)
