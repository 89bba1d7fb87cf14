"""``python -m sim.lessons <name> ...``: the same command as ``sim lesson``."""

from sim.console import exit_with
from sim.lessons.command import main

if __name__ == "__main__":
    exit_with(main)
