"""Phase 6, the reflexive response: the population meets the allocation (concepts §6; ODD 7.8).

Every actor learns about detection, chooses among complying, violating, evading,
moving and gaming, and meets the enforcement actually allocated: one call of the Numba
kernel (:func:`sim.kernels.population.respond`), given what the regime lets actors see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.kernels import population as kp
from sim.model.exact import _exp
from sim.world import round_keys

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel

# Which actors see the published targeting, by ``regime.use`` (the kernel's ``visibility``):
# none, the like-minded circle (actors with ``in_circle``), everyone.
VISIBILITY = {"closed": 0, "restricted": 1, "open": 2}


def react(model: GovernanceModel, alloc: dict[str, np.ndarray | float]) -> tuple[np.ndarray, np.ndarray]:
    """Run the population kernel: actors learn, choose and meet enforcement.

    With score profiling the government's threshold is the cut-off
    (``naive``), the cut-off plus the most a cleared decision is worth moving
    for, decision_gain / score_cost (``robust``, Hardt et al. 2016), or its
    least-squares estimate of the mean observed score (``estimated``).

    Args:
        model: The model; its actors' arrays change in place, and it keeps this
            round's tally (``tally_prev``, ``fsum_prev``), ``neighbour_rate`` and
            ``at_place`` for the next round.
        alloc: Allocation's result (``detect``: probability of inspection per place).

    Returns:
        The kernel's tally per place (``kp.T_*`` columns) and the sum of actors'
        beliefs about detection per place.
    """
    cfg, p = model.cfg, model.cfg.population
    relief = _exp(-model.prevention)
    opportunity = 1.0 + cfg.world.driver_effect * (model._driver_count * relief)
    mult_hi = mult_lo = 1.0
    if cfg.analytics.resolution == "individual":
        share_t = float(model.actors["trait"].mean())
        f = cfg.analytics.profile_focus
        norm = share_t * f + (1.0 - share_t)
        mult_hi, mult_lo = f / norm, 1.0 / norm
    visibility = VISIBILITY[cfg.regime.use]
    params = kp.pack_params(
        visibility,
        p.fine,
        p.evasion_cost,
        p.evasion_factor,
        p.move_cost,
        p.game_cost,
        p.experience_weight,
        p.own_experience_weight,
        p.gain_noise,
        p.prior_detection,
        mult_hi,
        mult_lo,
        mult_hi,
        mult_lo,
        moral_cost(model),
        *_score_params(model),
        base_effort=p.violation_cost,
    )
    detect = alloc["detect"]
    key = _round_key(model, model.round)
    tally, fsum = kp.respond(
        model.actors,
        opportunity,
        model.opportunity0,
        detect,
        detect,
        model.neighbour_rate,
        params,
        key,
        parallel=model.parallel,
    )
    violations = tally[:, kp.T_VIOLATIONS]
    model.neighbour_rate = np.where(violations > 0, tally[:, kp.T_CAUGHT] / np.maximum(violations, 1), 0.0)
    model.at_place = tally[:, kp.T_ACTORS].astype(np.float64)
    model.tally_prev = tally
    model.fsum_prev = fsum
    return tally, fsum[:, kp.F_BELIEF]


def moral_cost(model: GovernanceModel) -> float:
    """The cost of any violation to an actor this round: effort, and the norm that legitimacy carries.

    Compliance follows legitimacy (Tyler 2006; Epstein 2002): above 0.5 the norm adds
    to the cost, below it subtracts. A grievance subtracts too: the shortfall of
    legitimacy below what actors had come to expect, beyond ``legitimacy.tolerance``
    (``model.expected_legitimacy`` follows the actual at ``legitimacy.adaptation``
    per round, in outcomes). A loss that comes faster than expectations adapt leaves
    a grievance; the same loss, slowly, leaves little or none: how fast support is
    lost matters, not only how much. A government that does not intervene
    (``role.intervenes`` false) carries no norm: its actors meet no authority.
    """
    L = model.cfg.legitimacy
    cost = model.cfg.population.violation_cost
    if (L.norm == 0.0 and L.grievance == 0.0) or not model.cfg.role.intervenes:
        return cost  # a government that does nothing carries no norm of its own
    model.grievance = max(model.expected_legitimacy - model.legitimacy - L.tolerance, 0.0)
    return max(cost + L.norm * (model.legitimacy - 0.5) - L.grievance * model.grievance, 0.0)


def _round_key(model: GovernanceModel, t: int) -> int:
    """The kernel's key of round t, computed in blocks of rounds (a key each costs ~20 us)."""
    block = t // 1024
    if model._key_block != block:
        model._keys = round_keys(model.cfg.run.seed, model.replication, block * 1024, 1024)
        model._key_block = block
    return int(model._keys[t - block * 1024])


def _score_params(model: GovernanceModel) -> tuple:
    """The kernel's score-profiling parameters (all off without score profiling)."""
    if not model.scoring:
        return ()
    p, g = model.cfg.population, model.cfg.government
    if g.threshold == "robust":
        model.threshold = g.qualification + p.decision_gain / p.score_cost
    elif g.threshold == "estimated":
        model.threshold = model.score_estimate
    else:
        model.threshold = g.qualification
    return (True, model.threshold, p.score_anchor, p.decision_gain, p.score_cost, p.threshold_noise, g.qualification)
