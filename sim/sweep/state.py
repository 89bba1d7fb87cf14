"""What the launching process knows of the sweep under way: :data:`STATE`, one dict.

Its keys, and who sets them:

- ``planned``: each cell's folder and overrides (:func:`sim.sweep.folders.plan_folders`),
  taken at the end to name the cells that left nothing (:func:`sim.sweep.folders.unaccounted`);
- ``checked_cells``: the cells the command line validated, which Hydra's sweeper need not
  compose again (:func:`sim.sweep.planning.mark_checked`);
- ``workers``: the local launcher's workers, started early (:mod:`sim.sweep.workers`; set by
  :mod:`sim.cli`);
- ``sweep_dir``, ``reader``, then ``rows`` and ``failures``: the sweep folder, the thread that
  keeps its summary, and the summary's account at the end (the Hydra callback,
  :mod:`sim.sweep.callback`), read by :class:`sim.sweep.progress.Progress` and the command line.

It is one dict for the life of the process: code (and tests) empty it, never rebind it,
since every module of the package holds it by this name.
"""

from __future__ import annotations

from typing import Any

STATE: dict[str, Any] = {}
