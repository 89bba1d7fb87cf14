"""``python -m sim.sweep summarize <folder>`` (also ``sim sweep ...``; see :mod:`sim.sweep`)."""

from sim.console import exit_with
from sim.sweep import main

if __name__ == "__main__":
    exit_with(main)
