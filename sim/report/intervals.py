"""The report's 95% intervals, which never leave what a result can be, and the replications a difference needs.

A share's mean lies in [0, 1] and a total of non-negative amounts is at least 0
(:data:`sim.glossary.BOUNDS`), but the plain t-interval (mean ± t·sd/√n) ignores that:
with three worlds it gave evasion rates below 0 and shares above 1. So:

- **Levels** (:func:`level`) of a bounded column use the t-interval on a scale that
  has no bound, mapped back (the delta method): the logit of ``(x - low) / (high -
  low)`` for a column with two bounds, the log of ``x - low`` for one with a lower
  bound only. The standard error on that scale is ``se / g'(mean)``. The interval is
  then asymmetric near a bound, stays strictly inside it, and agrees with the
  t-interval far from it; a mean at a bound (every world at 0) has a zero-width
  interval. Unbounded columns (public value) keep the t-interval.
- **Paired differences** (:func:`difference`) keep the t-interval of the per-world
  differences, which may rightly be negative, cut to the range a difference can take
  (``[low - high, high - low]``: within ±1 for shares; unbounded for totals).
- :func:`replications_needed`: how many paired worlds would tell a difference from 0
  with 80% power at the 5% level, from the observed paired standard deviation.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from sim.glossary import bounds

LEVEL = 0.95
POWER = 0.8
# Relative slack for values a rounding step put just outside their range (a share of 1 + 1e-16).
SLACK = 1e-9


def t_quantile(n: int, p: float = 0.5 + LEVEL / 2) -> float:
    """The ``p`` quantile of Student's t with ``n - 1`` degrees of freedom."""
    return float(special.stdtrit(n - 1, p))


def _checked(values: np.ndarray, column: str, low: float, high: float) -> np.ndarray:
    """The values, with rounding slack pulled back into ``[low, high]``; anything further out is refused."""
    scale = max(1.0, float(np.max(np.abs(values[np.isfinite(values)]), initial=0.0)))
    out = (values < low - SLACK * scale) | (values > high + SLACK * scale)
    if out.any():
        raise ValueError(
            f"{column} = {float(values[out][0])!r} is outside the range {column} can take, [{low}, {high}] "
            f"(sim.glossary.BOUNDS); the summary is damaged or the catalogue is wrong"
        )
    return np.clip(values, low, high)


def level(values: np.ndarray, column: str) -> tuple[float, float, float]:
    """Mean and 95% interval of the mean of one column over worlds, within the column's bounds.

    Returns:
        (mean, low, high); NaN bounds for fewer than two worlds.
    """
    low, high = bounds(column)
    x = _checked(np.asarray(values, dtype=np.float64), column, low, high)
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    t = t_quantile(x.size)
    if se == 0.0:
        return m, m, m
    finite_low, finite_high = math.isfinite(low), math.isfinite(high)
    if finite_low and finite_high:
        width = high - low
        p = (m - low) / width
        if 0.0 < p < 1.0:
            half = t * se / (width * p * (1.0 - p))
            g = float(special.logit(p))
            return m, low + width * float(special.expit(g - half)), low + width * float(special.expit(g + half))
    elif finite_low or finite_high:
        gap = m - low if finite_low else high - m
        if gap > 0.0:
            spread = math.exp(min(t * se / gap, 700.0))  # 700: exp stays finite
            near, far = gap / spread, gap * spread
            return (m, low + near, low + far) if finite_low else (m, high - far, high - near)
    # Unbounded, or a mean on a bound with spread (only through the slack above): the t-interval, cut.
    return m, max(low, m - t * se), min(high, m + t * se)


def difference(values: np.ndarray, column: str) -> tuple[float, float, float]:
    """Mean and 95% t-interval of per-world differences of one column, within the range a difference can take.

    Returns:
        (mean, low, high); NaN bounds for fewer than two pairs.
    """
    low, high = bounds(column)
    x = np.asarray(values, dtype=np.float64)
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    half = t_quantile(x.size) * float(x.std(ddof=1)) / math.sqrt(x.size)
    reach = high - low  # inf for a column with a missing bound
    return m, max(-reach, m - half), min(reach, m + half)


def replications_needed(sd: float, delta: float, power: float = POWER, most: int = 1_000_000) -> int | None:
    """Paired worlds needed to tell a mean difference ``delta`` from 0, for a paired t-test.

    The smallest n with ``n >= ((t(0.975, n-1) + t(power, n-1)) · sd / |delta|)²``: a
    two-sided test at the 5% level that detects ``delta`` with probability ``power``
    when the per-world differences have standard deviation ``sd``.

    Returns:
        The number of worlds (at least 2), or None when ``delta`` is 0 (no number is
        enough) or more than ``most`` would be needed.
    """
    if not math.isfinite(sd) or not math.isfinite(delta) or delta == 0.0:
        return None
    if sd == 0.0:
        return 2
    ratio = sd / abs(delta)

    def enough(n: int) -> bool:  # true from some n on: the right side falls as n grows
        return n >= ((t_quantile(n) + t_quantile(n, power)) * ratio) ** 2

    low = max(2, math.floor((special.ndtri(0.5 + LEVEL / 2) + special.ndtri(power)) ** 2 * ratio**2))
    high = low
    while not enough(high):
        if high > most:
            return None
        low, high = high, 2 * high
    while low < high:  # the smallest n in [low, high] that is enough
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid + 1, high)
    return high
