"""The per-round random streams of the government's phases.

Each phase that draws (framing, collection, interpretation, allocation) has its own
stream in every round, ``generator(seed, replication, STREAM_ROUND, t, phase)``, so
that a change in one phase leaves the draws of the others unchanged (common random
numbers between cells, ``docs/ODD.md`` 7.10). The inspections of the draw dispatch
have one stream for the whole replication (``STREAM_INSPECTIONS``, on the model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.world import STREAM_ROUND, pcg64_state, seed_states

# Per-round random streams of the government-level phases (kept apart so that a
# change in one phase leaves the draws of the others unchanged).
S_FRAMING, S_COLLECTION, S_INTERPRETATION, S_ALLOCATION = 1, 2, 3, 4
PHASE_STREAMS = (S_FRAMING, S_COLLECTION, S_INTERPRETATION, S_ALLOCATION)

_EMPTY = np.zeros(0)


class _LazyGenerator:
    """A generator that is only built (``make(*args)``) when a phase first draws."""

    __slots__ = ("_make", "_args", "_gen")

    def __init__(self, make: Callable[..., np.random.Generator], *args: int) -> None:
        self._make = make
        self._args = args
        self._gen: np.random.Generator | None = None

    def __getattr__(self, name: str) -> Any:
        if self._gen is None:
            self._gen = self._make(*self._args)
        return getattr(self._gen, name)


class _RoundStreams:
    """The phases' per-round generators, ``generator(seed, rep, STREAM_ROUND, t, s)``, cheaply.

    Building a seeded generator costs ~15-35 us (SeedSequence hashing, PCG64 seeding),
    more than a phase of a small world. Here the SeedSequence words are computed for a
    block of rounds of every phase's stream at once (vectorised, bit-identical) and each
    round's state is set on one PCG64 kept per stream: the same draws for a few microseconds.
    """

    BLOCK = 64

    def __init__(self, seed: int, replication: int, rounds: int, streams: tuple[int, ...] = PHASE_STREAMS) -> None:
        self._seed, self._rep, self._rounds = seed, replication, rounds
        self._streams = streams  # hashed in one call per block of rounds (~170 us a call, mostly overhead)
        self._words: dict[int, tuple[int, np.ndarray]] = {}
        self._bits: dict[int, np.random.PCG64] = {}

    def generator(self, t: int, stream: int) -> np.random.Generator:
        """The generator of ``stream`` in round ``t`` (valid until the next call for this stream)."""
        first, words = self._words.get(stream, (-1, _EMPTY))
        if not 0 <= t - first < len(words):
            first = t
            count = max(1, min(self.BLOCK, self._rounds - t))
            streams = self._streams if stream in self._streams else (stream,)
            rounds = np.tile(np.arange(t, t + count, dtype=np.uint64), len(streams))
            which = np.repeat(np.array(streams, dtype=np.uint64), count)
            block = seed_states([self._seed, self._rep, STREAM_ROUND, rounds, which], count * len(streams), 4)
            for i, s in enumerate(streams):
                self._words[s] = (first, block[i * count : (i + 1) * count])
            words = self._words[stream][1]
        bits = self._bits.get(stream)
        if bits is None:
            bits = self._bits[stream] = np.random.PCG64(0)  # reseeded below
        bits.state = pcg64_state(words[t - first])
        return np.random.Generator(bits)

    def phases(self, t: int) -> dict[int, _LazyGenerator]:
        """Each phase's generator of round ``t``, by stream number, built on first use.

        Validation runs take millions of rounds of small worlds, in many of which a
        phase draws nothing.
        """
        return {s: _LazyGenerator(self.generator, t, s) for s in PHASE_STREAMS}
