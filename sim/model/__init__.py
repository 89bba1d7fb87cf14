"""The arrangement model (:class:`GovernanceModel`), one package with a file per mechanism.

``from sim.model import GovernanceModel, simulate`` is the public interface; the
underscored names are re-exported for the tests that check them.
"""

from sim.model.governance import (
    PHASE_STREAMS,
    VISIBILITY,
    GovernanceModel,
    _RoundStreams,
    _target_share,
    simulate,
)

__all__ = ["PHASE_STREAMS", "VISIBILITY", "GovernanceModel", "_RoundStreams", "_target_share", "simulate"]
