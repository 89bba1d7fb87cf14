"""Reading a sweep folder for the report: checks, options, worlds, baselines.

Vocabulary used throughout the report:

* an **option** is one combination of the swept choices a decision maker controls
  (role, regime, analytics, any other swept key), e.g. ``role=co_producer, regime=open``;
* a **world** is one draw of everything else: a replication, and in a sampled
  experiment also the design point (``sampling.sample``). Cells that share
  ``run.seed`` share their worlds (common random numbers), so options can be
  compared world by world (paired).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import ANALYTICS_LEVELS, PHASES, REGIME_PRESET_PHASES, ROLES
from sim.glossary import option_name
from sim.run import ACCOUNT

SUMMARY = "summary.parquet"
# Columns collect() (sim/sweep/summary.py) writes first, before any swept key.
CHOICES = ["arrangement", "role", "regime", "framing", "collection", "interpretation", "use", "analytics"]
FIXED_HEAD = ["cell", *CHOICES, "seed"]
REQUIRED = ["cell", *CHOICES, "replication", *ACCOUNT]
SAMPLE = "sampling.sample"
PRESET_OF = {v: k for k, v in REGIME_PRESET_PHASES.items()}  # preset name -> phases


class SweepError(Exception):
    """A sweep folder the report cannot use; the message says what is expected."""


@dataclass
class Sweep:
    """A sweep's summary table with its options and worlds.

    Attributes:
        root: The sweep folder.
        table: ``summary.parquet`` plus an ``option`` column (the option's label).
        dims: Columns whose values make up an option, in display order.
        worlds: Columns that identify a world (``replication``; in a sampled
            experiment also ``sampling.sample``; ``seed`` if it varies).
        params: Drawn parameter columns of a sampled experiment.
        sampling: The ``sampling`` config section of a sampled experiment.
        options: One row per option: its dims, label and cells.
    """

    root: Path
    table: pd.DataFrame
    dims: list[str]
    worlds: list[str]
    params: list[str] = field(default_factory=list)
    sampling: dict[str, Any] | None = None
    options: pd.DataFrame = field(default_factory=pd.DataFrame)
    _names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sampled(self) -> bool:
        """True for a sampled experiment (uncertain parameters drawn per cell)."""
        return self.sampling is not None and bool(self.params)

    def name(self, option: str) -> str:
        """The option's readable name, e.g. ``director, open creation / closed use`` (:func:`sim.glossary.option_name`).

        The label (``role=director, regime=open_creation_closed_use``) stays what the
        tables' CSV files and ``--series`` use; the name is what the report shows.
        """
        if not self._names:
            self._names.update(
                (r["option"], option_name({d: r[d] for d in self.dims})) for _, r in self.options.iterrows()
            )
        return self._names[option]

    def cell_summary(self, cell: str) -> dict[str, Any]:
        """The ``summary.json`` of one cell (empty if unreadable)."""
        try:
            return json.loads((self.root / cell / "summary.json").read_text())
        except (OSError, ValueError):
            return {}


def _expected(root: Path) -> str:
    return (
        f"Expected a sweep folder, made by `python -m sim -m ...` or `python -m sim experiment=...`, "
        f"holding {SUMMARY} (one row per cell x replication) and one folder per cell, "
        f"e.g. results/sweeps/roles/overlast."
    )


def read_table(root: Path) -> pd.DataFrame:
    """Read and check ``<root>/summary.parquet``.

    Raises:
        SweepError: a missing folder, a folder that is not a sweep, or a missing,
            unreadable or malformed summary.parquet. The message names the folder
            and what is expected.
    """
    root = Path(root)
    if not root.exists():
        raise SweepError(f"{root} does not exist. {_expected(root)}")
    if not root.is_dir():
        raise SweepError(f"{root} is a file, not a folder. {_expected(root)}")
    path = root / SUMMARY
    has_cells = any(root.glob("*/result.json"))
    if not path.is_file():
        if has_cells:
            raise SweepError(
                f"{root} holds sweep cells but no {SUMMARY} (the sweep may have been stopped before its end). "
                f"Rebuild it with `sim sweep summarize {root}`, then run the report again."
            )
        raise SweepError(f"{root} is not a sweep folder: it has no {SUMMARY} and no cell folders. {_expected(root)}")
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path).to_pandas()
    except Exception as exc:  # pyarrow raises several types for truncated or foreign files
        raise SweepError(
            f"{path} is not a readable Parquet file (truncated, empty or another format: {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no detail'}). "
            f"Rebuild it from the cell folders with `sim sweep summarize {root}`."
        ) from None
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise SweepError(
            f"{path} is not a sweep summary: it lacks the column(s) {', '.join(missing)}. "
            f"Expected the table `sim sweep summarize` writes (cell, the choices, replication and the run totals "
            f"of the public account). Rebuild it with `sim sweep summarize {root}`."
        )
    if table.empty:
        raise SweepError(f"{path} has no rows: no cell of the sweep has finished yet. {_expected(root)}")
    dup = table.duplicated(["cell", "replication"])
    if dup.any():
        raise SweepError(
            f"{path} is malformed: {int(dup.sum())} duplicate (cell, replication) rows. "
            f"Rebuild it with `sim sweep summarize {root}`."
        )
    for col in ACCOUNT:
        if not pd.api.types.is_numeric_dtype(table[col]):
            raise SweepError(f"{path} is malformed: column {col} is not numeric. Rebuild it: `sim sweep summarize`.")
    return table


def _head(table: pd.DataFrame) -> list[str]:
    cols = list(table.columns)
    return cols[: cols.index("config_hash")] if "config_hash" in cols else [c for c in FIXED_HEAD if c in cols]


def _varies(table: pd.DataFrame, col: str) -> bool:
    return table[col].nunique(dropna=False) > 1


def load(root: Path) -> Sweep:
    """Read a sweep folder into a :class:`Sweep`.

    Raises:
        SweepError: see :func:`read_table`.
    """
    root = Path(root)
    table = read_table(root)
    head = _head(table)
    sampling = None
    params: list[str] = []
    if SAMPLE in table.columns:
        first = table["cell"].iloc[0]
        try:
            cfg = json.loads((root / first / "summary.json").read_text())["config"]
            sampling = cfg["sampling"]
        except (OSError, ValueError, KeyError, TypeError):
            raise SweepError(
                f"{root / first / 'summary.json'} is missing or unreadable; the report needs it to know the "
                f"sampled experiment's design. Rerun the sweep command to repair the cell."
            ) from None
        params = [k for k in sampling.get("parameters", {}) if k in table.columns]
    # Regime: by preset name unless mixtures ("custom") occur; then by phase.
    phases = [p for p in PHASES if _varies(table, p)]
    regime_dims = ["regime"] if phases and "custom" not in set(table["regime"]) else phases
    extras = [
        c
        for c in head
        if c not in FIXED_HEAD
        and c not in params
        and c != SAMPLE
        and not c.startswith("regime.")
        and c not in ("run.seed",)
        and _varies(table, c)
    ]
    dims = [c for c in ("arrangement", "role") if _varies(table, c)] + regime_dims
    dims += [c for c in ("analytics",) if _varies(table, c)] + extras
    worlds = (["seed"] if _varies(table, "seed") else []) + ([SAMPLE] if SAMPLE in table.columns else [])
    worlds.append("replication")
    table = table.copy()
    table["option"] = label_frame(table, dims)
    dup = table.duplicated(["option", *worlds])
    if dup.any():
        raise SweepError(
            f"{root / SUMMARY}: the cells cannot be told apart by their swept choices ({', '.join(dims) or 'none'}); "
            f"{int(dup.sum())} rows repeat an option and world. Expected one cell per combination of swept values."
        )
    options = (
        table.groupby("option", sort=False)
        .agg(**{d: (d, "first") for d in dims}, cells=("cell", lambda s: sorted(set(s))))
        .reset_index()
    )
    return Sweep(root, table, dims, worlds, params, sampling, options)


# Display order of choice values: most open to most closed, roles and levels as in the essay.
ORDER = {
    "regime": ["open", "open_creation_closed_use", "closed_creation_open_use", "closed", "custom"],
    **{p: ["open", "restricted", "closed"] for p in PHASES},
    "role": list(ROLES),
    "analytics": list(ANALYTICS_LEVELS),
}


def ordered(dim: str, values: Any) -> list[Any]:
    """Distinct values of a dimension in display order (known choices, else numeric or text order)."""
    vals = list(dict.fromkeys(values))
    known = ORDER.get(dim)
    if known:
        return sorted(vals, key=lambda v: (known.index(v) if v in known else len(known), str(v)))
    try:
        return sorted(vals, key=float)
    except (TypeError, ValueError):
        return sorted(vals, key=str)


def label_frame(table: pd.DataFrame, dims: list[str]) -> pd.Series:
    """The option label of every row, e.g. ``role=co_producer, regime=open``."""
    if not dims:
        return pd.Series(["all cells"] * len(table), index=table.index)
    return table[dims].astype(str).apply(lambda r: ", ".join(f"{d}={v}" for d, v in zip(dims, r, strict=True)), axis=1)


def parse_spec(spec: str) -> dict[str, str]:
    """``"role=regulator,regime=closed"`` -> ``{"role": "regulator", "regime": "closed"}``.

    Raises:
        ValueError: a part without ``=``.
    """
    out: dict[str, str] = {}
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise ValueError(f"{part!r} is not key=value")
        out[key.strip()] = value.strip()
    return out


def _same(a: Any, b: str) -> bool:
    """Compare a table value with a value typed on the command line (numbers as numbers)."""
    if str(a) == b:
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def select(sw: Sweep, spec: dict[str, str]) -> list[str]:
    """Labels of the options whose dims match every ``key=value`` of ``spec``.

    Raises:
        ValueError: a key that is not a swept dimension of this sweep.
    """
    for key in spec:
        if key not in sw.dims:
            raise ValueError(f"{key!r} is not a swept choice of this sweep (swept: {', '.join(sw.dims) or 'none'})")
    hit = sw.options
    for key, value in spec.items():
        hit = hit[hit[key].map(lambda v, value=value: _same(v, value))]
    return list(hit["option"])


def baselines(sw: Sweep, spec: dict[str, str]) -> dict[str, str]:
    """Each option's baseline option under a baseline spec such as ``regime=closed``.

    The baseline of an option is the option with the same swept values except those
    the spec sets (``regime=closed``: the closed regime of the same role). ``regime``
    also sets the phases when the sweep varies them one by one. Options that are
    their own baseline, or whose baseline was not run, are left out.

    Raises:
        ValueError: a spec key that is neither swept nor fixed at that value, or a
            swept key at a value the sweep did not run.
    """
    sets: dict[str, str] = {}
    for key, value in spec.items():
        if key in sw.dims:
            ran = list(dict.fromkeys(str(v) for v in sw.options[key]))
            if not any(_same(v, value) for v in ran):
                raise ValueError(f"{key}={value} cannot pick a baseline: this sweep ran {key}={', '.join(ran)}")
            sets[key] = value
        elif key == "regime" and any(p in sw.dims for p in PHASES):
            if value not in PRESET_OF:
                raise ValueError(f"regime={value} is not a preset (allowed: {', '.join(PRESET_OF)})")
            for phase, setting in zip(PHASES, PRESET_OF[value], strict=True):
                if phase in sw.dims:
                    sets[phase] = setting
        elif key in sw.table.columns and sw.table[key].astype(str).eq(value).all():
            continue  # fixed in this sweep at the asked value: nothing to change
        else:
            raise ValueError(
                f"{key}={value} cannot pick a baseline: {key} is not swept here (swept: {', '.join(sw.dims) or 'none'})"
            )
    out: dict[str, str] = {}
    by_values = {tuple(str(r[d]) for d in sw.dims): r["option"] for _, r in sw.options.iterrows()}
    for _, r in sw.options.iterrows():
        target = tuple(str(sets.get(d, r[d])) if d not in sets else _canon(sw, d, sets[d]) for d in sw.dims)
        base = by_values.get(target)
        if base is not None and base != r["option"]:
            out[r["option"]] = base
    return out


def _canon(sw: Sweep, dim: str, value: str) -> str:
    """The table's spelling of a command-line value (``0.4`` for ``0.40``)."""
    for v in sw.options[dim]:
        if _same(v, value):
            return str(v)
    return value
