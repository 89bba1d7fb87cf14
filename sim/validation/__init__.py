"""Validation: the model reproduces published results and the essay's claims.

``python -m sim.validate --full`` (also ``sim validate --full`` and ``python -m
sim.validation --full``) runs every validation case and writes ``docs/validation.md``:
one row per case (source, setup, expected, measured, pass) and a figure per case group
under ``docs/validation/``. A run of some cases (without ``--full``: the fast ones, or
``--cases``) writes to ``results/validation/`` instead, and never replaces a full
report (:func:`replaces_full_report`).

Every case runs :class:`sim.model.GovernanceModel` -- the same phases and the same
Numba population kernel that users run -- in a reduced configuration given by a
scenario file under ``scenarios/validation/``. The essay's claims (concepts §11) run
the arrangement presets as paired experiments on common random numbers. Without
``--full`` only the fast cases run (the test suite runs them too); ``--full`` runs
all of them (a few minutes on two cores). The report is generated, never edited.

Where each case is (``sim/validation/``)::

    cases/ensign.py           1a-1c  runaway feedback and its correction (Ensign et al. 2018)
    cases/performative.py     2a-2c  performative prediction (Perdomo et al. 2020)
    cases/inspection_game.py  3a-3b  the inspection game (Tsebelis 1989)
    cases/classification.py   4a-4d  strategic classification (Hardt et al. 2016; Ghalme et al. 2021)
    cases/confounding.py      5a-5d  the fish shop and false discovery (essay §2.3, §2.4)
    cases/legitimacy.py       6a-6d  legitimacy and compliance (Tyler 2006), sudden vs gradual loss
                                     (Epstein 2002), exit and return (Hirschman 1970), exploratory
                                     vs blueprint (essay §5.3)
    cases/essay_claims.py     C1-C8  the essay's claims, run from the table in claims.py

and what they share::

    runner.py    Row, GroupResult, Group, Runner, scenario(): what a case is made of and runs on
    figures.py   the palette and panels every figure uses
    claims.py    the essay's claims as a declarative table (Claim, Measure, CLAIMS)
    registry.py  GROUPS in the report's order, BY_KEY, run_group
    report.py    write_report: validation.md and its figures
    command.py   main: the options of ``sim validate``

A new case is a function ``(Runner) -> GroupResult`` and a :class:`Group` entry in its
case file's ``GROUPS``, listed in :mod:`sim.validation.registry`.
"""

from __future__ import annotations

from sim.validation.claims import CLAIMS, Claim, Measure
from sim.validation.command import FULL_OUT, PARTIAL_OUT, main
from sim.validation.registry import BY_KEY, GROUPS, run_group
from sim.validation.report import FULL_COMMAND, FULL_MARK, replaces_full_report, write_report
from sim.validation.runner import Group, GroupResult, Row, Runner, scenario

__all__ = [
    "BY_KEY",
    "CLAIMS",
    "FULL_COMMAND",
    "FULL_MARK",
    "FULL_OUT",
    "GROUPS",
    "PARTIAL_OUT",
    "Claim",
    "Group",
    "GroupResult",
    "Measure",
    "Row",
    "Runner",
    "main",
    "replaces_full_report",
    "run_group",
    "scenario",
    "write_report",
]
