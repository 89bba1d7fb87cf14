"""The Hydra callback of a sweep (:class:`SweepCallback`, ``conf/config.yaml``'s ``hydra.callbacks``).

In the launching process it notes the sweep folder, keeps the summary current while the
cells run (:func:`sim.sweep.summary.keep_summary`) and at the end writes it and accounts
for every cell planned (:func:`sim.sweep.folders.unaccounted`), for the command line
(:data:`sim.sweep.state.STATE`). Hydra pickles its callbacks with every job: a worker that
unpickles this one imports the package, and with it the ``sim.cell_dir`` resolver.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sim.sweep.folders import unaccounted
from sim.sweep.state import STATE
from sim.sweep.summary import keep_summary, summarize

try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra is a dependency
    Callback = object  # type: ignore[assignment,misc]


class SweepCallback(Callback):
    """Hydra callback: the sweep folder and its summary while it runs (:func:`keep_summary`), the summary at the end."""

    def on_multirun_start(self, config, **kwargs: Any) -> None:  # noqa: D102
        root = Path(config.hydra.sweep.dir)
        root.mkdir(parents=True, exist_ok=True)
        STATE["sweep_dir"] = root
        # Kept in STATE, not on the callback: Hydra pickles its callbacks for every job.
        done = threading.Event()
        reader = threading.Thread(target=keep_summary, args=(root, done), name="sim-summary", daemon=True)
        STATE["reader"] = (reader, done)
        reader.start()

    def on_multirun_end(self, config, **kwargs: Any) -> None:  # noqa: D102
        STATE.pop("checked_cells", None)  # checked for this sweep only
        reader, done = STATE.pop("reader", (None, None))
        if reader is not None:
            done.set()
            reader.join()
        root = Path(config.hydra.sweep.dir)
        table, failures = summarize(root)
        # Every cell planned must be in the summary or among the failures: never lost silently.
        failures = failures + unaccounted(root, table, failures, STATE.pop("planned", None))
        STATE.update(sweep_dir=root, rows=len(table), failures=failures)
