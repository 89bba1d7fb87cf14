import pytest

from sim.hydra_conf import load


@pytest.fixture(scope="session")
def small():
    """Compose a small configuration (fast) with extra overrides."""

    def _make(*overrides: str, actors: int = 20_000, rounds: int = 20, reps: int = 6):
        return load([f"world.actors={actors}", f"run.rounds={rounds}", f"run.replications={reps}", *overrides])

    return _make
