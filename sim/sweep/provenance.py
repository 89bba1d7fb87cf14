"""What a cell records of how it was made: ``provenance.json`` (:func:`provenance`).

The package's version and git commit, the config hash (:func:`sim.run.config_hash`, the
cell's identity), the seeds and the versions of Python, NumPy and Numba.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config import SimConfig


def provenance(cfg: SimConfig, cell_hash: str) -> dict[str, Any]:
    """Package version, git commit (if any), config hash and seeds of a run."""
    import platform

    import numba
    import numpy as np

    import sim

    return {
        "package": "sim",
        "version": sim.__version__,
        "git_commit": _git_commit(),
        "config_hash": cell_hash,
        "seed": cfg.run.seed,
        "replications": list(range(cfg.run.first_replication, cfg.run.first_replication + cfg.run.replications)),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
    }


@functools.lru_cache(maxsize=1)
def _git_commit() -> str | None:
    """The git commit of the package's checkout, or None (not a checkout, no git); asked once per process."""
    import subprocess

    root = Path(__file__).resolve().parents[2]  # the folder that holds the package
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
