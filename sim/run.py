"""The one entry point: ``run(config) -> DataFrame``.

The command line, the tests, sweeps and notebooks all call :func:`run`. It takes a
:class:`~sim.config.SimConfig`, a plain nested mapping, or an OmegaConf
``DictConfig`` (anything with the config's keys), validates it, and returns one row
per replication x round.

Importing this module is cheap (no pandas, Mesa or Numba): a sweep's launching
process only validates configurations (:func:`as_config`) and never runs one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import sampling  # a sampled experiment's index -> its drawn values (as_config)
from sim import schedule as policy_schedule  # changes during the run, checked before any work
from sim.config import ProblemConfig, SimConfig, from_mapping, to_dict, validate

if TYPE_CHECKING:
    import pandas as pd

# The public account, in the order the contract lists it.
ACCOUNT = ["cost", "benefit", "negative_side_effects", "positive_side_effects", "legitimacy", "public_value"]
# Columns whose run total is the sum over rounds (flows); the rest are averaged
# over rounds (rates, shares and states such as legitimacy and trust).
FLOWS = {
    "cost",
    "benefit",
    "negative_side_effects",
    "positive_side_effects",
    "public_value",
    "harm",
    "potential_harm",
    "violations",
    "caught",
    "innocents_checked",
    "government_units",
    "partner_units",
    "reusers",
    "false_discoveries",
    "partners_left",
    "partners_returned",
}
REQUIRED = [
    "replication",
    "round",
    "cost",
    "benefit",
    "negative_side_effects",
    "positive_side_effects",
    "legitimacy",
    "public_value",
    "harm",
    "evasion_rate",
    "data_shared",
    "misallocation",
    "privacy_exposure",
    "trust",
]


def as_config(config: Any, source: str = "") -> SimConfig:
    """Turn a SimConfig, mapping or DictConfig into a validated SimConfig."""
    if isinstance(config, SimConfig):
        return policy_schedule.check(sampling.apply(validate(config, source), source), source)
    if hasattr(config, "_metadata") and hasattr(config, "items"):  # OmegaConf DictConfig
        from omegaconf import OmegaConf

        config = OmegaConf.to_container(config, resolve=True)
    if not isinstance(config, Mapping):
        from sim.config import ConfigError

        raise ConfigError("<config>", type(config).__name__, "a SimConfig or a mapping", source)
    return policy_schedule.check(sampling.apply(validate(from_mapping(config, source), source), source), source)


def run(config: Any, parallel: bool | None = None) -> pd.DataFrame:
    """Run every replication of a configuration.

    Args:
        config: A :class:`SimConfig`, nested mapping or DictConfig.
        parallel: Force the parallel (True) or serial (False) population kernel;
            the numbers are identical either way.

    Returns:
        One row per replication x round, the contract's columns first.
    """
    import pandas as pd

    from sim.model import simulate

    cfg = as_config(config)
    _set_threads(cfg.run.threads)
    rows: list[dict[str, float]] = []
    first = cfg.run.first_replication
    for rep in range(first, first + cfg.run.replications):
        for row in simulate(cfg, rep, parallel=parallel):
            row["replication"] = rep
            rows.append(row)
    df = pd.DataFrame(rows)
    cols = REQUIRED + [c for c in df.columns if c not in REQUIRED]
    df = df[cols]
    df["replication"] = df["replication"].astype("int64")
    df["round"] = df["round"].astype("int64")
    return df


def _set_threads(threads: int) -> None:
    if threads > 0:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def run_totals(df: pd.DataFrame) -> pd.DataFrame:
    """One row per replication: sums of flows, means of rates and states.

    Every sum is exactly rounded (``math.fsum``), so a total does not depend on the
    order in which a library adds (pandas' grouped sums have changed between releases):
    the same rounds give the same totals, to the bit, with any pandas or NumPy.
    """
    import pandas as pd

    value_cols = [c for c in df.columns if c not in ("replication", "round")]
    reps = df["replication"].to_numpy()
    order = np.argsort(reps, kind="stable")
    keys, starts = np.unique(reps[order], return_index=True)
    ends = [*starts[1:].tolist(), len(reps)]
    columns: dict[str, Any] = {"replication": keys}
    for c in value_cols:
        values = df[c].to_numpy()[order]
        groups = [values[a:b].tolist() for a, b in zip(starts.tolist(), ends, strict=True)]
        if values.dtype.kind == "f" and np.isnan(values).any():  # skipped, as pandas skips them
            groups = [[v for v in g if v == v] for g in groups]
        if c in FLOWS:
            exact = values.dtype.kind in "iub"  # integer sums are exact as they are
            columns[c] = np.array([sum(g) if exact else math.fsum(g) for g in groups], dtype=values.dtype)
        else:
            columns[c] = np.array([math.fsum(g) / len(g) if g else math.nan for g in groups], dtype=np.float64)
    return pd.DataFrame(columns)


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of the mean over replications (NaN bounds if n < 2)."""
    # t.ppf(q, df) is special.stdtrit(df, q) (the same numbers); scipy.stats costs a
    # sweep worker ~0.4 s to import, for a dozen quantiles per cell.
    from scipy import special

    x = np.asarray(values, dtype=np.float64)
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    half = float(special.stdtrit(x.size - 1, 0.975) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


# Keys added after sweeps were hashed (essay table 4, sim.model.strategy), with their defaults.
_PRACTICE_DEFAULTS = {
    "exploration": 0.0,
    "selectivity": 0.0,
    "partner_learning": 0.0,
    "standard": 5.0,
    "intensify": 0.0,
}


def config_hash(cfg: SimConfig) -> str:
    """Stable hash of a resolved configuration (for provenance and resume)."""
    data = to_dict(cfg)
    data["run"].pop("threads", None)  # thread count never changes the numbers
    if data.get("sampling", {}).get("design") == "none":
        data.pop("sampling")  # keeps the hashes (and resumable sweeps) of unsampled configs as they were
    if not data.get("schedule"):
        data.pop("schedule", None)  # likewise for runs without a schedule
    for key, default in _PRACTICE_DEFAULTS.items():  # and for the working practice's knobs left off
        if data["government"].get(key) == default:
            data["government"].pop(key)
    if data.get("problem") == dataclasses.asdict(ProblemConfig()):
        data.pop("problem")  # and for runs without a problem structure
    blob = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def summarise(df: pd.DataFrame, cfg: SimConfig, totals: pd.DataFrame | None = None) -> dict[str, Any]:
    """The content of ``summary.json``: resolved choices and the public account.

    Each account component gets the mean and 95% interval over replications of the
    run total (sum over rounds; legitimacy and the other states: mean over rounds).
    ``totals`` is ``run_totals(df)`` where the caller has it already.
    """
    totals = run_totals(df) if totals is None else totals
    account: dict[str, Any] = {}
    for col in ACCOUNT + ["harm", "evasion_rate", "data_shared", "misallocation", "privacy_exposure", "trust"]:
        m, lo, hi = interval(totals[col].to_numpy())
        account[col] = {
            "mean": m,
            "ci95_low": None if math.isnan(lo) else lo,
            "ci95_high": None if math.isnan(hi) else hi,
            "total": "sum over rounds" if col in FLOWS else "mean over rounds",
        }
    return {
        "arrangement": cfg.arrangement.name,
        "role": cfg.role.name,
        "regime": {
            "name": cfg.regime.name,
            **{p: getattr(cfg.regime, p) for p in ("framing", "collection", "interpretation", "use")},
        },
        "analytics": cfg.analytics.name,
        **({"problem": cfg.problem.name} if cfg.problem != ProblemConfig() else {}),
        "seed": cfg.run.seed,
        "rounds": cfg.run.rounds,
        "replications": cfg.run.replications,
        "actors": cfg.world.actors,
        "unit": "kEUR (thousand euro) per run; legitimacy, rates and shares in [0, 1]",
        "account": account,
        **(
            {"sampled": {"design": cfg.sampling.design, "sample": cfg.sampling.sample, "values": sampling.drawn(cfg)}}
            if cfg.sampling.design != "none"
            else {}
        ),
        **({"schedule": _schedule_summary(cfg)} if cfg.schedule else {}),
        "config_hash": config_hash(cfg),
        "config": dataclasses.asdict(cfg),
    }


def _schedule_summary(cfg: SimConfig) -> list[dict[str, Any]]:
    """The schedule as it acts: after which round, the keys it sets (groups expanded), its shock."""
    return [
        {"round": c.after, "set": c.keys, **({"shock": c.shock} if c.shock else {}), "entry": c.index}
        for c in policy_schedule.resolve(cfg)
    ]


def _umask() -> int:
    """The process's file-creation mask, read without changing it where the OS allows."""
    try:  # Linux: no window in which other threads would create files under a changed mask
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename.

    The file gets the mode any new file would (0666 less the umask, usually 0644), not the
    temp file's private 0600: results are meant to be read by others (a team, a web server).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # (by name, after closing: os.fchmod is POSIX-only)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def unwritable(folder: Path) -> str | None:
    """Why ``folder`` could not be created and written, or None; creates nothing.

    Probes the nearest folder that exists (a temp file made and removed there), so
    that a command can refuse its output folder before any work.
    """
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a folder"
    try:
        fd, tmp = tempfile.mkstemp(dir=probe, prefix=".sim-write-probe.")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        return f"{probe} is not writable ({exc.strerror})"
    return None


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    """Write ``df`` (without its index) to ``path`` as Parquet, atomically (``write_atomic``)."""
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    write_atomic(path, buf.getvalue())


def write_outputs(df: pd.DataFrame, cfg: SimConfig, folder: Path) -> dict[str, Any]:
    """Write ``rounds.parquet`` and ``summary.json`` atomically into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "rounds.parquet", df)
    summary = summarise(df, cfg)
    write_atomic(folder / "summary.json", json.dumps(summary, indent=2).encode())
    return summary


def account_table(summary: Mapping[str, Any]) -> str:
    """The public account as a text table (what the command line prints)."""
    lines = []
    head = f"{'component':<24}{'mean':>14}{'95% interval':>30}"
    lines.append(head)
    lines.append("-" * len(head))
    for col, s in summary["account"].items():
        lo, hi = s["ci95_low"], s["ci95_high"]
        fmt = ",.4f" if abs(s["mean"]) < 10 else ",.1f"
        iv = f"[{lo:{fmt}}, {hi:{fmt}}]" if lo is not None else "(one replication)"
        lines.append(f"{col:<24}{s['mean']:>14{fmt}}{iv:>30}")
    return "\n".join(lines)
