"""``python -m sim.validate``: the validation command under its published name.

An alias of the package :mod:`sim.validation`, which holds the validation cases, the
essay's claims, their runner and the report writer (its docstring says which file
holds which case). This module keeps ``python -m sim.validate`` (the command the
README, ``docs/ODD.md`` and ``docs/validation.md`` name) and ``from sim.validate
import ...`` working; new code imports :mod:`sim.validation`.
"""

from __future__ import annotations

from sim.validation import *  # noqa: F403  (the package's public names, as its __all__ lists them)
from sim.validation import __all__, main  # noqa: F401

if __name__ == "__main__":
    from sim.console import exit_with

    exit_with(main)
