"""The few rich actors: partners and professionals (Mesa agents).

The government's phases live on the model (:mod:`sim.model`), which owns the
population arrays; the agents here make their own decisions each round: whether
to share data, what analysis to bring, how much work to take on, how engaged to be.
"""

from __future__ import annotations

import mesa
import numpy as np

# A partner whose alignment reaches this counts as like-minded (§4.5-4.6): it is
# admitted where a phase is ``restricted``.
ALIGNED = 0.5


def admits(setting: str, aligned: bool) -> bool:
    """Whether a phase with this setting admits a party."""
    return setting == "open" or (setting == "restricted" and aligned)


class Partner(mesa.Agent):
    """A partner organisation with its own interests, data and capacity.

    Attributes:
        alignment: Alignment of its interests with the public goal, in [0, 1].
        trust: Trust in the government, in [0, 1].
        data_cost: What its data's use may cost it, in [0, 1].
        coverage: (places,) bool, the places its data covers.
        interest: (places,) its own priorities (what a self-serving analysis pushes).
        pet_feature: Index of the (noise) feature its self-serving hypothesis names.
        capacity: Units per round it could bring (already scaled to the population).
    """

    def __init__(
        self,
        model: mesa.Model,
        alignment: float,
        trust: float,
        data_cost: float,
        coverage: np.ndarray,
        interest: np.ndarray,
        pet_feature: int,
        capacity: float,
    ) -> None:
        super().__init__(model)
        self.alignment = alignment
        self.trust = trust
        self.data_cost = data_cost
        self.coverage = coverage
        self.interest = interest
        self.pet_feature = pet_feature
        self.capacity = capacity
        self.shared = False
        self.heard = False
        self.reused = False
        self.units = 0.0

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

    def decide_sharing(
        self,
        asked: bool,
        audience: float,
        pseudonymised: bool,
        identifiable_share: float,
        threshold: float,
        noise: float,
    ) -> bool:
        """Share data if trust outweighs what its use may cost (§4.5, §2.6).

        The cost grows with the audience that sees the results (nobody beyond the
        government: 40% of the cost; everybody: all of it); pseudonymisation at the
        source removes the part of the cost that comes from identification.
        """
        if not asked:
            self.shared = False
            return False
        cost = self.data_cost * (0.4 + 0.6 * audience)
        if pseudonymised:
            cost *= 1.0 - identifiable_share
        self.shared = bool(self.trust - cost + noise > threshold)
        return self.shared

    @staticmethod
    def analyses(alignment: np.ndarray, coverage: np.ndarray, interest: np.ndarray, observed: np.ndarray) -> np.ndarray:
        """The analysis each partner brings: its data where aligned, its interests where not.

        A partner's own view is what it observed at the places its data covers and the
        mean of that elsewhere; a self-serving analysis pushes its own priorities, at
        the scale of the observations. One row per partner, from the partners'
        ``alignment``, ``coverage`` and ``interest`` stacked (rows in the same order).
        """
        alignment = alignment[:, None]
        counts = coverage.sum(axis=1)
        # nanmean of the covered places (as np.nanmean computes it), the overall mean where none is.
        mean_obs = float(np.mean(observed))
        sums = np.where(coverage, observed, 0.0).sum(axis=1)
        fill = np.where(counts > 0, sums / np.maximum(counts, 1), mean_obs)
        own = np.where(coverage, observed, fill[:, None])
        scale = max(mean_obs, 1e-9)
        interest_mean = np.maximum(interest.mean(axis=1), 1e-9)[:, None]
        biased = scale * interest / interest_mean
        return alignment * own + (1.0 - alignment) * biased

    def update_trust(self, rate: float, involvement: float, harmed: float, results: float) -> None:
        """Trust follows involvement and being heard, and falls when its data hurt it."""
        signal = 0.25 + 0.4 * involvement + 0.2 * self.heard + 0.15 * results - 0.6 * harmed
        self.trust = min(max(self.trust + rate * (signal - self.trust), 0.0), 1.0)  # np.clip costs ~5 us


class Professional(mesa.Agent):
    """A front-line professional with noisy context knowledge of local causes.

    Attributes:
        accuracy: Probability of judging a place's cause correctly.
        engagement: Willingness to contribute knowledge, in [0, 1].
        area: Places the professional knows.
    """

    def __init__(self, model: mesa.Model, accuracy: float, engagement: float, area: np.ndarray) -> None:
        super().__init__(model)
        self.accuracy = accuracy
        self.engagement = engagement
        self.area = area
        self.contributed = False

    @staticmethod
    def review_all(
        professionals: list[Professional], rng: np.random.Generator, cause_present: np.ndarray, beat: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each professional, if engaged, judges the cause at up to ``beat`` places of its area.

        A professional is engaged with probability ``engagement``, picks
        ``min(beat, area size)`` distinct places of its area at random and judges each
        correctly with probability ``accuracy``. All professionals draw together
        (engagement, then the picks, then the judgements), one array each.

        Returns:
            ``(places, judgements)`` of every engaged professional, concatenated.
        """
        n = len(professionals)
        sizes = np.array([p.area.size for p in professionals], dtype=np.int64)
        width = max(int(sizes.max()), 1) if n else 1
        areas = np.zeros((n, width), dtype=np.int64)
        for j, p in enumerate(professionals):
            areas[j, : p.area.size] = p.area
        engaged = rng.random(n) < np.array([p.engagement for p in professionals])
        # A uniform sample without replacement: the places with the k smallest random keys.
        keys = rng.random((n, width))
        keys[np.arange(width)[None, :] >= sizes[:, None]] = np.inf  # areas shorter than the widest
        width_k = max(min(beat, width), 0)
        picks = np.take_along_axis(areas, np.argsort(keys, axis=1)[:, :width_k], axis=1)
        correct = rng.random((n, width_k)) < np.array([p.accuracy for p in professionals])[:, None]
        k = np.minimum(beat, sizes)
        contributed = engaged & (k > 0)
        for j, p in enumerate(professionals):
            p.contributed = bool(contributed[j])
        use = contributed[:, None] & (np.arange(width_k)[None, :] < k[:, None])
        truth = cause_present[picks]
        return picks[use], np.where(correct, truth, ~truth)[use]

    def update_engagement(self, rate: float, knowledge_used: bool) -> None:
        """Engagement rises when knowledge is used, falls when steered as instrument."""
        target = 0.9 if knowledge_used else 0.2
        self.engagement = min(max(self.engagement + rate * (target - self.engagement), 0.0), 1.0)
