"""The arrangement model: government, partners, professionals and population, in rounds.

One round (``GovernanceModel.step``) runs the phases of the data process in order
(concepts §3, §7): framing -> collection -> analysis -> interpretation ->
allocation (by role) -> reflexive response -> outcomes. Each phase's regime setting
changes who knows what and who can act; nothing is a multiplier keyed on a label.
See ``docs/ODD.md`` for every rule and unit.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.agents import Partner, Professional
from sim.config import SimConfig
from sim.kernels import population as kp
from sim.model.analysis import analyse
from sim.model.collection import collect
from sim.model.exact import _exp, _mean
from sim.model.framing import frame
from sim.model.interpretation import interpret
from sim.model.parties import _forget_agent_ids, make_partners, make_professionals
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
    round_keys,
)

VISIBILITY = {"closed": 0, "restricted": 1, "open": 2}


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
        alloc = self.allocation(estimate, rng[S_ALLOCATION])
        tally, belief_sum = self.reflexive_response(alloc)
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

    def _audience(self) -> float:
        """Share of partners who see the results of the analysis."""
        return self._audience_share

    # 5. allocation ---------------------------------------------------------
    def allocation(self, estimate: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray | float]:
        """Turn the estimate into interventions according to the role.

        Capacity goes to places in proportion to (estimate - its minimum) to the
        power ``targeting_focus`` (``government.targeting=proportional``: to the
        estimate itself to that power). With ``government.adaptation > 0`` the
        capacity first moves by the net return per inspection of last round (what
        its inspections found, times the harm a catch undoes, minus the unit
        cost). Partners take on work where the role invites it,
        in proportion to capacity, alignment, trust and involvement; the government
        buys only the rest. Partners who do not see the results target by their
        own data. A commissioner's contractors put the misaligned share of the
        work where their performance measure is easiest to meet. Inspection units
        are spread over places (``dispatch=spread``: detection 1 - exp(-units /
        residents)) or drawn whole (``dispatch=draw``: each unit goes to a place
        drawn by share and inspects one resident there).
        """
        cfg, role = self.cfg, self.cfg.role
        g = cfg.government
        if g.adaptation > 0:
            self._adapt_capacity()
        n_places = estimate.shape[0]
        if cfg.analytics.smoothing > 0 and self.estimate_prev is not None:
            estimate = cfg.analytics.smoothing * self.estimate_prev + (1 - cfg.analytics.smoothing) * estimate
        self.estimate_prev = estimate
        share = _target_share(estimate, g.targeting_focus, g.targeting == "proportional")
        if not cfg.government.exploratory:
            # Blueprint: the allocation of the first round is kept (table 4).
            if self.fixed_share is None:
                self.fixed_share = share
            share = self.fixed_share
        capacity = self.capacity * self.n_actors / 1000.0
        # Drawn only where it is used (the stream is this phase's alone).
        reuse_drawn = self.partners and role.intervenes and role.partner_work > 0 and role.publishes
        u_reuse = rng.random(len(self.partners)) if reuse_drawn else _EMPTY
        partner_units = np.zeros(n_places)
        reusers = 0
        self.partner_units[:] = 0.0
        self.partner_reused[:] = False
        if self.partners and role.intervenes and role.partner_work > 0:
            involvement = self._involvement
            if role.coordinates:
                involvement = np.maximum(involvement, 0.5)  # the director brings partners to the table
            taking = np.ones(len(self.partners), dtype=bool)
            if role.publishes:
                # Reuse of published data needs effort; facilitation lowers it (claim 8).
                ease = cfg.platform.reuse_ease + cfg.platform.facilitation * (1 - cfg.platform.reuse_ease)
                taking = u_reuse < ease * self._alignment
                self.partner_reused[:] = taking
                reusers = int(np.count_nonzero(taking))
                involvement = np.maximum(involvement, 0.5)
            units = self._capacity * self._alignment * self.partner_trust * involvement * role.partner_work
            taking &= units > 0
            sees_all = role.coordinates or role.publishes
            for j in np.flatnonzero(taking).tolist():  # in partner order: the sum is the loop's, to the bit
                sees = sees_all or self._sees[j]
                target = share if sees else _target_share(self.partner_records[j], cfg.government.targeting_focus)
                partner_units += units[j] * target
            self.partner_units[taking] = units[taking]
        partner_total = float(partner_units.sum())
        if not role.intervenes:
            own = 0.0
        elif role.partner_work > 0:
            own = max(capacity * role.own_share_min, capacity - partner_total)
        else:
            own = capacity
        engagement = _mean(self.professional_engagement) if self.professionals else 1.0
        delivered = own * (0.6 + 0.4 * engagement)  # professionals deliver the work
        own_share = share
        if role.contracted and self.partners:
            a = self._mean_alignment
            easy = _target_share(self.at_place, 1.0)
            own_share = a * share + (1 - a) * easy
            partner_total += delivered
            self.partner_units += delivered / len(self.partners)
        own_units = delivered * own_share
        enforce = own_units * role.enforcement
        prevent = own_units * (1.0 - role.enforcement) + partner_units
        n_here = np.maximum(self.at_place, 1.0)
        if g.dispatch == "draw":
            detect = self._draw_inspections(enforce, n_here)
        else:
            detect = 1.0 - _exp(-enforce / n_here)
        self.prevention = g.prevention_decay * self.prevention + g.prevention_efficacy * prevent / n_here
        total = own_units + partner_units
        self.last_units = total
        units_sum = float(total.sum())
        # A share; summed apart, the part can round above the whole (1.0000000000000002).
        misallocation = min(float(total[~self.cause_present].sum() / units_sum), 1.0) if units_sum > 0 else 0.0
        return {
            "share": share,
            "detect": detect,
            "own": own,
            "partner_total": partner_total,
            "units": units_sum,
            "misallocation": misallocation,
            "reusers": float(reusers),
        }

    def _adapt_capacity(self) -> None:
        """Move the inspection rate along the regulator's net return per inspection.

        The regulator sees only what its inspections found last round: the share of
        inspected actors who violated. Each catch undoes ``recovery x harm_cost``
        kEUR of harm, each inspection costs the unit cost; the inspection rate
        (capacity / 1,000) moves by ``adaptation`` times that net return
        (projected gradient ascent on its own account, Tsebelis 1989).
        """
        cfg, g = self.cfg, self.cfg.government
        caught = float(self.tally_prev[:, kp.T_CAUGHT].sum())
        checked = caught + float(self.tally_prev[:, kp.T_INNOCENT_CHECKED].sum())
        if checked <= 0:
            return
        v = cfg.valuation
        net = v.harm_cost * g.recovery * caught / checked - v.unit_cost * cfg.role.unit_cost_factor
        self.capacity = min(max(self.capacity + 1000.0 * g.adaptation * net, 0.0), 1000.0)

    def _draw_inspections(self, enforce: np.ndarray, n_here: np.ndarray) -> np.ndarray:
        """Send whole inspection units to places drawn by share; each inspects one resident.

        The number of units is the capacity, rounded up or down at random (keeping
        its mean). Returns the probability that a resident is inspected.
        """
        total = float(enforce.sum())
        if total <= 0:
            self.dispatch_p = None
            return np.zeros_like(enforce)
        rng = self._inspection_rng
        whole = math.floor(total)
        units = whole + int(rng.random() < total - whole)
        self.dispatch_p = enforce / total
        counts = rng.multinomial(units, self.dispatch_p)
        return np.minimum(counts / n_here, 1.0)

    # 6. reflexive response -------------------------------------------------
    def reflexive_response(self, alloc) -> tuple[np.ndarray, np.ndarray]:
        """Run the population kernel: actors learn, choose and meet enforcement.

        With score profiling the government's threshold is the cut-off
        (``naive``), the cut-off plus the most a cleared decision is worth moving
        for, decision_gain / score_cost (``robust``, Hardt et al. 2016), or its
        least-squares estimate of the mean observed score (``estimated``).
        """
        cfg, p = self.cfg, self.cfg.population
        relief = _exp(-self.prevention)
        opportunity = 1.0 + cfg.world.driver_effect * (self._driver_count * relief)
        mult_hi = mult_lo = 1.0
        if cfg.analytics.resolution == "individual":
            share_t = float(self.actors["trait"].mean())
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
            p.violation_cost,
            *self._score_params(),
        )
        detect = alloc["detect"]
        key = self._round_key(self.round)
        tally, fsum = kp.respond(
            self.actors,
            opportunity,
            self.opportunity0,
            detect,
            detect,
            self.neighbour_rate,
            params,
            key,
            parallel=self.parallel,
        )
        violations = tally[:, kp.T_VIOLATIONS]
        self.neighbour_rate = np.where(violations > 0, tally[:, kp.T_CAUGHT] / np.maximum(violations, 1), 0.0)
        self.at_place = tally[:, kp.T_ACTORS].astype(np.float64)
        self.tally_prev = tally
        self.fsum_prev = fsum
        return tally, fsum[:, kp.F_BELIEF]

    def _round_key(self, t: int) -> int:
        """The kernel's key of round t, computed in blocks of rounds (a key each costs ~20 us)."""
        block = t // 1024
        if self._key_block != block:
            self._keys = round_keys(self.cfg.run.seed, self.replication, block * 1024, 1024)
            self._key_block = block
        return int(self._keys[t - block * 1024])

    def _score_params(self) -> tuple:
        """The kernel's score-profiling parameters (all off without score profiling)."""
        if not self.scoring:
            return ()
        p, g = self.cfg.population, self.cfg.government
        if g.threshold == "robust":
            self.threshold = g.qualification + p.decision_gain / p.score_cost
        elif g.threshold == "estimated":
            self.threshold = self.score_estimate
        else:
            self.threshold = g.qualification
        return (True, self.threshold, p.score_anchor, p.decision_gain, p.score_cost, p.threshold_noise, g.qualification)

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


def _target_share(estimate: np.ndarray, focus: float, proportional: bool = False) -> np.ndarray:
    """Capacity share per place: (estimate - min)^focus (or estimate^focus), normalised; uniform if flat."""
    excess = np.maximum(estimate, 0.0) if proportional else np.maximum(estimate - estimate.min(), 0.0)
    if focus != 1.0:
        excess = np.array([math.pow(e, focus) for e in excess.tolist()])  # libm's, as _exp
    total = excess.sum()
    if not math.isfinite(total) or total <= 0:
        return np.full(estimate.shape[0], 1.0 / estimate.shape[0])
    return excess / total


def simulate(cfg: SimConfig, replication: int = 0, parallel: bool | None = None) -> list[dict[str, float]]:
    """Run one replication for ``cfg.run.rounds`` rounds; one record per round."""
    model = GovernanceModel(cfg, replication, parallel=parallel)
    rows = []
    for _ in range(cfg.run.rounds):
        model.step()
        rows.append(model.record)
    return rows
