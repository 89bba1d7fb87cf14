"""Tests of the report's pieces (sim/report): intervals, headline, the page in a browser.

``reference_level`` is the report's interval of a level written out here from its
definition (docs: the report's method note), with scipy.stats rather than sim's code.
"""

import math

import numpy as np
from scipy import stats


def reference_level(x, low, high):
    """Mean and 95% interval of the mean on the logit (two bounds) or log (lower bound) scale, delta method."""
    x = np.asarray(x, dtype=float)
    n, m = len(x), x.mean()
    se = x.std(ddof=1) / math.sqrt(n)
    t = stats.t.ppf(0.975, n - 1)
    if se == 0:
        return m, m, m
    if math.isfinite(low) and math.isfinite(high):
        p = (m - low) / (high - low)
        g = math.log(p / (1 - p))
        h = t * se / ((high - low) * p * (1 - p))
        back = lambda z: low + (high - low) / (1 + math.exp(-z))  # noqa: E731
        return m, back(g - h), back(g + h)
    if math.isfinite(low):
        f = math.exp(t * se / (m - low))
        return m, low + (m - low) / f, low + (m - low) * f
    return m, m - t * se, m + t * se
