"""Phase 3, analysis: the strongest correlate of the records, and a fit (concepts §3; ODD 7.5).

The analysis searches only the candidates framing gave it, on records
``analytics.lag`` rounds old; it finds correlations, not causes (what they mean is
interpretation's question).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from sim.kernels import population as kp
from sim.model.exact import _mean

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel


def analyse(model: GovernanceModel, candidates: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Search the candidate features for the strongest correlate of the records.

    With score profiling the government first re-estimates the mean observed
    score by least squares on last round's scores. Uses the records
    ``analytics.lag`` rounds old. Each candidate is tested
    (Pearson correlation, two-sided t-test at ``government.significance``);
    noise features that pass are false discoveries. The fitted harm is the
    mean record of places sharing the chosen feature's value, plus a share of
    each place's own residual.

    Args:
        model: The model; sets ``believed_cause``, ``fitted_effect`` and, with score
            profiling, ``score_estimate``.
        candidates: The feature columns framing chose.

    Returns:
        The fitted harm per place, the chosen feature column (-1: none correlates
        positively) and the number of false discoveries (noise features found
        significant).
    """
    cfg = model.cfg
    if model.scoring and model.round > 0:
        # Least squares for a location: the mean of last round's observed scores.
        model.score_estimate = float(model.fsum_prev[:, kp.F_SCORE].sum()) / model.n_actors
    lag = cfg.analytics.lag
    y = model.history[max(len(model.history) - 1 - lag, 0)]
    # Features do not change, and a few candidate sets recur: their centred columns are kept.
    key = candidates.tobytes()
    centred = model._centred.get(key)
    if centred is None:
        x = model.features[:, candidates]
        xc = x - x.sum(axis=0) / x.shape[0]
        centred = model._centred[key] = (xc, (xc**2).sum(axis=0))
    xc, sxx = centred
    n = y.shape[0]
    yc = y - _mean(y)
    denom = np.sqrt(sxx * (yc**2).sum())
    r = np.zeros_like(denom)
    np.divide((xc * yc[:, None]).sum(axis=0), denom, out=r, where=denom > 0)
    false_discoveries = 0
    if n > 2:
        rr = np.minimum(np.maximum(r, -0.999999), 0.999999)  # = np.clip, without its overhead
        tstat = rr * np.sqrt((n - 2) / (1 - rr**2))
        pval = 2 * special.stdtr(n - 2, -np.abs(tstat))  # = 2 t.sf(|t|, n - 2), without its overhead
        significant = (pval < cfg.government.significance) & (denom > 0)
        # Noise features are the last columns.
        false_discoveries = int(np.count_nonzero(significant & (candidates >= model._first_noise)))
    best = int(np.argmax(r)) if r.size else -1
    if best < 0 or r[best] <= 0:
        model.believed_cause = -1
        model.fitted_effect = 0.0
        return y.copy(), -1, false_discoveries
    chosen = int(candidates[best])
    model.believed_cause = chosen
    xf = model.features[:, chosen] > 0.5
    with_x, without_x = _mean(y[xf]), _mean(y[~xf]) if not xf.all() else 0.0
    model.fitted_effect = float(with_x - without_x)  # what the analysis takes as the feature's effect
    fit = np.where(xf, with_x, without_x)
    w = cfg.government.residual_weight
    return fit + w * (y - fit), chosen, false_discoveries
