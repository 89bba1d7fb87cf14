"""sim: agent-based simulation of open and closed data-driven governance arrangements.

The one entry point is :func:`sim.run.run` (``run(config) -> DataFrame``).
"""

__version__ = "0.1.0"
