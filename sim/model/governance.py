"""The arrangement model: its state, and the schedule of one round.

One round (``GovernanceModel.step``) runs the phases of the data process in order
(concepts §3, §7): framing -> collection -> analysis -> interpretation ->
allocation (by role) -> reflexive response -> outcomes, each a function in the file
named after it (the map is in :mod:`sim.model`). Each phase's regime setting changes
who knows what and who can act; nothing is a multiplier keyed on a label. See
``docs/ODD.md`` for every rule and unit.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.config import SimConfig
from sim.kernels import population as kp
from sim.model.allocation import adapt_capacity, allocate
from sim.model.analysis import analyse
from sim.model.collection import collect
from sim.model.framing import frame
from sim.model.interpretation import interpret
from sim.model.outcomes import account, diagnostics
from sim.model.parties import _forget_agent_ids, admit_partners, make_partners, make_professionals
from sim.model.response import react
from sim.model.streams import (
    S_ALLOCATION,
    S_COLLECTION,
    S_FRAMING,
    S_INTERPRETATION,
    _LazyGenerator,
    _RoundStreams,
)
from sim.schedule import Change, change_now, resolve
from sim.world import STREAM_INSPECTIONS, generator, make_replication, place_counts


class GovernanceModel(mesa.Model):
    """An arrangement around one public issue, for one replication.

    The model owns all state, most of it NumPy arrays with one entry per place (or per
    partner, professional, actor); the phases read and update it. The underscored
    attributes are what a phase computes once and keeps (named where they are made).

    Args:
        cfg: A validated configuration.
        replication: Replication index; with ``cfg.run.seed`` it fixes every draw.
        parallel: Force the parallel or serial population kernel (default by size).

    Attributes:
        cfg: The configuration.
        round: Rounds completed; ``record`` is the last one's row of ``rounds.parquet``.
        world: The places (features, drivers, ``cause_present``); ``actors`` the
            population's arrays (``sim.world``), which the kernel updates in place.
        driver_cols: Feature columns of the true drivers (the first columns), then
            ``proxy_cols`` and ``noise_cols``.
        records: The government's recorded incidents per place (collection);
            ``history`` each round's, for the analysis lag.
        believed_cause: The feature column the government treats as the cause
            (analysis, interpretation; -1: none); ``fitted_effect`` its fitted effect.
        votes_yes: With ``votes_no``, the knowledge base: professionals' judgements
            of the cause per place (interpretation).
        capacity: Inspection capacity per 1,000 actors (allocation; moves with
            ``government.adaptation`` and a blueprint's standard, ``recorded`` the
            incidents it monitors); ``unvisited`` the rounds since a place got its
            part of the own units (exploratory search); ``threshold`` and ``score_estimate`` the
            score-profiling cut-off in force and its estimate.
        prevention: Prevention in force per place (allocation); ``last_units`` the
            units sent per place; ``dispatch_p`` where whole inspections went.
        tally_prev: Last round's per-place tally of the population kernel
            (``kp.T_*`` columns; response), ``fsum_prev`` its sums per place;
            ``neighbour_rate`` the share of violators caught per place, which actors
            learn from, and ``at_place`` the actors per place.
        legitimacy: Support for the government, in [0, 1] (outcomes);
            ``expected_legitimacy`` what actors have come to expect, ``grievance``
            the shortfall beyond tolerance (response), ``agreement`` whether the
            parties at this round's table agreed on progress (interpretation).
        partners: The partners (``sim.agents.Partner``), with their state in
            ``partner_trust``, ``partner_shared``, ``partner_heard``,
            ``partner_reused``, ``partner_units``, ``partner_records`` and
            ``partner_member`` (in the arrangement or outside it; parties, outcomes).
        professionals: The professionals (``sim.agents.Professional``), with
            ``professional_engagement`` and ``professional_contributed`` (parties).
    """

    def __init__(self, cfg: SimConfig, replication: int = 0, parallel: bool | None = None) -> None:
        super().__init__(rng=int(generator(cfg.run.seed, replication, 0).integers(2**63)))
        self.cfg = cfg
        self.replication = replication
        self.parallel = parallel
        self.round = 0
        self.world, self.actors = make_replication(cfg, replication)
        n_places = cfg.world.places
        self.n_actors = cfg.world.actors
        self.features = self.world.features
        self.cause_present = self.world.cause_present
        d, p = cfg.world.drivers, cfg.world.proxies
        self.driver_cols = np.arange(d)
        self.proxy_cols = np.arange(d, d + p)
        self.noise_cols = np.arange(d + p, self.features.shape[1])
        self.opportunity0 = 1.0 + cfg.world.driver_effect * self.world.drivers.sum(axis=1)
        # Government state: records, knowledge base, allocation memory.
        g = cfg.government
        self.records = g.prior_records + g.prior_records_driver * self.cause_present.astype(np.float64)
        self.history: list[np.ndarray] = [self.records.copy()]
        self.votes_yes = np.zeros(n_places)
        self.votes_no = np.zeros(n_places)
        self.prevention = np.zeros(n_places)
        self.estimate_prev: np.ndarray | None = None
        self.fixed_share: np.ndarray | None = None
        self.recorded = 0.0  # incidents recorded last round (collection), for the blueprint's standard
        self.unvisited = np.zeros(n_places)  # rounds since a place got its part of the own units (exploration)
        self.last_units = np.zeros(n_places)  # units per place last round (dashboard map)
        self.tally_prev = np.zeros((n_places, kp.N_TALLY), dtype=np.int64)
        self.neighbour_rate = np.zeros(n_places)
        self.at_place = place_counts(self.actors["place"], n_places).astype(np.float64)
        self.legitimacy = cfg.legitimacy.initial
        # What actors expect legitimacy to be (it follows the actual with legitimacy.adaptation);
        # support lost faster than they expect leaves a grievance (response).
        self.expected_legitimacy = cfg.legitimacy.initial
        self.grievance = 0.0
        self.agreement = True  # whether the parties at the table agreed on progress (interpretation)
        self.believed_cause = -1
        self._own_frame: np.ndarray | None = None
        self._centred: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}  # by candidate set (analysis)
        self.fitted_effect = 0.0  # mean record with - without the chosen feature (analysis)
        self._first_noise = d + p
        # Where each inspection unit went last round (draw dispatch), for interpretation.
        self.dispatch_p: np.ndarray | None = None
        # One stream for the whole replication: a seeded generator per round would cost
        # more than the rest of a round of a small world.
        self._inspection_rng = _LazyGenerator(generator, cfg.run.seed, replication, STREAM_INSPECTIONS)
        # Inspection capacity per 1,000 actors; moves each round if government.adaptation > 0.
        self.capacity = g.capacity
        # Score profiling: the threshold in force and the government's estimate of the
        # mean observed score (least squares), both starting at the cut-off.
        self.threshold = g.qualification
        self.score_estimate = g.qualification
        self.scoring = cfg.analytics.resolution == "individual" and cfg.analytics.profile == "score"
        self.fsum_prev = np.zeros((n_places, kp.N_FSUM))
        self._driver_count = self.world.drivers.sum(axis=1).astype(np.float64)
        self._key_block = -1
        self._streams = _RoundStreams(cfg.run.seed, replication, cfg.run.rounds)
        self._keys = np.zeros(0, dtype=np.uint64)
        # The policy schedule: the changes to make after each round (sim/schedule.py).
        self.changes: dict[int, list[Change]] = {}
        self.applied: list[int] = []  # rounds after which a change was made now (apply_now)
        for change in resolve(cfg):
            self.changes.setdefault(change.after, []).append(change)
        make_partners(self)
        make_professionals(self)
        _forget_agent_ids(self)  # every agent is made: let the model be freed when done

    def step(self) -> None:
        """Run one round, the seven phases in order; its record (one row of ``rounds.parquet``) is ``self.record``."""
        if self.round in self.changes:  # the schedule's changes after the last round
            self.change(self.changes[self.round])
        rng = self._streams.phases(self.round)  # each drawing phase's own stream of this round
        candidates, cause_considered = frame(self, rng[S_FRAMING])  # 1. framing.py
        data_shared, observed = collect(self, rng[S_COLLECTION])  # 2. collection.py
        fit, _chosen, false_discoveries = analyse(self, candidates)  # 3. analysis.py
        estimate, heard, contested = interpret(self, fit, observed, rng[S_INTERPRETATION])  # 4. interpretation.py
        alloc = allocate(self, estimate, rng[S_ALLOCATION])  # 5. allocation.py
        tally, belief_sum = react(self, alloc)  # 6. response.py: the population kernel
        record = account(self, tally, belief_sum, alloc, data_shared, heard, contested)  # 7. outcomes.py
        record.update(diagnostics(self, cause_considered, false_discoveries))
        self.round += 1
        record["round"] = self.round
        self.record = record

    def change(self, changes: list[Change]) -> None:
        """Put scheduled changes in force before the next round (``sim.schedule``).

        The new configuration replaces ``cfg``; what the model built from the old one
        at the start is rebuilt where the change touches it (the partners' admission
        by the regime, the inspection capacity, the own frame of a wider search).
        A shock adds to legitimacy or every partner's trust, kept in [0, 1]. Nothing
        is drawn, so every random stream stays as it was.
        """
        for c in changes:
            old, self.cfg = self.cfg, c.cfg
            if c.cfg.regime != old.regime:
                admit_partners(self)
            if c.cfg.government.capacity != old.government.capacity:
                self.capacity = c.cfg.government.capacity  # adaptation goes on from here
            if c.cfg.analytics.features_searched != old.analytics.features_searched:
                self._own_frame = None  # framing builds it again for the new search
            if c.cfg.government.exploratory != old.government.exploratory:
                self.fixed_share = None  # a new blueprint fixes the next round's allocation
            if "legitimacy" in c.shock:
                self.legitimacy = min(max(self.legitimacy + c.shock["legitimacy"], 0.0), 1.0)
            if "trust" in c.shock:
                self.partner_trust[:] = np.clip(self.partner_trust + c.shock["trust"], 0.0, 1.0)

    def apply_now(self, sets: dict | None = None, shock: dict | None = None) -> Change:
        """Make a change now, before the next round (a trainer's switch: ``sim.schedule.change_now``).

        Raises:
            ConfigError: The change is not allowed (as in a schedule), or the run is over.
        """
        c = change_now(self.cfg, self.round, sets, shock)
        self.change([c])
        self.applied.append(self.round)
        return c

    # Each phase is also a method, to run one phase on a state a test or script has set up.
    framing = frame
    collection = collect
    analysis = analyse
    interpretation = interpret
    allocation = allocate
    _adapt_capacity = adapt_capacity
    reflexive_response = react
    outcomes = account


def simulate(cfg: SimConfig, replication: int = 0, parallel: bool | None = None) -> list[dict[str, float]]:
    """Run one replication for ``cfg.run.rounds`` rounds; one record per round."""
    model = GovernanceModel(cfg, replication, parallel=parallel)
    rows = []
    for _ in range(cfg.run.rounds):
        model.step()
        rows.append(model.record)
    return rows
