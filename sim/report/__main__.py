"""``python -m sim.report <sweep folder>``."""

from sim.cli import exit_with
from sim.report import main

exit_with(main)
