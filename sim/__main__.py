"""``python -m sim``: run the configured arrangement (see :mod:`sim.cli`)."""

from sim.cli import main_exit

if __name__ == "__main__":
    main_exit()
