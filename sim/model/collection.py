"""Phase 2, collection: what gets recorded, and by whom (concepts §3; ODD 7.4).

The government records its own discoveries of last round; partners asked by the
collection regime decide whether to share theirs; residents report a share of what was
not discovered. Records decay with ``government.memory``, and each round's are kept in
``model.history`` for the analysis lag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Partner
from sim.kernels import population as kp
from sim.model.exact import _correlation

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel


def collect(model: GovernanceModel, rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """Record incidents: own discoveries always, partner data where shared.

    Closed collection records only what the government's own inspections
    discover, so records follow the allocation (the runaway loop). Partners
    asked (all where open, aligned ones where restricted) decide to share;
    shared data is aggregated to groups of ``privacy.min_group_size`` when
    pseudonymised. Residents report a share ``government.reporting`` of the
    violations not discovered. With whole inspections (draw dispatch) and an
    interpretation that is not closed, a discovery is read together with how
    likely the government was to look there: it counts with probability
    min_j p_j / p_k (Ensign et al. 2018's correction of the runaway loop).

    Args:
        model: The model; its ``records`` and ``history`` grow by this round's.
        rng: This round's collection stream.

    Returns:
        The share of partner data shared, and what partners observed per place
        (their view of the truth, used in their own analyses).
    """
    cfg = model.cfg
    last = model.tally_prev
    violations = last[:, kp.T_VIOLATIONS].astype(np.float64)
    new = last[:, kp.T_CAUGHT].astype(np.float64)
    shared = 0.0
    if model.partners:
        noise = 0.15 * (2.0 * rng.random(len(model.partners)) - 1.0)
        # One call for all partners draws what one call per partner would, in the same order.
        drawn = rng.binomial(last[:, kp.T_VIOLATIONS], cfg.partners.observation_rate, size=model._coverage.shape)
        seen_all = np.where(model._coverage, drawn, 0.0)
        # Each partner keeps its own records (its picture when the results do not reach it).
        model.partner_records = cfg.government.memory * model.partner_records + seen_all
        observed = seen_all.sum(axis=0)  # counts: their sum is exact in any order
        sharing = Partner.decide_sharing(
            model._asked & model.partner_member,  # a partner outside takes its data with it
            Partner.willingness(model.partner_trust, model.legitimacy, cfg.legitimacy.partner_weight),
            model._data_cost,
            model._audience_share,
            cfg.privacy.pseudonymisation,
            cfg.privacy.identifiable_share,
            cfg.partners.share_threshold,
            noise,
        )
        model.partner_shared[:] = sharing
        if sharing.any():
            given = seen_all[sharing]
            if cfg.privacy.pseudonymisation:
                given = np.where(given >= cfg.privacy.min_group_size, given, 0.0)
            new = new + given.sum(axis=0)
            shared = float(model._coverage_count[sharing].sum())
    else:
        observed = np.zeros_like(violations)
    held = model._held
    g = cfg.government
    caught = last[:, kp.T_CAUGHT]
    if model.dispatch_p is not None and cfg.regime.interpretation != "closed" and caught.any():
        # Only places with discoveries: a binomial with n = 0 draws nothing, so the stream is the same.
        at = np.flatnonzero(caught)
        p = model.dispatch_p
        keep = np.minimum(p[p > 0].min() / np.maximum(p[at], 1e-300), 1.0)
        new = new.copy()
        new[at] += model._inspection_rng.binomial(caught[at], keep) - caught[at]
    if g.reporting > 0:
        new = new + rng.binomial(last[:, kp.T_VIOLATIONS] - caught, g.reporting)
    model.records = g.memory * model.records + new
    model.recorded = float(new.sum())  # what a blueprint monitors against its standard
    model.history.append(model.records.copy())
    # How well this round's records reflect where violations really happened.
    model.record_accuracy = _correlation(model.records, violations) if model.round > 0 else 0.0
    data_shared = shared / held if held > 0 else 0.0
    model._data_shared = data_shared
    return data_shared, observed
