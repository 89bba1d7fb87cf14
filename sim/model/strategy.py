"""The government's working practice: exploratory or blueprint (essay §5.3, table 4; ODD 7.7).

A *blueprint* government fixes its goals and one programme at the start (the
allocation of the first round) and monitors the result against a standard: when
its records exceed ``government.standard`` it raises the programme's intensity (its
capacity), never its targeting ("focused on standards"). An *exploratory*
government re-estimates every round, searches places it has not recently inspected
(``government.exploration``), concentrates prevention where its estimate stands out
(``government.selectivity``) and gives partners whose trust has grown more say in
the interpretation (``government.partner_learning``) ("focused on differences").
Every knob at 0 leaves the government as it was; none draws a random number.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.exact import _mean

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel


def monitor_standard(model: GovernanceModel) -> None:
    """Scale the blueprint's intensity by last round's records against the standard.

    The programme monitors the incidents it recorded last round, per 1,000 actors.
    Above ``government.standard`` its capacity grows by the factor
    ``1 + government.intensify`` (at most 1,000); at or below, it falls back by the
    same factor, never below the programme's own ``government.capacity``. Where it
    works stays as it was fixed.

    Args:
        model: The model; its ``capacity`` moves. Nothing happens before the first
            records come in (round 1).
    """
    g = model.cfg.government
    if model.round == 0:
        return
    monitored = 1000.0 * model.recorded / model.n_actors
    if monitored > g.standard:
        model.capacity = min(model.capacity * (1.0 + g.intensify), 1000.0)
    else:
        model.capacity = max(model.capacity / (1.0 + g.intensify), min(g.capacity, model.capacity))


def search_share(model: GovernanceModel, share: np.ndarray) -> np.ndarray:
    """Mix a search of the places not recently inspected into the government's own targeting.

    A place counts as inspected in a round when it got at least half of an even
    share of the government's own units; ``model.unvisited`` counts the rounds
    since (``note_visits``). The search share ``government.exploration`` of the own
    units goes to places in proportion to ``1 + unvisited``: evenly at the start,
    then most to the places the targeting has left longest.

    Args:
        model: The model (reads ``unvisited``).
        share: The targeting share of the own units, per place.

    Returns:
        ``(1 - exploration) x share + exploration x search``.
    """
    e = model.cfg.government.exploration
    weight = 1.0 + model.unvisited
    return (1.0 - e) * share + e * (weight / weight.sum())


def note_visits(model: GovernanceModel, own_units: np.ndarray) -> None:
    """Count the rounds since each place last got at least half an even share of the own units."""
    total = float(own_units.sum())
    visited = own_units >= 0.5 * total / own_units.shape[0] if total > 0 else np.zeros(own_units.shape[0], bool)
    model.unvisited = np.where(visited, 0.0, model.unvisited + 1.0)


def selective_share(model: GovernanceModel, estimate: np.ndarray, own_share: np.ndarray) -> np.ndarray:
    """Concentrate the prevention share of the own units where the estimate stands out.

    The places whose estimate lies above the mean of all places get a share
    ``government.selectivity`` of the prevention, in proportion to their excess to
    the power ``government.targeting_focus``; the rest follows ``own_share``. With no
    place above the mean (a flat estimate) prevention follows ``own_share``.

    Args:
        model: The model (reads the configuration).
        estimate: The estimate allocation acts on, per place.
        own_share: The share of the own units per place.

    Returns:
        The share of the own prevention units per place.
    """
    g = model.cfg.government
    excess = np.maximum(estimate - _mean(estimate), 0.0)
    if g.targeting_focus != 1.0:
        excess = np.array([math.pow(x, g.targeting_focus) for x in excess.tolist()])  # libm's, as _target_share
    total = float(excess.sum())
    if not total > 0:
        return own_share
    return (1.0 - g.selectivity) * own_share + g.selectivity * excess / total


def partner_say(model: GovernanceModel, admitted: np.ndarray) -> np.ndarray:
    """Each admitted partner's say in the interpretation, learnt from its trust.

    ``(1 - partner_learning) + partner_learning x 2 x trust``: 1 for every partner
    without learning, and for a partner at trust 0.5; up to 2 for a partner who fully
    trusts the government (trust grows with being heard, 7.9, so the say of the
    partners at an open table grows over the run).

    Args:
        model: The model (reads ``partner_trust``).
        admitted: Indices of the partners the interpretation admits.

    Returns:
        The say per admitted partner.
    """
    m = model.cfg.government.partner_learning
    return (1.0 - m) + m * 2.0 * model.partner_trust[admitted]
