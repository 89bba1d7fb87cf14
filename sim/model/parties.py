"""The parties around the government: partners and professionals, set up once per replication.

The rich actors themselves (their decisions each round) are Mesa agents in
:mod:`sim.agents`; here the model makes them and keeps their state in NumPy arrays, one
entry per party, which the agents' attributes read and the phases update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents import Partner, Professional, admits
from sim.world import STREAM_PARTNERS, generator

if TYPE_CHECKING:
    from sim.model.governance import GovernanceModel


def make_partners(model: GovernanceModel) -> None:
    """Make the partners (Mesa agents) and the model's arrays of their state and traits.

    Each partner draws its alignment, data cost, coverage of places, interest per place
    and pet feature from the replication's partner stream; what the regime admits it to
    (framing, collection, interpretation, the results) is fixed here, as the phases read it.

    Args:
        model: The model being built; gets ``partners``, their changing state
            (``partner_trust``, ``partner_shared``, ``partner_heard``, ``partner_reused``,
            ``partner_units``, ``partner_records``) and what does not change between rounds.
    """
    c, w = model.cfg.partners, model.cfg.world
    rng = generator(model.cfg.run.seed, model.replication, STREAM_PARTNERS)
    scale = model.n_actors / 1000.0
    # The partners' changing state, one entry each (Partner's attributes read them).
    model.partner_trust = np.full(c.count, c.trust, dtype=np.float64)
    model.partner_shared = np.zeros(c.count, dtype=bool)
    model.partner_heard = np.zeros(c.count, dtype=bool)
    model.partner_reused = np.zeros(c.count, dtype=bool)
    model.partner_units = np.zeros(c.count)
    model.partner_member = np.ones(c.count, dtype=bool)  # every partner starts in the arrangement
    model.partners: list[Partner] = []
    for j in range(c.count):
        # min/max: np.clip's result, without its ~5 us on a scalar
        alignment = min(max(float(c.alignment + c.alignment_spread * rng.standard_normal()), 0.0), 1.0)
        cost = min(max(float(c.data_cost * (1.5 - alignment) + 0.1 * rng.standard_normal()), 0.0), 1.0)
        coverage = rng.random(w.places) < c.coverage
        interest = rng.lognormal(0.0, 1.0, w.places)
        pet = int(rng.integers(len(model.noise_cols))) if len(model.noise_cols) else 0
        model.partners.append(Partner(model, j, alignment, cost, coverage, interest, pet, c.capacity * scale))
    # What does not change between rounds, kept for the per-round phases.
    ps = model.partners
    model._coverage = np.array([p.coverage for p in ps], dtype=bool).reshape(len(ps), w.places)
    model._coverage_count = np.array([float(p.coverage.sum()) for p in ps], dtype=np.float64)
    model._held = float(model._coverage_count.sum())  # sums of counts: exact in any order
    model._interest = np.array([p.interest for p in ps], dtype=np.float64).reshape(model._coverage.shape)
    model._alignment = np.array([p.alignment for p in ps], dtype=np.float64)
    model._data_cost = np.array([p.data_cost for p in ps], dtype=np.float64)
    model._capacity = np.array([p.capacity for p in ps], dtype=np.float64)
    model._pet = np.array([p.pet_feature for p in ps], dtype=np.int64)
    admit_partners(model)
    model._mean_alignment = float(np.mean([p.alignment for p in ps])) if ps else 0.0
    model.partner_records = np.zeros(model._coverage.shape)


def admit_partners(model: GovernanceModel) -> None:
    """What the regime admits each partner to: framing, collection, interpretation, the results.

    Called when the partners are made and again when a schedule changes the regime
    (``sim.schedule``); it draws nothing.

    Args:
        model: The model, with its partners made; gets ``_involvement``, ``_sees``,
            ``_asked``, ``_framing_admits``, ``_admitted``, ``_voices``, ``_contested``
            and ``_audience_share``.
    """
    regime, ps = model.cfg.regime, model.partners
    model._involvement = np.array([p.involvement(regime) for p in ps], dtype=np.float64)
    model._sees = np.array([p.sees_results(regime) for p in ps], dtype=bool)
    model._asked = np.array([admits(regime.collection, p.aligned) for p in ps], dtype=bool)
    model._framing_admits = np.array([admits(regime.framing, p.aligned) for p in ps], dtype=bool)
    model._admitted = np.array([j for j, p in enumerate(ps) if admits(regime.interpretation, p.aligned)], np.int64)
    rows = model._admitted
    model._voices = Partner.voices(model._alignment[rows], model._coverage[rows], model._interest[rows])
    # Partners left out with their own data and diverging interests go public (closed interpretation).
    model._contested = float(np.mean([not p.aligned for p in ps])) if ps else 0.0
    # Share of partners who see the results of the analysis.
    if regime.use == "open":
        model._audience_share = 1.0
    elif regime.use == "closed" or not ps:
        model._audience_share = 0.0
    else:
        model._audience_share = float(np.mean([p.aligned for p in ps]))


def make_professionals(model: GovernanceModel) -> None:
    """Make the professionals (Mesa agents), each knowing one contiguous block of places.

    Args:
        model: The model being built; gets ``professionals``, their changing state
            (``professional_engagement``, ``professional_contributed``), their accuracy
            and the places each reviews (``_beats``).
    """
    c, n_places = model.cfg.professionals, model.cfg.world.places
    areas = np.array_split(np.arange(n_places), max(c.count, 1))
    model.professional_engagement = np.full(c.count, c.engagement, dtype=np.float64)
    model.professional_contributed = np.zeros(c.count, dtype=bool)
    model.professionals: list[Professional] = [
        Professional(model, j, c.accuracy, areas[j % len(areas)]) for j in range(c.count)
    ]
    model._accuracy = np.array([pr.accuracy for pr in model.professionals], dtype=np.float64)
    model._beats = Professional.areas(model.professionals, c.beat)


def _forget_agent_ids(model: mesa.Model) -> None:
    """Drop Mesa's counter of the model's agent ids, once every agent has its id.

    Mesa 3.3 counts ids in ``mesa.Agent._ids``, a class-level dict keyed by the model,
    which so holds every model for the life of the process (Mesa issue #3179, fixed
    upstream). A sweep worker then kept every replication it ran (~0.85 MB each at
    100,000 actors) until loky replaced it as leaking, after ~15 cells of the roles
    experiment, with a fresh worker that had to start again.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)
