"""Decision report of a sweep: ``python -m sim.report <sweep folder>`` (also ``sim report``).

Reads ``<sweep>/summary.parquet`` (and the cells' ``rounds.parquet`` for the time
series) and writes ``<sweep>/report/``: ``report.html`` (self-contained),
``report.md`` (same content), ``figures/*.png|svg`` and ``tables/*.csv``.

It answers, with 95% intervals over worlds and paired (common random numbers)
differences: which option gives the most public value, at what cost and risk, how
sure that is (probability of being best), and, for a sampled experiment
(``experiment=sensitivity``), where in the uncertain parameters open beats closed
(PRIM) and which assumptions drive the difference (SALib).
"""

from __future__ import annotations

from sim.report.build import DEFAULT_BASELINE, build, title
from sim.report.command import main, parser
from sim.report.data import SweepError
from sim.report.summary import trade_off

__all__ = ["main", "build", "SweepError", "DEFAULT_BASELINE", "parser", "title", "trade_off"]
