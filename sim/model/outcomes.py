"""Phase 7, outcomes: the public account of the round, and support (concepts §4; ODD 7.9).

The round's cost, benefit and side effects in kEUR, legitimacy (voice, transparency,
results, fairness), partners' trust and professionals' engagement, and the record of
the round: one row of ``rounds.parquet``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Partner, Professional
from sim.kernels import population as kp
from sim.model.exact import _mean

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel


def account(
    model: GovernanceModel,
    tally: np.ndarray,
    belief_sum: np.ndarray,
    alloc: dict[str, np.ndarray | float],
    data_shared: float,
    heard: np.ndarray,
    contested: float,
) -> dict[str, float]:
    """Book the public account of the round and update trust and support.

    Args:
        model: The model; updates ``legitimacy``, ``partner_trust`` and
            ``professional_engagement``.
        tally: The kernel's tally per place this round (response).
        belief_sum: The sum of actors' beliefs about detection per place (response).
        alloc: Allocation's result.
        data_shared: The share of partner data shared (collection).
        heard: Which partners were heard (interpretation; also in ``model.partner_heard``,
            which is what is read).
        contested: The share of partners contesting the results (interpretation).

    Returns:
        The round's record: the public account (kEUR), legitimacy, trust and the
        other required columns of ``rounds.parquet``, then more.
    """
    cfg = model.cfg
    v, w = cfg.valuation, cfg.weights
    n = float(model.n_actors)
    total = [float(x) for x in tally.sum(axis=0).tolist()]  # Python floats: cheaper scalar arithmetic
    potential = total[kp.T_POTENTIAL]
    violations = total[kp.T_VIOLATIONS]
    caught = total[kp.T_CAUGHT]
    harm = violations - cfg.government.recovery * caught
    results = min(max((potential - harm) / potential, 0.0), 1.0) if potential > 0 else 0.0
    evasion_rate = (total[kp.T_EVADING] + total[kp.T_GAMED]) / n
    displacement_rate = total[kp.T_MOVED] / n
    # Production costs: own units, analytics, open tables, platform, role overhead.
    role = cfg.role
    at_table = int(np.count_nonzero(model.partner_heard)) + int(np.count_nonzero(model.professional_contributed))
    cost = alloc["own"] * v.unit_cost * role.unit_cost_factor
    if role.intervenes:
        cost += role.overhead + cfg.analytics.steps * v.analytics_cost + v.coordination_cost * at_table
        if role.publishes:
            cost += cfg.platform.cost + cfg.platform.facilitation * cfg.platform.support_cost
    benefit = v.harm_cost * (potential - harm)
    linked = (1.0 + data_shared * len(model.partners) * cfg.partners.coverage) / (
        1.0 + len(model.partners) * cfg.partners.coverage
    )
    identifiable = 1.0 - (cfg.privacy.identifiable_share if cfg.privacy.pseudonymisation else 0.0)
    privacy_exposure = float(cfg.analytics.privacy * linked * identifiable) if role.intervenes else 0.0
    innocents = total[kp.T_INNOCENT_CHECKED]
    negative = v.privacy_cost * privacy_exposure + v.burden_cost * innocents + v.displacement_cost * total[kp.T_MOVED]
    positive = v.innovation_value * alloc["reusers"] + v.self_reliance_value * alloc["partner_total"]
    # Support: voice, transparency, results, fairness (concepts §4, claim 7).
    parties = len(model.partners) + len(model.professionals)
    voice = at_table / parties if parties else 0.0
    transparency = model._audience_share if model.partners else float(cfg.regime.use == "open")
    seen = total[kp.T_SAW_TARGETING] / n
    # Unfair: innocents checked, gaming that others can see, contested results.
    unfair = min(1.0, 10.0 * innocents / n + evasion_rate * min(seen, 1.0) + 0.5 * contested)
    fairness = 1.0 - unfair
    L = cfg.legitimacy
    wsum = L.voice + L.transparency + L.results + L.fairness
    target = (
        (L.voice * voice + L.transparency * transparency + L.results * results + L.fairness * fairness) / wsum
        if wsum > 0
        else model.legitimacy
    )
    model.legitimacy = min(max(model.legitimacy + L.rate * (target - model.legitimacy), 0.0), 1.0)
    # Expectations follow support (response reads the shortfall as a grievance).
    model.expected_legitimacy += L.adaptation * (model.legitimacy - model.expected_legitimacy)
    left = returned = 0
    if model.partners:
        harmed = model._data_cost * (0.4 + 0.6 * model._audience_share) * model.partner_shared
        if cfg.privacy.pseudonymisation:
            harmed = harmed * (1.0 - cfg.privacy.identifiable_share)
        # A partner outside still sees what the regime offers it (the invitation) and the results.
        model.partner_trust[:] = Partner.update_trust(
            model.partner_trust, cfg.partners.trust_rate, model._involvement, model.partner_heard, harmed, results
        )
        left, returned = update_coalition(model)
    if model.professionals:
        used = model.professional_contributed if cfg.regime.interpretation != "closed" else False
        model.professional_engagement[:] = Professional.update_engagement(
            model.professional_engagement,
            cfg.professionals.engagement_rate,
            used,
            L.professional_weight * (model.legitimacy - 0.5),
        )
    trust = float(_mean(model.partner_trust)) if model.partners else model.legitimacy
    public_value = (
        w.cost * cost
        + w.benefit * benefit
        + w.negative_side_effects * negative
        + w.positive_side_effects * positive
        + w.legitimacy * model.legitimacy
    )
    actors_now = np.maximum(tally[:, kp.T_ACTORS], 1)
    return {
        "cost": float(cost),
        "benefit": float(benefit),
        "negative_side_effects": float(negative),
        "positive_side_effects": float(positive),
        "legitimacy": model.legitimacy,
        "public_value": float(public_value),
        "harm": float(harm),
        "evasion_rate": float(evasion_rate),
        "data_shared": float(data_shared),
        "misallocation": alloc["misallocation"],
        "privacy_exposure": privacy_exposure,
        "trust": trust,
        "potential_harm": float(potential),
        "violations": float(violations),
        "caught": float(caught),
        "displacement_rate": float(displacement_rate),
        "innocents_checked": float(innocents),
        "government_units": float(alloc["own"]),
        "partner_units": float(alloc["partner_total"]),
        "reusers": alloc["reusers"],
        "engagement": float(_mean(model.professional_engagement)) if model.professionals else 0.0,
        "contested": float(contested),
        "mean_belief": float(belief_sum.sum() / n),
        "mean_detection": float((alloc["detect"] * actors_now).sum() / actors_now.sum()),
        "coalition_size": float(np.count_nonzero(model.partner_member)),
        "partners_left": float(left),
        "partners_returned": float(returned),
        "agreement": float(model.agreement),
        "grievance": float(model.grievance),
    }


def update_coalition(model: GovernanceModel) -> tuple[int, int]:
    """Who leaves the arrangement and who comes back, after this round's trust (essay ch. 5-6).

    A member whose trust has fallen below ``partners.exit_trust`` leaves: from the
    next round it is not asked for data, brings no capacity and is not heard, and its
    trust follows what it sees from outside (no involvement). A partner outside
    returns when it is invited (a regime phase admits it to framing or
    interpretation, or the role brings partners to the table) and its trust has
    recovered to ``partners.return_trust``.

    Returns:
        How many partners left and how many returned this round.
    """
    c = model.cfg.partners
    member, trust = model.partner_member, model.partner_trust
    if c.exit_trust == 0.0 and member.all():  # nobody can leave (trust >= 0) and nobody is outside
        return 0, 0
    leaving = member & (trust < c.exit_trust)
    invited = model._framing_admits.copy()
    invited[model._admitted] = True
    if model.cfg.role.coordinates:
        invited[:] = True
    returning = ~member & invited & (trust >= c.return_trust)
    if leaving.any() or returning.any():
        member[leaving] = False
        member[returning] = True
    return int(np.count_nonzero(leaving)), int(np.count_nonzero(returning))


def diagnostics(model: GovernanceModel, cause_considered: bool, false_discoveries: int) -> dict[str, float]:
    """The round's columns about the data process itself, after the public account.

    Args:
        model: The model, after this round's phases.
        cause_considered: Whether framing brought a true driver in.
        false_discoveries: Noise features the analysis found significant.

    Returns:
        ``cause_considered``, ``cause_identified``, ``false_discoveries`` and
        ``record_accuracy``; with score profiling also ``score_threshold``,
        ``score_estimate``, ``misclassified`` and ``gaming_burden``.
    """
    out = {
        "cause_considered": float(cause_considered),
        "cause_identified": float(0 <= model.believed_cause < len(model.driver_cols)),  # drivers: first columns
        "false_discoveries": float(false_discoveries),
        "record_accuracy": model.record_accuracy,
    }
    if model.scoring:
        t_sum = model.tally_prev.sum(axis=0)
        out.update(
            score_threshold=float(model.threshold),
            score_estimate=float(model.score_estimate),
            misclassified=float(t_sum[kp.T_FALSE_CLEARED] + t_sum[kp.T_FALSE_FLAGGED]) / model.n_actors,
            gaming_burden=float(model.fsum_prev[:, kp.F_BURDEN].sum()) / model.n_actors,
        )
    return out
