"""The population rule as plain Mesa agents: a ``step`` method run by ``AgentSet.shuffle_do``.

A benchmark reference for ``sim.kernels.population.respond`` (without score
profiling), written the way an agent-based model is usually written in Python: one
object per actor, pure-Python (float64) arithmetic and the same counter-based draws.
The draws depend on the actor's index, not on the (shuffled) order, so the integer
tallies equal the kernel's up to the kernel's float32 rounding (which can turn a near
tie); ``kernel_vs_references.py`` compares them.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.kernels import population as kp

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z: int) -> int:
    """SplitMix64 finaliser on Python ints."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class Actor(mesa.Agent):
    """One strategic actor: its traits, belief and last outcome."""

    def __init__(self, model: PopulationModel, index: int, place: int, gain: float, risk: float, soph: float) -> None:
        super().__init__(model)
        self.index = index
        self.place = place
        self.gain = gain
        self.risk = risk
        self.sophistication = soph
        self.belief = 0.0
        self.trait = False
        self.in_circle = False
        self.caught = False
        self.action = kp.COMPLY

    def step(self) -> None:
        """Learn, choose and meet enforcement (the rule of the kernel)."""
        m = self.model
        (visibility, fine, evasion_cost, evasion_factor, move_cost, game_cost, exp_w, own_w, gain_noise, prior) = m.p[
            :10
        ]
        mult_hi, mult_lo, pub_hi, pub_lo, effort = m.p[10:15]
        # This round's draws: SplitMix64 from the round key at positions 2i and 2i + 1.
        pos = m.key + (2 * self.index + 1) * GOLDEN
        r = mix(pos & MASK)
        u_shock, u_dest = (r >> 40) / 2.0**24, (r & 0xFFFFFFFF) / 2.0**32
        u_inspect = (mix((pos + GOLDEN) & MASK) >> 40) / 2.0**24
        k, s, b = self.place, self.sophistication, self.belief
        sees = visibility >= 2 or (visibility >= 1 and self.in_circle)
        has_trait = self.trait
        if sees:
            b += s * (min(m.published[k] * (pub_hi if has_trait else pub_lo), 1.0) - b)
            m.tally[k][kp.T_SAW_TARGETING] += 1
        if self.caught:
            b += s * own_w * (1.0 - b)
        b += s * exp_w * (m.neighbour_rate[k] - b)
        b = min(max(b, 0.0), 1.0)
        self.belief = b
        g = self.gain * (1.0 + gain_noise * (2.0 * u_shock - 1.0))
        pen = self.risk * fine
        here = g * m.opportunity[k] - effort
        if g * m.opportunity0[k] - effort > 0.0:
            m.tally[k][kp.T_POTENTIAL] += 1
        best, best_u = kp.COMPLY, 0.0
        u = here - b * pen
        if u > best_u:
            best, best_u = kp.VIOLATE, u
        u = here - evasion_cost - b * evasion_factor * pen
        if u > best_u:
            best, best_u = kp.EVADE, u
        dest = min(int(u_dest * m.n_places), m.n_places - 1)
        if dest != k:
            bd = min(m.published[dest] * (pub_hi if has_trait else pub_lo), 1.0) if sees else prior
            u = here - move_cost - bd * pen
            if u > best_u:
                best, best_u = kp.MOVE, u
        if has_trait and sees and pub_hi > pub_lo:
            u = here - game_cost - b * (pub_lo / pub_hi) * pen
            if u > best_u:
                best, best_u = kp.GAME, u
        m.tally[k][kp.T_ACTORS] += 1
        m.belief_sum[k] += b
        if best == kp.MOVE:
            k = dest
            m.tally[k][kp.T_MOVED] += 1
        if best == kp.GAME:
            self.trait = has_trait = False
            m.tally[k][kp.T_GAMED] += 1
        q = m.detect[k] * (mult_hi if has_trait else mult_lo)
        if best == kp.EVADE:
            q *= evasion_factor
            m.tally[k][kp.T_EVADING] += 1
        hit = u_inspect < min(q, 1.0)
        self.caught = False
        if best == kp.COMPLY:
            if hit:
                m.tally[k][kp.T_INNOCENT_CHECKED] += 1
        else:
            m.tally[k][kp.T_VIOLATIONS] += 1
            if hit:
                self.caught = True
                m.tally[k][kp.T_CAUGHT] += 1
        self.action = best


class PopulationModel(mesa.Model):
    """The strategic population as Mesa agents, built from the kernel's state arrays."""

    def __init__(self, actors: dict[str, np.ndarray], seed: int = 0) -> None:
        super().__init__(seed=seed)
        for i in range(actors["place"].shape[0]):
            a = Actor(
                self,
                i,
                int(actors["place"][i]),
                float(actors["gain"][i]),
                float(actors["risk"][i]),
                float(actors["sophistication"][i]),
            )
            a.belief = float(actors["belief"][i])
            a.trait = bool(actors["trait"][i])
            a.in_circle = bool(actors["in_circle"][i])
            a.caught = bool(actors["caught"][i])

    def respond(self, opportunity, opportunity0, detect, published, neighbour_rate, params, key):
        """One round for every agent (in shuffled order); tallies as the kernel returns them."""
        self.opportunity, self.opportunity0, self.detect = opportunity.tolist(), opportunity0.tolist(), detect.tolist()
        self.published, self.neighbour_rate = published.tolist(), neighbour_rate.tolist()
        self.p = [float(x) for x in params]
        self.key = int(key)
        self.n_places = len(self.opportunity)
        self.tally = [[0] * kp.N_TALLY for _ in range(self.n_places)]
        self.belief_sum = [0.0] * self.n_places
        self.agents.shuffle_do("step")
        return np.array(self.tally, dtype=np.int64), np.array(self.belief_sum)
