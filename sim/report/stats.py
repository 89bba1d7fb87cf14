"""The report's numbers, computed from ``summary.parquet`` (and rounds files for time series).

Every interval is a 95% interval over worlds that stays within what the column can
be (:mod:`sim.report.intervals`). Differences are paired: option minus baseline in
the same world (common random numbers), then averaged.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.report import intervals
from sim.report.data import Sweep
from sim.run import ACCOUNT

# Columns the tables carry: the public account, then the outcomes a reader asks about.
OUTCOMES = ["harm", "evasion_rate", "trust", "data_shared", "misallocation", "privacy_exposure"]
SERIES = ["legitimacy", "trust", "evasion_rate", "data_shared", "misallocation"]
DENSITY = 0.8  # a PRIM box is kept when at least this share of its points are cases of interest
# SALib's bootstrap seed; not 0, which SALib's sobol.analyze takes for "no seed" (`if seed:`).
BOOTSTRAP_SEED = 1


def _columns(table: pd.DataFrame) -> list[str]:
    return [c for c in ACCOUNT + OUTCOMES if c in table.columns]


def _stats_row(values: np.ndarray, col: str, prefix: str = "") -> dict[str, float]:
    """Mean and interval of a level (``prefix`` empty) or of paired differences (``diff_``), with their sd."""
    m, lo, hi = (intervals.difference if prefix else intervals.level)(values, col)
    row = {f"{prefix}{col}_mean": m, f"{prefix}{col}_ci95_low": lo, f"{prefix}{col}_ci95_high": hi}
    if prefix:
        sd = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
        row[f"{prefix}{col}_sd"] = sd
        needed = intervals.replications_needed(sd, m)
        row[f"{prefix}{col}_needed"] = math.nan if needed is None else needed
    return row


def account(sw: Sweep) -> pd.DataFrame:
    """Per option: worlds ``n`` and, per column, the mean and 95% interval of the run totals."""
    rows = []
    for opt, grp in sw.table.groupby("option", sort=False):
        row: dict[str, Any] = {"option": opt, **sw.options.set_index("option").loc[opt, sw.dims].to_dict()}
        row["n"] = len(grp)
        for col in _columns(sw.table):
            row.update(_stats_row(grp[col].to_numpy(dtype=float), col))
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values("public_value_mean", ascending=False, kind="stable").reset_index(drop=True)


def paired(sw: Sweep, base_of: dict[str, str]) -> pd.DataFrame:
    """Per option with a baseline: mean, 95% interval and sd of (option - baseline) per world.

    ``diff_{col}_needed`` is the number of paired worlds that would tell that mean
    difference from 0 with 80% power (NaN: none would, the difference is 0).
    """
    rows = []
    cols = _columns(sw.table)
    for opt, base in base_of.items():
        a = sw.table[sw.table.option == opt]
        b = sw.table[sw.table.option == base]
        m = a.merge(b, on=sw.worlds, suffixes=("", "__base"))
        if m.empty:
            continue
        row: dict[str, Any] = {"option": opt, "baseline": base, "n_pairs": len(m)}
        for col in cols:
            row.update(_stats_row((m[col] - m[f"{col}__base"]).to_numpy(dtype=float), col, "diff_"))
        for col, values in _contributions(sw, opt, m).items():
            row[f"contribution_{col}"] = float(np.mean(values))
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["option", "baseline", "n_pairs"])
    out = pd.DataFrame(rows)
    return out.sort_values("diff_public_value_mean", ascending=False, kind="stable").reset_index(drop=True)


def difference(sw: Sweep, a: str, b: str, col: str = "public_value") -> tuple[float, float, float, int]:
    """Paired mean difference a - b of one column over shared worlds, with its interval and n."""
    d = _pairs(sw, a, b, col)
    return (*intervals.difference(d, col), len(d))


def _pairs(sw: Sweep, a: str, b: str, col: str) -> np.ndarray:
    """Per shared world, ``col`` of option a minus that of option b."""
    x = sw.table[sw.table.option == a]
    y = sw.table[sw.table.option == b]
    m = x.merge(y, on=sw.worlds, suffixes=("", "__b"))
    return (m[col] - m[f"{col}__b"]).to_numpy(dtype=float)


def against(sw: Sweep, option: str, others: list[str], col: str = "public_value") -> pd.DataFrame:
    """Paired differences ``option - other`` of one column, for each other option.

    Returns:
        One row per other option: ``other``, ``mean``, ``low``, ``high`` (95%
        interval), ``n`` (paired worlds), ``sd`` (of the per-world differences) and
        ``needed`` (paired worlds that would tell this mean difference from 0 with 80%
        power, :func:`~sim.report.intervals.replications_needed`; None if none would).
    """
    rows = []
    for other in others:
        d = _pairs(sw, option, other, col)
        m, lo, hi = intervals.difference(d, col)
        sd = float(np.std(d, ddof=1)) if len(d) > 1 else math.nan
        rows.append(
            {
                "other": other,
                "mean": m,
                "low": lo,
                "high": hi,
                "n": len(d),
                "sd": sd,
                "needed": intervals.replications_needed(sd, m),
            }
        )
    return pd.DataFrame(rows, columns=["other", "mean", "low", "high", "n", "sd", "needed"])


def ranking(sw: Sweep, metric: str = "public_value") -> pd.DataFrame:
    """Options ranked by mean ``metric``, with the probability each is best.

    The probability of being best is the share of worlds (run by every option) in
    which the option has the highest ``metric``; ties share the win equally. The
    mean rank is over the same worlds (1 = best).
    """
    wide = sw.table.pivot_table(index=sw.worlds, columns="option", values=metric, aggfunc="first", sort=False)
    wide = wide.dropna()  # worlds every option has run (a sweep may still be running)
    vals = wide.to_numpy(dtype=float)
    best = vals == vals.max(axis=1, keepdims=True)
    p_best = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
    ranks = pd.DataFrame(vals).rank(axis=1, ascending=False, method="average").to_numpy().mean(axis=0)
    out = pd.DataFrame(
        {
            "option": list(wide.columns),
            f"{metric}_mean": vals.mean(axis=0),
            "p_best": p_best,
            "mean_rank": ranks,
            "n_worlds": len(wide),
        }
    )
    out = out.sort_values(f"{metric}_mean", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def changes(sw: Sweep, options: list[str]) -> dict[str, list[int]]:
    """Per option, the rounds after which its schedule changes a setting (``summary.json``'s ``schedule``)."""
    out: dict[str, list[int]] = {}
    for opt in options:
        for cell in sw.options.set_index("option").loc[opt, "cells"]:
            rounds = sorted({int(c["round"]) for c in sw.cell_summary(cell).get("schedule", []) if "round" in c})
            if rounds:
                out[opt] = rounds
                break
    return out


def series(sw: Sweep, options: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Per option and round: mean and 95% interval over worlds of the time-series columns.

    Returns:
        (long table with option, round, column, mean, ci95_low, ci95_high, n; cells
        whose rounds.parquet could not be read).
    """
    rows, missing = [], []
    for opt in options:
        frames = []
        for cell in sw.options.set_index("option").loc[opt, "cells"]:
            try:
                path = sw.root / cell / "rounds.parquet"
                frames.append(pd.read_parquet(path, columns=["replication", "round", *SERIES]))
            except Exception:  # a damaged or missing cell file: note it, keep the others
                missing.append(cell)
        if not frames:
            continue
        df = pd.concat(frames, ignore_index=True)
        for (rnd,), grp in df.groupby(["round"], sort=True):
            for col in SERIES:
                m, lo, hi = intervals.level(grp[col].to_numpy(dtype=float), col)
                rows.append(
                    {
                        "option": opt,
                        "round": int(rnd),
                        "column": col,
                        "mean": m,
                        "ci95_low": lo,
                        "ci95_high": hi,
                        "n": len(grp),
                    }
                )
    return pd.DataFrame(rows), missing


def heatmap(frame: pd.DataFrame, x: str, y: str, column: str, bins: int = 5) -> pd.DataFrame:
    """Mean of ``column`` over the values of two dimensions (numeric ones with many values binned).

    Returns:
        Long table with x, y, mean, n (x and y are the values or the bin labels).
    """
    f = frame[[x, y, column]].copy()
    for d in (x, y):
        if pd.api.types.is_numeric_dtype(f[d]) and f[d].nunique() > 8:
            cut = pd.qcut(f[d], bins, duplicates="drop")
            f[d] = cut.cat.rename_categories([f"{iv.left:.3g}–{iv.right:.3g}" for iv in cut.cat.categories])
    g = f.groupby([x, y], sort=True, observed=True)[column].agg(["mean", "count"]).reset_index()
    return g.rename(columns={"count": "n"})


def per_sample(sw: Sweep, option: str, base: str, metric: str = "public_value") -> pd.DataFrame:
    """A sampled experiment: per design point, the drawn values and the mean paired difference.

    Returns:
        One row per ``sampling.sample``: the parameters, ``diff`` (mean over
        replications of option - baseline), ``diff_var`` (its variance over
        replications) and ``n`` (replications paired).
    """
    a = sw.table[sw.table.option == option]
    b = sw.table[sw.table.option == base]
    m = a.merge(b, on=sw.worlds, suffixes=("", "__b"))
    m["d"] = m[metric] - m[f"{metric}__b"]
    g = m.groupby("sampling.sample", sort=True)
    out = g[sw.params].first()
    out["diff"] = g["d"].mean()
    out["diff_var"] = g["d"].var(ddof=1)
    out["n"] = g["d"].size()
    return out.reset_index()


def _prim_box(x: pd.DataFrame, y: np.ndarray) -> dict[str, Any] | None:
    """One PRIM box for the cases ``y`` (ema-workbench), chosen on the peeling trajectory.

    The target density is at least :data:`DENSITY` and at least halves the share of
    other cases (``max(0.8, (1 + base rate) / 2)``). The box kept is the one with the
    highest coverage among those reaching it (else the densest). Its restrictions whose
    quasi-p value is above 0.05 on both sides are dropped (they add no significant
    density), and coverage, density and mass are then recomputed from the points.
    """
    if y.sum() < 3 or (~y).sum() < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional-dependency notices at import
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(
            x.reset_index(drop=True), y.astype(bool), threshold=0.5, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05
        )
        box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    density = traj["k"] / traj["n"]
    coverage = traj["k"] / y.sum()
    target = max(DENSITY, (1 + y.mean()) / 2)
    ok = density >= target
    i = int(coverage[ok].idxmax() if ok.any() else density.idxmax())
    lims = box.box_lims[i]
    qp = box.qp[i] if i < len(box.qp) else {}
    restricted, dropped = [], []
    inside = np.ones(len(x), dtype=bool)
    for name in x.columns:
        lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        full_lo, full_hi = float(x[name].min()), float(x[name].max())
        if lo <= full_lo and hi >= full_hi:
            continue
        q = [v if v >= 0 else None for v in qp.get(name, [-1, -1])]
        entry = {
            "parameter": name,
            "low": max(lo, full_lo),
            "high": min(hi, full_hi),
            "range_low": full_lo,
            "range_high": full_hi,
            "qp_low": q[0],
            "qp_high": q[1],
        }
        if any(v is not None and v <= 0.05 for v in q):
            restricted.append(entry)
            inside &= (x[name].to_numpy() >= entry["low"]) & (x[name].to_numpy() <= entry["high"])
        else:
            dropped.append(name)
    return {
        "coverage": float(y[inside].sum() / y.sum()),
        "density": float(y[inside].mean()),
        "mass": float(inside.mean()),
        "restricted": restricted,
        "dropped": dropped,
        "target": float(target),
        "base_rate": float(y.mean()),
        "reaches_density": bool(y[inside].mean() >= target),
    }


def discovery(ps: pd.DataFrame, params: list[str]) -> dict[str, Any]:
    """Scenario discovery (PRIM) of where the option beats its baseline, and where it loses."""
    x = ps[params].astype(float)
    wins = ps["diff"].to_numpy() > 0
    return {"wins": _prim_box(x, wins), "losses": _prim_box(x, ~wins), "share_wins": float(wins.mean()), "n": len(ps)}


def sensitivity(ps: pd.DataFrame, sampling: dict[str, Any]) -> dict[str, Any] | None:
    """Global sensitivity (SALib) of the per-sample mean difference, by the experiment's design.

    sobol: first-order and total Sobol' indices; morris: mu* and sigma of elementary
    effects; lhs: first-order indices by RBD-FAST. Each with its 95%
    bootstrap half-width. Returns None unless every design point has a result.
    """
    from sim.config import SamplingConfig
    from sim.sampling import design_matrix, n_points, problem

    cfg = SamplingConfig(**{k: v for k, v in sampling.items() if k in SamplingConfig.__dataclass_fields__})
    prob = problem(cfg)
    total = n_points(cfg.design, cfg.samples, prob["num_vars"])
    ys = ps.set_index("sampling.sample")["diff"].reindex(range(total))
    if ys.isna().any():
        return {"complete": False, "have": int(ys.notna().sum()), "total": total, "design": cfg.design}
    y = ys.to_numpy(dtype=float)
    x = np.asarray(design_matrix(cfg))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cfg.design == "sobol":
            from SALib.analyze import sobol

            r = sobol.analyze(
                prob, y, calc_second_order=False, num_resamples=1000, conf_level=0.95, seed=BOOTSTRAP_SEED
            )
            cols = {"S1": r["S1"], "S1_conf": r["S1_conf"], "ST": r["ST"], "ST_conf": r["ST_conf"]}
            key = "ST"
        elif cfg.design == "morris":
            from SALib.analyze import morris

            r = morris.analyze(
                prob, x, y, num_resamples=1000, conf_level=0.95, num_levels=cfg.levels, seed=BOOTSTRAP_SEED
            )
            cols = {"mu_star": r["mu_star"], "mu_star_conf": r["mu_star_conf"], "sigma": r["sigma"], "mu": r["mu"]}
            key = "mu_star"
        else:
            # RBD-FAST works on any sample; Borgonovo's delta was too noisy at these sizes.
            from SALib.analyze import rbd_fast

            r = rbd_fast.analyze(prob, x, y, num_resamples=1000, conf_level=0.95, seed=BOOTSTRAP_SEED)
            cols = {"S1": r["S1"], "S1_conf": r["S1_conf"]}
            key = "S1"
    table = pd.DataFrame({"parameter": prob["names"], **{k: np.asarray(v, dtype=float) for k, v in cols.items()}})
    table = table.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
    # Share of the spread of the per-sample differences that is replication noise:
    # the mean sampling variance of a per-sample mean over the variance of those means.
    noise = float(np.nanmean(ps["diff_var"] / ps["n"]) / np.var(y, ddof=1)) if np.var(y) > 0 else float("nan")
    return {"complete": True, "design": cfg.design, "key": key, "table": table, "noise_share": noise, "total": total}


WEIGHT_DEFAULTS = {
    "cost": -1.0,
    "benefit": 1.0,
    "negative_side_effects": -1.0,
    "positive_side_effects": 1.0,
    "legitimacy": 500.0,
}


def _contributions(sw: Sweep, option: str, m: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per paired world: what each account component adds to the public-value difference (kEUR).

    Flows count ``weight x difference of run totals``; legitimacy counts ``weight x
    rounds x difference of mean legitimacy`` (its run total is a mean over rounds).
    Weights and rounds come from the option's cell config, or from the table where a
    sweep varies or samples them (e.g. ``weights.legitimacy``), so the contributions
    add up to the public-value difference.
    """
    cfg = sw.cell_summary(sw.options.set_index("option").loc[option, "cells"][0]).get("config", {})
    weights = {**WEIGHT_DEFAULTS, **cfg.get("weights", {})}
    out = {}
    for c in ACCOUNT[:5]:
        w = m[f"weights.{c}"].to_numpy(dtype=float) if f"weights.{c}" in m.columns else weights[c]
        d = (m[c] - m[f"{c}__base"]).to_numpy(dtype=float)
        if c == "legitimacy":
            rounds = (
                m["run.rounds"].to_numpy(dtype=float)
                if "run.rounds" in m.columns
                else cfg.get("run", {}).get("rounds", float("nan"))
            )
            d = d * rounds
        out[c] = w * d
    return out
