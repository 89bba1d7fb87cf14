"""The model's order-fixed numerics: results bit-identical on every machine and release.

The same config and seed give bit-identical numbers on any machine (README,
"Determinism"). BLAS dot products add in an order that depends on the CPU kernel
OpenBLAS picks, and NumPy's ``exp`` is SIMD code that depends on the CPU and the NumPy
release; the model computes what it records with these instead (and NumPy's pairwise sums).
"""

from __future__ import annotations

import math

import numpy as np


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; 0 if either is constant.

    The sums of products are exactly rounded (``math.fsum``), so the result is the same
    on every machine: ``xc @ yc`` (BLAS) adds in an order that depends on the CPU kernel
    OpenBLAS picks, which changed the last bit of ``record_accuracy`` between machines.
    """
    xc, yc = (x - _mean(x)).tolist(), (y - _mean(y)).tolist()
    sxx = math.fsum([a * a for a in xc])
    syy = math.fsum([b * b for b in yc])
    if sxx <= 0.0 or syy <= 0.0:
        return 0.0
    return math.fsum([a * b for a, b in zip(xc, yc, strict=True)]) / math.sqrt(sxx * syy)


def _exp(x: np.ndarray) -> np.ndarray:
    """``np.exp(x)`` of a 1-d array, from the C library's ``exp`` (``math.exp``), element by element.

    NumPy computes ``exp`` with SIMD code of its own that depends on the CPU and the
    NumPy release (1.26 and 2.4 differ in the last bit); ``math.exp`` does not. The
    arrays here have one value per place.
    """
    return np.array([math.exp(v) for v in x.tolist()], dtype=np.float64)


def _mean(x: np.ndarray) -> np.floating:
    """``x.mean()`` to the bit (the same sum, divided by the count), without its ~2 us of checks."""
    return x.sum() / x.size
