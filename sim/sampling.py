"""Sampled experiments: uncertain parameters drawn from a fixed design, one point per cell.

Hydra's basic sweeper only expands grids. A sampled experiment names its uncertain
parameters with their ranges in the ``sampling`` section of the config, picks a
design (Latin hypercube, Saltelli/Sobol' or Morris) and sweeps over the index
``sampling.sample``. When a config is resolved (:func:`sim.run.as_config` calls
:func:`apply`), the index is mapped to the design point's values, which then
replace those keys in the config. The design depends only on the ``sampling``
section (seed included), so every cell, process and rerun draws the same point for
the same index, and the cell's config hash covers the drawn values.

Example (``conf/experiment/sensitivity.yaml``)::

    sampling:
      design: sobol
      samples: 16                  # base N; points N x (D + 2)
      parameters:
        population.sophistication: [0.0, 0.8]
        weights.legitimacy: [0, 1000]
    hydra.sweeper.params: {regime: "open,closed", sampling.sample: "range(0,64)"}
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.config import ConfigError, SamplingConfig, SimConfig, validate

# Sections whose numbers may be sampled: everything but bookkeeping (run length,
# seeds, threads) and the sampling section itself.
_NOT_SAMPLED = ("run", "sampling", "arrangement")


def n_points(design: str, samples: int, d: int) -> int:
    """Number of design points for ``samples`` and ``d`` parameters.

    Args:
        design: ``lhs``, ``sobol`` or ``morris``.
        samples: lhs: the points; sobol: the base N; morris: the trajectories r.
        d: Number of uncertain parameters.

    Returns:
        lhs: ``samples``; sobol: ``samples x (d + 2)`` (first-order and total
        indices, no second order); morris: ``samples x (d + 1)``.
    """
    if design == "sobol":
        return samples * (d + 2)
    if design == "morris":
        return samples * (d + 1)
    return samples


def _field(key: str) -> dataclasses.Field:
    """The schema field of a dotted key such as ``population.sophistication``."""
    section, _, leaf = key.partition(".")
    fields = {f.name: f for f in dataclasses.fields(SimConfig)}
    if not leaf or "." in leaf or section not in fields or section in _NOT_SAMPLED:
        raise KeyError(key)
    sub = {f.name: f for f in dataclasses.fields(type(getattr(SimConfig(), section)))}
    f = sub.get(leaf)
    if f is None or f.type not in ("float", "int", float, int):
        raise KeyError(key)
    return f


def ranges(sampling: SamplingConfig, source: str = "") -> list[tuple[str, float, float]]:
    """Validated ``(key, low, high)`` of every uncertain parameter, in config order.

    Raises:
        ConfigError: a key that is not a numeric config key, a range that is not
            ``[low, high]`` with low < high, or one outside the key's allowed range.
    """
    if not isinstance(sampling.parameters, Mapping):
        raise ConfigError("sampling.parameters", sampling.parameters, "a mapping key -> [low, high]", source)
    out = []
    for key, rng in sampling.parameters.items():
        where = f"sampling.parameters.{key}"
        try:
            f = _field(str(key))
        except KeyError:
            raise ConfigError(
                where,
                rng,
                "a numeric key of world, population, government, partners, professionals, privacy, platform, "
                "valuation, legitimacy, weights, role, analytics (dotted, e.g. population.sophistication)",
                source,
            ) from None
        ok = (
            isinstance(rng, list | tuple)
            and len(rng) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v) for v in rng)
            and rng[0] < rng[1]
        )
        if not ok:
            raise ConfigError(where, rng, "[low, high], two numbers with low < high", source)
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        if (lo is not None and rng[0] < lo) or (hi is not None and rng[1] > hi):
            raise ConfigError(where, list(rng), f"a range inside [{lo:g}, {hi:g}] (the key's allowed values)", source)
        out.append((str(key), float(rng[0]), float(rng[1])))
    return out


def problem(sampling: SamplingConfig) -> dict[str, Any]:
    """The SALib problem definition of a sampling section."""
    r = ranges(sampling)
    return {"num_vars": len(r), "names": [k for k, _, _ in r], "bounds": [[lo, hi] for _, lo, hi in r]}


@functools.lru_cache(maxsize=16)
def _design(
    design: str, samples: int, seed: int, levels: int, spec: tuple[tuple[str, float, float], ...]
) -> np.ndarray:
    # Cached: every cell of a sweep resolves its config, so the design is built once per process.
    d = len(spec)
    lo = np.array([s[1] for s in spec])
    hi = np.array([s[2] for s in spec])
    if design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(samples)
        x = qmc.scale(unit, lo, hi)
    else:
        prob = {"num_vars": d, "names": [s[0] for s in spec], "bounds": [[s[1], s[2]] for s in spec]}
        if design == "sobol":
            from SALib.sample import sobol

            x = sobol.sample(prob, samples, calc_second_order=False, scramble=True, seed=seed)
        else:
            from SALib.sample import morris

            x = morris.sample(prob, samples, num_levels=levels, seed=seed)
    x.setflags(write=False)
    return x


def design_matrix(sampling: SamplingConfig) -> np.ndarray:
    """All design points (rows, in ``sample`` order) before integer keys are rounded."""
    spec = tuple(ranges(sampling))
    return _design(sampling.design, sampling.samples, sampling.seed, sampling.levels, spec)


def drawn(cfg: SimConfig) -> dict[str, float]:
    """The values the config's sample index stands for (integer keys rounded)."""
    s = cfg.sampling
    if s.design == "none":
        return {}
    row = design_matrix(s)[s.sample]
    out: dict[str, float] = {}
    for (key, _, _), value in zip(ranges(s), row, strict=True):
        out[key] = int(round(value)) if _field(key).type in ("int", int) else float(value)
    return out


def apply(cfg: SimConfig, source: str = "") -> SimConfig:
    """Check the sampling section and put the drawn values into the config.

    Args:
        cfg: A validated configuration.
        source: Where it came from, for error messages.

    Returns:
        ``cfg`` itself when nothing is sampled, else a validated copy with each
        uncertain parameter set to its value at ``sampling.sample``.

    Raises:
        ConfigError: a bad sampling section (see :func:`ranges`), too few samples
            (sobol: a power of 2), or a sample index beyond the design.
    """
    s = cfg.sampling
    if s.design == "none":
        if s.parameters:
            raise ConfigError("sampling.design", "none", "lhs, sobol or morris when sampling.parameters is set", source)
        return cfg
    spec = ranges(s, source)
    if not spec:
        raise ConfigError("sampling.parameters", {}, "at least one key -> [low, high] when a design is set", source)
    if s.samples < 1 or (s.design == "sobol" and s.samples & (s.samples - 1)):
        allowed = "a power of 2 (Sobol' balance)" if s.design == "sobol" else "an integer >= 1"
        raise ConfigError("sampling.samples", s.samples, allowed, source)
    total = n_points(s.design, s.samples, len(spec))
    if s.sample >= total:
        raise ConfigError(
            "sampling.sample", s.sample, f"0 to {total - 1} ({s.design} design of {total} points)", source
        )
    data = dataclasses.asdict(cfg)
    for key, value in drawn(cfg).items():
        section, _, leaf = key.partition(".")
        data[section][leaf] = value
    from sim.config import from_mapping

    return validate(from_mapping(data, source), source)
