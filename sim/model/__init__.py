"""The arrangement model, one file per mechanism.

:class:`GovernanceModel` (``governance.py``) owns the state; its ``step()`` runs one
round, the phases of the data process in this order (concepts §3, §7; ``docs/ODD.md``
sections 3 and 7.3-7.9), each a function in the file named after it:

==  ==================  =====================  ===========  ==========================================
#   phase               file                   function     what it decides
==  ==================  =====================  ===========  ==========================================
1   framing             ``framing.py``         frame        which features the analysis searches
2   collection          ``collection.py``      collect      what gets recorded, and from whom
3   analysis            ``analysis.py``        analyse      the strongest correlate; the fitted harm
4   interpretation      ``interpretation.py``  interpret    what the fit means: where open
                                                            interpretation changes the estimate
5   allocation by role  ``allocation.py``      allocate     who intervenes where: detection, prevention
6   reflexive response  ``response.py``        react        the population kernel (``sim/kernels``)
7   outcomes            ``outcomes.py``        account      the public account, legitimacy, trust
==  ==================  =====================  ===========  ==========================================

Set up once per replication, and what the phases share:

- ``parties.py``: partners and professionals made (their own decisions: ``sim/agents.py``);
- ``strategy.py``: the working practice, exploratory or blueprint, that allocation and
  interpretation follow (essay table 4);
- ``streams.py``: each drawing phase's random stream, per round;
- ``exact.py``: order-fixed numerics, which keep results bit-identical on every machine.

Imports run one way: ``sim.kernels``, ``sim.world``, ``sim.agents`` -> the files above ->
``governance.py`` -> this package. Each phase is also a method of the model
(``model.collection(rng)``: ``collect(model, rng)``). Names with a leading underscore are
the package's own; those re-exported here are the ones tests check.
"""

from sim.model.allocation import _target_share
from sim.model.governance import GovernanceModel, simulate
from sim.model.response import VISIBILITY
from sim.model.streams import PHASE_STREAMS, _RoundStreams

__all__ = ["PHASE_STREAMS", "VISIBILITY", "GovernanceModel", "_RoundStreams", "_target_share", "simulate"]
