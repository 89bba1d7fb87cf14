"""Every validation case group, in the report's order, and how one is run by its key.

The groups are declared in their case files (``sim/validation/cases/``); this list
fixes their order in ``docs/validation.md``, ``--list`` and ``--cases``.
"""

from __future__ import annotations

import time

from sim.validation.cases import (
    classification,
    confounding,
    ensign,
    essay_claims,
    inspection_game,
    legitimacy,
    performative,
)
from sim.validation.runner import Group, GroupResult, Runner

GROUPS: tuple[Group, ...] = (
    *ensign.GROUPS,
    *performative.GROUPS,
    *inspection_game.GROUPS,
    *classification.GROUPS,
    *confounding.GROUPS,
    *legitimacy.GROUPS,
    *essay_claims.GROUPS,
)
BY_KEY = {g.key: g for g in GROUPS}


def run_group(key: str, jobs: int = 1, runner: Runner | None = None) -> GroupResult:
    """Run one group of cases and return its rows and figure.

    Args:
        key: The group's key (:data:`BY_KEY`).
        jobs: Worker processes, if no ``runner`` is given.
        runner: A runner to share (its pool and the claims' cells) across groups; one of
            ``jobs`` workers is made and closed if None.

    Returns:
        The group's result, with its run time in ``seconds``.
    """
    own = runner is None
    runner = runner or Runner(jobs)
    try:
        t0 = time.perf_counter()
        result = BY_KEY[key].run(runner)
        result.seconds = time.perf_counter() - t0
        return result
    finally:
        if own:
            runner.close()
