"""Decision report of a sweep: ``python -m sim.report <sweep folder>`` (also ``sim report``).

Reads ``<sweep>/summary.parquet`` (and the cells' ``rounds.parquet`` for the time
series) and writes ``<sweep>/report/``: ``report.html`` (self-contained),
``report.md`` (same content), ``figures/*.png|svg`` and ``tables/*.csv``.

It answers, with 95% intervals over worlds that stay within what each quantity can be,
and paired (common random numbers) differences: which option gives the most public
value, and whether one clearly does; at what cost and risk; how sure that is
(probability of being best) and how many replications would make it sure; and, for a
sampled experiment
(``experiment=sensitivity``), where in the uncertain parameters open beats closed
(PRIM) and which assumptions drive the difference (SALib).

Where each thing lives (the names below are importable from ``sim.report`` itself):

- ``command.py``: the command line: its options (:func:`parser`), :func:`main` and
  its exit statuses; ``__main__.py`` runs it for ``python -m sim.report``.
- ``data.py``: reading and checking a sweep folder: its options, worlds and baselines
  (:class:`~sim.report.data.Sweep`, :class:`SweepError`).
- ``intervals.py``: the 95% intervals (within each column's bounds, from
  :data:`sim.glossary.BOUNDS`) and the replications a difference needs.
- ``stats.py``: the numbers: account with intervals, paired differences, ranking,
  time series, scenario discovery (PRIM) and sensitivity indices (SALib).
- ``build.py``: :func:`build`, the report's sections in reading order.
- ``summary.py``: the summary in words: the best option only if one is clearly best,
  how sure, whether the replications suffice, by how much, and the trade-off
  (:func:`trade_off`).
- ``sampled.py``: the section of a sampled experiment: where an option wins and what
  drives the difference.
- ``figures.py``: the figures (matplotlib, Agg) and how one becomes a block.
- ``document.py``: the blocks, written as ``report.html``, ``report.md``,
  ``figures/`` and ``tables/``.

Imports run one way, each module importing only those listed before it: ``data``,
``document``, ``intervals``, ``stats``, ``figures``, ``summary``, ``sampled``, ``build``, ``command``.
"""

from __future__ import annotations

from sim.report.build import DEFAULT_BASELINE, build, title
from sim.report.command import main, parser
from sim.report.data import SweepError
from sim.report.summary import trade_off

__all__ = ["main", "build", "SweepError", "DEFAULT_BASELINE", "parser", "title", "trade_off"]
