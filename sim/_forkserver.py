"""Imported by the fork server that a sweep's workers start from (:func:`sim.sweep.workers.start_workers`).

Importing it readies the server as a worker would be readied (:func:`sim.sweep.worker.warm_worker`:
Mesa, pandas, Hydra, the compiled kernel from Numba's cache) and scans Hydra's plugins,
once; every worker is then a fork of the server, with all of that already in memory,
instead of a fresh interpreter loading it again (~1.7 s of CPU per worker). The server
has no threads when it forks (the kernel runs serially here), so forking is safe.
"""

import gc
import signal

# Ctrl+C is the launching process's to handle (it ends the workers and says how to resume):
# not here while the server readies itself (it ignores it once it serves), nor in the
# workers forked from it, which keep this setting.
signal.signal(signal.SIGINT, signal.SIG_IGN)

from sim.sweep import warm_worker  # noqa: E402

warm_worker(watch=False)  # (a thread here would be copied, stopped, into every fork)
try:
    from hydra.core.plugins import Plugins

    Plugins.instance()  # the scan every worker's first job would make (kept between jobs)
except Exception:  # best effort, as warm_worker: the job scans for itself
    pass

# What is loaded here lives as long as every worker: out of the collector's way. A
# worker's full collections then skip these ~200,000 objects (~60 ms each time), and
# leave their memory pages shared with the server instead of copying them.
gc.freeze()
