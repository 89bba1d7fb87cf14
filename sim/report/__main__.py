"""``python -m sim.report <sweep folder>``."""

from sim.console import exit_with
from sim.report import main

exit_with(main)
