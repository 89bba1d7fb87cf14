"""``python -m sim.validation`` (also ``python -m sim.validate`` and ``sim validate``)."""

from sim.cli import exit_with
from sim.validation import main

exit_with(main)
