"""Phase 5, allocation: the estimate turned into interventions, by role (concepts §5; ODD 7.7).

The role decides who works (the government's own units, partners', contractors') and
what share enforces rather than prevents; the government targets its capacity by the
estimate, partners who do not see the results by their own records. Here too: the
regulator's adaptive capacity and the dispatch of whole inspections.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Partner
from sim.kernels import population as kp
from sim.model.exact import _exp, _mean
from sim.model.strategy import monitor_standard, note_visits, search_share, selective_share

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel

_EMPTY = np.zeros(0)


def allocate(model: GovernanceModel, estimate: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray | float]:
    """Turn the estimate into interventions according to the role.

    Capacity goes to places in proportion to (estimate - its minimum) to the
    power ``targeting_focus`` (``government.targeting=proportional``: to the
    estimate itself to that power). With ``government.adaptation > 0`` the
    capacity first moves by the net return per inspection of last round (what
    its inspections found, times the harm a catch undoes, minus the unit
    cost). A blueprint government keeps the share of its first round and, with
    ``government.intensify > 0``, scales its capacity by its records against
    ``government.standard``; an exploratory one can search places not recently
    inspected and concentrate prevention where its estimate stands out
    (``sim.model.strategy``). Partners take on work where the role invites it,
    in proportion to capacity, alignment, trust and involvement; the government
    buys only the rest. Partners who do not see the results target by their
    own data. A commissioner's contractors put the misaligned share of the
    work where their performance measure is easiest to meet. Inspection units
    are spread over places (``dispatch=spread``: detection 1 - exp(-units /
    residents)) or drawn whole (``dispatch=draw``: each unit goes to a place
    drawn by share and inspects one resident there).

    Args:
        model: The model; sets ``prevention``, ``last_units``, the partners' units and
            (draw dispatch) ``dispatch_p``; with adaptation or a blueprint's standard,
            ``capacity`` first; with the exploratory search, ``unvisited``.
        estimate: Interpretation's estimate of harm per place.
        rng: This round's allocation stream (drawn only where partners reuse
            published data).

    Returns:
        The round's allocation: ``share`` (the government's targeting share per
        place), ``detect`` (probability that a resident is inspected, per place),
        ``own`` and ``partner_total`` (units), ``units`` (all units),
        ``misallocation`` and ``reusers``.
    """
    cfg, role = model.cfg, model.cfg.role
    g = cfg.government
    if g.adaptation > 0:
        adapt_capacity(model)
    if not g.exploratory and g.intensify > 0:
        monitor_standard(model)  # the blueprint's programme keeps its targeting, scales its intensity
    n_places = estimate.shape[0]
    if cfg.analytics.smoothing > 0 and model.estimate_prev is not None:
        estimate = cfg.analytics.smoothing * model.estimate_prev + (1 - cfg.analytics.smoothing) * estimate
    model.estimate_prev = estimate
    share = _target_share(estimate, g.targeting_focus, g.targeting == "proportional")
    if not cfg.government.exploratory:
        # Blueprint: the allocation of the first round is kept (table 4).
        if model.fixed_share is None:
            model.fixed_share = share
        share = model.fixed_share
    capacity = model.capacity * model.n_actors / 1000.0
    # Drawn only where it is used (the stream is this phase's alone).
    reuse_drawn = model.partners and role.intervenes and role.partner_work > 0 and role.publishes
    u_reuse = rng.random(len(model.partners)) if reuse_drawn else _EMPTY
    partner_units = np.zeros(n_places)
    reusers = 0
    model.partner_units[:] = 0.0
    model.partner_reused[:] = False
    if model.partners and role.intervenes and role.partner_work > 0:
        involvement = model._involvement
        if role.coordinates:
            involvement = np.maximum(involvement, 0.5)  # the director brings partners to the table
        taking = np.ones(len(model.partners), dtype=bool)
        if role.publishes:
            # Reuse of published data needs effort; facilitation lowers it (claim 8).
            ease = cfg.platform.reuse_ease + cfg.platform.facilitation * (1 - cfg.platform.reuse_ease)
            taking = u_reuse < ease * model._alignment
            model.partner_reused[:] = taking
            reusers = int(np.count_nonzero(taking))
            involvement = np.maximum(involvement, 0.5)
        willing = Partner.willingness(model.partner_trust, model.legitimacy, cfg.legitimacy.partner_weight)
        units = model._capacity * model._alignment * willing * involvement * role.partner_work
        taking &= units > 0
        taking &= model.partner_member  # a partner outside takes its capacity with it
        if not model.agreement:
            taking[:] = False  # no agreement at the table: the joint work waits a round
        sees_all = role.coordinates or role.publishes
        for j in np.flatnonzero(taking).tolist():  # in partner order: the sum is the loop's, to the bit
            sees = sees_all or model._sees[j]
            target = share if sees else _target_share(model.partner_records[j], cfg.government.targeting_focus)
            partner_units += units[j] * target
        model.partner_units[taking] = units[taking]
    partner_total = float(partner_units.sum())
    if not role.intervenes:
        own = 0.0
    elif role.partner_work > 0:
        own = max(capacity * role.own_share_min, capacity - partner_total)
    else:
        own = capacity
    engagement = _mean(model.professional_engagement) if model.professionals else 1.0
    delivered = own * (0.6 + 0.4 * engagement)  # professionals deliver the work
    exploring = g.exploratory and g.exploration > 0
    own_share = search_share(model, share) if exploring else share
    if role.contracted and model.partners:
        a = model._mean_alignment
        easy = _target_share(model.at_place, 1.0)
        own_share = a * own_share + (1 - a) * easy
        partner_total += delivered
        model.partner_units += delivered / len(model.partners)
    if g.exploratory and g.selectivity > 0 and role.enforcement < 1.0:
        # Inspections follow the targeting; prevention is concentrated where the estimate stands out.
        enforce = delivered * own_share * role.enforcement
        own_prevent = delivered * selective_share(model, estimate, own_share) * (1.0 - role.enforcement)
        own_units = enforce + own_prevent
        prevent = own_prevent + partner_units
    else:
        own_units = delivered * own_share
        enforce = own_units * role.enforcement
        prevent = own_units * (1.0 - role.enforcement) + partner_units
    if exploring:
        note_visits(model, own_units)
    n_here = np.maximum(model.at_place, 1.0)
    if g.dispatch == "draw":
        detect = _draw_inspections(model, enforce, n_here)
    else:
        detect = 1.0 - _exp(-enforce / n_here)
    model.prevention = g.prevention_decay * model.prevention + g.prevention_efficacy * prevent / n_here
    total = own_units + partner_units
    model.last_units = total
    units_sum = float(total.sum())
    # A share; summed apart, the part can round above the whole (1.0000000000000002).
    misallocation = min(float(total[~model.cause_present].sum() / units_sum), 1.0) if units_sum > 0 else 0.0
    return {
        "share": share,
        "detect": detect,
        "own": own,
        "partner_total": partner_total,
        "units": units_sum,
        "misallocation": misallocation,
        "reusers": float(reusers),
    }


def adapt_capacity(model: GovernanceModel) -> None:
    """Move the inspection rate along the regulator's net return per inspection.

    The regulator sees only what its inspections found last round: the share of
    inspected actors who violated. Each catch undoes ``recovery x harm_cost``
    kEUR of harm, each inspection costs the unit cost; the inspection rate
    (capacity / 1,000) moves by ``adaptation`` times that net return
    (projected gradient ascent on its own account, Tsebelis 1989).

    Args:
        model: The model; its ``capacity`` moves, within [0, 1000].
    """
    cfg, g = model.cfg, model.cfg.government
    caught = float(model.tally_prev[:, kp.T_CAUGHT].sum())
    checked = caught + float(model.tally_prev[:, kp.T_INNOCENT_CHECKED].sum())
    if checked <= 0:
        return
    v = cfg.valuation
    net = v.harm_cost * g.recovery * caught / checked - v.unit_cost * cfg.role.unit_cost_factor
    model.capacity = min(max(model.capacity + 1000.0 * g.adaptation * net, 0.0), 1000.0)


def _draw_inspections(model: GovernanceModel, enforce: np.ndarray, n_here: np.ndarray) -> np.ndarray:
    """Send whole inspection units to places drawn by share; each inspects one resident.

    The number of units is the capacity, rounded up or down at random (keeping
    its mean).

    Args:
        model: The model; sets ``dispatch_p`` (None where no unit goes out) and
            draws from its inspection stream.
        enforce: Enforcement units per place.
        n_here: Residents per place (at least 1).

    Returns:
        The probability that a resident is inspected, per place.
    """
    total = float(enforce.sum())
    if total <= 0:
        model.dispatch_p = None
        return np.zeros_like(enforce)
    rng = model._inspection_rng
    whole = math.floor(total)
    units = whole + int(rng.random() < total - whole)
    model.dispatch_p = enforce / total
    counts = rng.multinomial(units, model.dispatch_p)
    return np.minimum(counts / n_here, 1.0)


def _target_share(estimate: np.ndarray, focus: float, proportional: bool = False) -> np.ndarray:
    """Capacity share per place: (estimate - min)^focus (or estimate^focus), normalised; uniform if flat."""
    excess = np.maximum(estimate, 0.0) if proportional else np.maximum(estimate - estimate.min(), 0.0)
    if focus != 1.0:
        excess = np.array([math.pow(e, focus) for e in excess.tolist()])  # libm's, as _exp
    total = excess.sum()
    if not math.isfinite(total) or total <= 0:
        return np.full(estimate.shape[0], 1.0 / estimate.shape[0])
    return excess / total
