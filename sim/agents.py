"""The few rich actors: partners and professionals (Mesa agents).

The government's phases live on the model (:mod:`sim.model`), which owns the
population arrays; the agents here make their own decisions each round: whether
to share data, what analysis to bring, how much work to take on, how engaged to be.
"""

from __future__ import annotations

from typing import NamedTuple

import mesa
import numpy as np

# A partner whose alignment reaches this counts as like-minded (§4.5-4.6): it is
# admitted where a phase is ``restricted``.
ALIGNED = 0.5


def admits(setting: str, aligned: bool) -> bool:
    """Whether a phase with this setting admits a party."""
    return setting == "open" or (setting == "restricted" and aligned)


class Beats(NamedTuple):
    """The professionals' areas, as :meth:`Professional.review` reads them."""

    places: np.ndarray  # (professionals, widest area): each one's area, padded with zeros
    padding: np.ndarray  # (professionals, widest area): True past the end of an area
    rows: np.ndarray  # (professionals, 1): each one's row, for picking from ``places``
    k: np.ndarray  # places each reviews when engaged: min(beat, area size)
    first_k: np.ndarray  # (professionals, widest beat): True at the first k positions


class Voices(NamedTuple):
    """Partners' fixed traits, as :meth:`Partner.analyses` reads them."""

    alignment: np.ndarray  # (partners, 1)
    coverage: np.ndarray  # (partners, places): where each one's data reaches
    interest: np.ndarray  # (partners, places): each one's own priorities
    has_data: np.ndarray  # whether its data reaches any place
    counts: np.ndarray  # places its data reaches (at least 1)
    interest_mean: np.ndarray  # (partners, 1): mean interest (at least 1e-9)


class _State:
    """An agent attribute kept in an array of its model (``model.<array>[agent.index]``).

    The model updates every partner's (or professional's) state in one array
    operation a round; the attribute reads and writes the agent's entry.
    """

    def __init__(self, array: str, kind: type) -> None:
        self.array, self.kind = array, kind

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return self.kind(getattr(agent.model, self.array)[agent.index])

    def __set__(self, agent, value) -> None:
        getattr(agent.model, self.array)[agent.index] = value


class Partner(mesa.Agent):
    """A partner organisation with its own interests, data and capacity.

    Its changing state (``trust``, ``shared``, ``heard``, ``reused``, ``units``) lives
    in the model's arrays ``partner_<name>``, one entry per partner (``index``); the
    rules below update all partners at once.

    Attributes:
        alignment: Alignment of its interests with the public goal, in [0, 1].
        trust: Trust in the government, in [0, 1].
        data_cost: What its data's use may cost it, in [0, 1].
        coverage: (places,) bool, the places its data covers.
        interest: (places,) its own priorities (what a self-serving analysis pushes).
        pet_feature: Index of the (noise) feature its self-serving hypothesis names.
        capacity: Units per round it could bring (already scaled to the population).
    """

    trust = _State("partner_trust", float)
    shared = _State("partner_shared", bool)
    heard = _State("partner_heard", bool)
    reused = _State("partner_reused", bool)
    units = _State("partner_units", float)
    member = _State("partner_member", bool)

    def __init__(
        self,
        model: mesa.Model,
        index: int,
        alignment: float,
        data_cost: float,
        coverage: np.ndarray,
        interest: np.ndarray,
        pet_feature: int,
        capacity: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.alignment = alignment
        self.data_cost = data_cost
        self.coverage = coverage
        self.interest = interest
        self.pet_feature = pet_feature
        self.capacity = capacity

    @property
    def aligned(self) -> bool:
        """Like-minded: admitted to restricted phases."""
        return self.alignment >= ALIGNED

    def involvement(self, regime) -> float:
        """Share of the four phases this partner takes part in."""
        phases = (regime.framing, regime.collection, regime.interpretation, regime.use)
        return sum(admits(s, self.aligned) for s in phases) / 4.0

    def sees_results(self, regime) -> bool:
        """Whether the results of the analysis reach this partner (use phase)."""
        return admits(regime.use, self.aligned)

    @staticmethod
    def decide_sharing(
        asked: np.ndarray,
        trust: np.ndarray,
        data_cost: np.ndarray,
        audience: float,
        pseudonymised: bool,
        identifiable_share: float,
        threshold: float,
        noise: np.ndarray,
    ) -> np.ndarray:
        """Which partners share data: those asked whose trust outweighs what its use may cost (§4.5, §2.6).

        The cost grows with the audience that sees the results (nobody beyond the
        government: 40% of the cost; everybody: all of it); pseudonymisation at the
        source removes the part of the cost that comes from identification. One
        entry per partner in each array.
        """
        cost = data_cost * (0.4 + 0.6 * audience)
        if pseudonymised:
            cost = cost * (1.0 - identifiable_share)
        return asked & (trust - cost + noise > threshold)

    @staticmethod
    def voices(alignment: np.ndarray, coverage: np.ndarray, interest: np.ndarray) -> Voices:
        """What :meth:`analyses` reads of these partners, computed once (it does not change).

        Args:
            alignment: Each partner's alignment.
            coverage: (partners, places): where each partner's data reaches.
            interest: (partners, places): each partner's own priorities.
        """
        counts = coverage.sum(axis=1)
        return Voices(
            alignment=alignment[:, None],
            coverage=coverage,
            interest=interest,
            has_data=counts > 0,
            counts=np.maximum(counts, 1),
            interest_mean=np.maximum(interest.mean(axis=1), 1e-9)[:, None],
        )

    @staticmethod
    def analyses(voices: Voices, observed: np.ndarray) -> np.ndarray:
        """The analysis each partner brings: its data where aligned, its interests where not.

        A partner's own view is what it observed at the places its data covers and the
        mean of that elsewhere; a self-serving analysis pushes its own priorities, at
        the scale of the observations. One row per partner of ``voices`` (:meth:`voices`).
        """
        # nanmean of the covered places (as np.nanmean computes it), the overall mean where none is.
        mean_obs = float(observed.sum() / observed.size)  # = np.mean, without its checks
        sums = np.where(voices.coverage, observed, 0.0).sum(axis=1)
        fill = np.where(voices.has_data, sums / voices.counts, mean_obs)
        own = np.where(voices.coverage, observed, fill[:, None])
        scale = max(mean_obs, 1e-9)
        biased = scale * voices.interest / voices.interest_mean
        return voices.alignment * own + (1.0 - voices.alignment) * biased

    @staticmethod
    def willingness(trust: np.ndarray, legitimacy: float, weight: float) -> np.ndarray:
        """How far partners will share and work: trust, raised or lowered by the government's support.

        Procedural justice (Tyler 2006): a government seen as legitimate gets more
        cooperation than its partners' own trust alone would give; below 0.5 less.
        """
        if weight == 0.0:
            return trust
        return np.minimum(np.maximum(trust + weight * (legitimacy - 0.5), 0.0), 1.0)

    @staticmethod
    def update_trust(
        trust: np.ndarray, rate: float, involvement: np.ndarray, heard: np.ndarray, harmed: np.ndarray, results: float
    ) -> np.ndarray:
        """Trust follows involvement and being heard, and falls when its data hurt it (all partners)."""
        signal = 0.25 + 0.4 * involvement + 0.2 * heard + 0.15 * results - 0.6 * harmed
        return np.minimum(np.maximum(trust + rate * (signal - trust), 0.0), 1.0)


class Professional(mesa.Agent):
    """A front-line professional with noisy context knowledge of local causes.

    Its changing state (``engagement``, ``contributed``) lives in the model's arrays
    ``professional_<name>``, one entry per professional (``index``).

    Attributes:
        accuracy: Probability of judging a place's cause correctly.
        engagement: Willingness to contribute knowledge, in [0, 1].
        area: Places the professional knows.
    """

    engagement = _State("professional_engagement", float)
    contributed = _State("professional_contributed", bool)

    def __init__(self, model: mesa.Model, index: int, accuracy: float, area: np.ndarray) -> None:
        super().__init__(model)
        self.index = index
        self.accuracy = accuracy
        self.area = area

    @staticmethod
    def areas(professionals: list[Professional], beat: int) -> Beats:
        """The professionals' areas as :meth:`review` reads them, built once (they do not change).

        Args:
            professionals: The professionals, in order.
            beat: Places each reviews per round when engaged.
        """
        n = len(professionals)
        sizes = np.array([p.area.size for p in professionals], dtype=np.int64)
        width = max(int(sizes.max()), 1) if n else 1
        places = np.zeros((n, width), dtype=np.int64)
        for j, p in enumerate(professionals):
            places[j, : p.area.size] = p.area
        k = np.minimum(beat, sizes)
        width_k = max(min(beat, width), 0)
        return Beats(
            places=places,
            padding=np.arange(width)[None, :] >= sizes[:, None],
            rows=np.arange(n)[:, None],
            k=k,
            first_k=np.arange(width_k)[None, :] < k[:, None],
        )

    @staticmethod
    def review_all(
        professionals: list[Professional], rng: np.random.Generator, cause_present: np.ndarray, beat: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`review` by these professionals; sets each one's ``contributed``.

        Returns:
            ``(places, judgements)`` of every engaged professional, concatenated.
        """
        beats = Professional.areas(professionals, beat)
        engagement = np.array([p.engagement for p in professionals], dtype=np.float64)
        accuracy = np.array([p.accuracy for p in professionals], dtype=np.float64)
        places, judged, contributed = Professional.review(engagement, accuracy, beats, rng, cause_present)
        for j, p in enumerate(professionals):
            p.contributed = bool(contributed[j])
        return places, judged

    @staticmethod
    def review(
        engagement: np.ndarray,
        accuracy: np.ndarray,
        beats: Beats,
        rng: np.random.Generator,
        cause_present: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each professional, if engaged, judges the cause at up to ``beat`` places of its area.

        A professional is engaged with probability ``engagement``, picks
        ``min(beat, area size)`` distinct places of its area at random and judges each
        correctly with probability ``accuracy``. All professionals draw together
        (engagement, then the picks, then the judgements), one array each.

        Args:
            engagement: Each professional's engagement.
            accuracy: Each professional's accuracy.
            beats: Their areas and beats (:meth:`areas`).
            rng: The round's interpretation stream.
            cause_present: Places where a true driver is present.

        Returns:
            ``(places, judgements, contributed)``: the places and judgements of every
            engaged professional, concatenated, and who contributed.
        """
        n, width = beats.places.shape
        engaged = rng.random(n) < engagement
        # A uniform sample without replacement: the places with the k smallest random keys.
        keys = rng.random((n, width))
        keys[beats.padding] = np.inf  # areas shorter than the widest
        width_k = beats.first_k.shape[1]
        picks = beats.places[beats.rows, np.argsort(keys, axis=1)[:, :width_k]]
        correct = rng.random((n, width_k)) < accuracy[:, None]
        contributed = engaged & (beats.k > 0)
        use = contributed[:, None] & beats.first_k
        truth = cause_present[picks]
        return picks[use], np.where(correct, truth, ~truth)[use], contributed

    @staticmethod
    def update_engagement(
        engagement: np.ndarray, rate: float, knowledge_used: np.ndarray, support: float = 0.0
    ) -> np.ndarray:
        """Engagement rises where knowledge is used, falls where steered as instrument (all professionals).

        ``support`` shifts the target: professionals engage more for a government
        their public supports (``legitimacy.professional_weight`` x (legitimacy - 0.5)).
        """
        target = np.where(knowledge_used, 0.9, 0.2)
        if support != 0.0:
            target = target + support
        return np.minimum(np.maximum(engagement + rate * (target - engagement), 0.0), 1.0)
