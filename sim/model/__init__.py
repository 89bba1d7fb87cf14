"""The arrangement model (:class:`GovernanceModel`), one package with a file per mechanism.

``from sim.model import GovernanceModel, simulate`` is the public interface; the
underscored names are re-exported for the tests that check them.
"""

from sim.model.allocation import _target_share
from sim.model.governance import GovernanceModel, simulate
from sim.model.response import VISIBILITY
from sim.model.streams import PHASE_STREAMS, _RoundStreams

__all__ = ["PHASE_STREAMS", "VISIBILITY", "GovernanceModel", "_RoundStreams", "_target_share", "simulate"]
