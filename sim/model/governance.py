"""The arrangement model: government, partners, professionals and population, in rounds.

One round (``GovernanceModel.step``) runs the phases of the data process in order
(concepts §3, §7): framing -> collection -> analysis -> interpretation ->
allocation (by role) -> reflexive response -> outcomes. Each phase's regime setting
changes who knows what and who can act; nothing is a multiplier keyed on a label.
See ``docs/ODD.md`` for every rule and unit.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents import Partner, Professional
from sim.config import SimConfig
from sim.kernels import population as kp
from sim.model.allocation import adapt_capacity, allocate
from sim.model.analysis import analyse
from sim.model.collection import collect
from sim.model.exact import _mean
from sim.model.framing import frame
from sim.model.interpretation import interpret
from sim.model.parties import _forget_agent_ids, make_partners, make_professionals
from sim.model.response import respond
from sim.model.streams import (
    S_ALLOCATION,
    S_COLLECTION,
    S_FRAMING,
    S_INTERPRETATION,
    _LazyGenerator,
    _RoundStreams,
)
from sim.world import (
    STREAM_INSPECTIONS,
    generator,
    make_replication,
    place_counts,
)


class GovernanceModel(mesa.Model):
    """An arrangement around one public issue, for one replication.

    Args:
        cfg: A validated configuration.
        replication: Replication index; with ``cfg.run.seed`` it fixes every draw.
        parallel: Force the parallel or serial population kernel (default by size).
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
        self.last_units = np.zeros(n_places)  # units per place last round (dashboard map)
        self.tally_prev = np.zeros((n_places, kp.N_TALLY), dtype=np.int64)
        self.neighbour_rate = np.zeros(n_places)
        self.at_place = place_counts(self.actors["place"], n_places).astype(np.float64)
        self.legitimacy = cfg.legitimacy.initial
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
        make_partners(self)
        make_professionals(self)
        _forget_agent_ids(self)  # every agent is made: let the model be freed when done

    # ------------------------------------------------------------------ round
    def step(self) -> None:
        """Run one round; its record (one row of ``rounds.parquet``) is ``self.record``."""
        t = self.round
        rng = self._streams.phases(t)

        candidates, cause_considered = frame(self, rng[S_FRAMING])
        data_shared, observed_truth = collect(self, rng[S_COLLECTION])
        fit, chosen, false_discoveries = analyse(self, candidates)
        estimate, heard, contested = interpret(self, fit, observed_truth, rng[S_INTERPRETATION])
        alloc = allocate(self, estimate, rng[S_ALLOCATION])
        tally, belief_sum = respond(self, alloc)
        record = self.outcomes(tally, belief_sum, alloc, data_shared, heard, contested)
        record.update(
            cause_considered=float(cause_considered),
            cause_identified=float(0 <= self.believed_cause < len(self.driver_cols)),  # drivers: first columns
            false_discoveries=float(false_discoveries),
            record_accuracy=self.record_accuracy,
        )
        if self.scoring:
            t_sum = self.tally_prev.sum(axis=0)
            record.update(
                score_threshold=float(self.threshold),
                score_estimate=float(self.score_estimate),
                misclassified=float(t_sum[kp.T_FALSE_CLEARED] + t_sum[kp.T_FALSE_FLAGGED]) / self.n_actors,
                gaming_burden=float(self.fsum_prev[:, kp.F_BURDEN].sum()) / self.n_actors,
            )
        self.round += 1
        record["round"] = self.round
        self.record = record

    # Each phase is also a method, to run one phase on a state a test or script has set up.
    framing = frame
    collection = collect
    analysis = analyse
    interpretation = interpret
    allocation = allocate
    _adapt_capacity = adapt_capacity
    reflexive_response = respond

    def _audience(self) -> float:
        """Share of partners who see the results of the analysis."""
        return self._audience_share

    # 7. outcomes -----------------------------------------------------------
    def outcomes(self, tally, belief_sum, alloc, data_shared, heard, contested) -> dict[str, float]:
        """Book the public account of the round and update trust and support."""
        cfg = self.cfg
        v, w = cfg.valuation, cfg.weights
        n = float(self.n_actors)
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
        at_table = int(np.count_nonzero(self.partner_heard)) + int(np.count_nonzero(self.professional_contributed))
        cost = alloc["own"] * v.unit_cost * role.unit_cost_factor
        if role.intervenes:
            cost += role.overhead + cfg.analytics.steps * v.analytics_cost + v.coordination_cost * at_table
            if role.publishes:
                cost += cfg.platform.cost + cfg.platform.facilitation * cfg.platform.support_cost
        benefit = v.harm_cost * (potential - harm)
        linked = (1.0 + data_shared * len(self.partners) * cfg.partners.coverage) / (
            1.0 + len(self.partners) * cfg.partners.coverage
        )
        identifiable = 1.0 - (cfg.privacy.identifiable_share if cfg.privacy.pseudonymisation else 0.0)
        privacy_exposure = float(cfg.analytics.privacy * linked * identifiable) if role.intervenes else 0.0
        innocents = total[kp.T_INNOCENT_CHECKED]
        negative = (
            v.privacy_cost * privacy_exposure + v.burden_cost * innocents + v.displacement_cost * total[kp.T_MOVED]
        )
        positive = v.innovation_value * alloc["reusers"] + v.self_reliance_value * alloc["partner_total"]
        # Support: voice, transparency, results, fairness (concepts §4, claim 7).
        parties = len(self.partners) + len(self.professionals)
        voice = at_table / parties if parties else 0.0
        transparency = self._audience() if self.partners else float(cfg.regime.use == "open")
        seen = total[kp.T_SAW_TARGETING] / n
        # Unfair: innocents checked, gaming that others can see, contested results.
        unfair = min(1.0, 10.0 * innocents / n + evasion_rate * min(seen, 1.0) + 0.5 * contested)
        fairness = 1.0 - unfair
        L = cfg.legitimacy
        wsum = L.voice + L.transparency + L.results + L.fairness
        target = (
            (L.voice * voice + L.transparency * transparency + L.results * results + L.fairness * fairness) / wsum
            if wsum > 0
            else self.legitimacy
        )
        self.legitimacy = min(max(self.legitimacy + L.rate * (target - self.legitimacy), 0.0), 1.0)
        if self.partners:
            harmed = self._data_cost * (0.4 + 0.6 * self._audience_share) * self.partner_shared
            if cfg.privacy.pseudonymisation:
                harmed = harmed * (1.0 - cfg.privacy.identifiable_share)
            self.partner_trust[:] = Partner.update_trust(
                self.partner_trust, cfg.partners.trust_rate, self._involvement, self.partner_heard, harmed, results
            )
        if self.professionals:
            used = self.professional_contributed if cfg.regime.interpretation != "closed" else False
            self.professional_engagement[:] = Professional.update_engagement(
                self.professional_engagement, cfg.professionals.engagement_rate, used
            )
        trust = float(_mean(self.partner_trust)) if self.partners else self.legitimacy
        public_value = (
            w.cost * cost
            + w.benefit * benefit
            + w.negative_side_effects * negative
            + w.positive_side_effects * positive
            + w.legitimacy * self.legitimacy
        )
        actors_now = np.maximum(tally[:, kp.T_ACTORS], 1)
        return {
            "cost": float(cost),
            "benefit": float(benefit),
            "negative_side_effects": float(negative),
            "positive_side_effects": float(positive),
            "legitimacy": self.legitimacy,
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
            "engagement": float(_mean(self.professional_engagement)) if self.professionals else 0.0,
            "contested": float(contested),
            "mean_belief": float(belief_sum.sum() / n),
            "mean_detection": float((alloc["detect"] * actors_now).sum() / actors_now.sum()),
        }


_EMPTY = np.zeros(0)


def simulate(cfg: SimConfig, replication: int = 0, parallel: bool | None = None) -> list[dict[str, float]]:
    """Run one replication for ``cfg.run.rounds`` rounds; one record per round."""
    model = GovernanceModel(cfg, replication, parallel=parallel)
    rows = []
    for _ in range(cfg.run.rounds):
        model.step()
        rows.append(model.record)
    return rows
