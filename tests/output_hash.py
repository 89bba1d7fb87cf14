"""One hash of the model's output over 49 configurations: a refactor must leave it unchanged.

``python tests/output_hash.py`` prints the hash (and, with ``-v``, one per configuration).
The 49 are every arrangement preset under each of the seven roles (42), and seven more
that reach the other mechanisms (regime presets, the analytics levels, the draw dispatch,
restricted phases), each at a small scale. The golden file (``tests/golden/``) pins one
run's numbers; this pins every phase's, under every role.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.hydra_conf import load  # noqa: E402
from sim.run import run  # noqa: E402

SCALE = ["world.actors=3000", "run.rounds=8", "run.replications=2", "run.seed=4242"]
ARRANGEMENTS = ["overlast", "zwartwerken", "gezonde_wijk", "open_data_platform", "woninginbraken", "weesfietsen"]
ROLES = ["none", "producer", "commissioner", "regulator", "co_producer", "facilitator", "director"]
EXTRA = [
    ["regime=open", "analytics=predictive"],
    ["regime=closed_creation_open_use", "analytics=profiling"],
    ["regime=open_creation_closed_use", "analytics=discovery"],
    ["arrangement=zwartwerken", "analytics=realtime", "regime.use=restricted"],
    ["arrangement=zwartwerken", "government.dispatch=draw"],
    ["regime.framing=restricted", "regime.interpretation=restricted", "regime.collection=restricted"],
    ["arrangement=gezonde_wijk", "regime=open", "role=facilitator", "world.places=80"],
]
CONFIGS = [[f"arrangement={a}", f"role={r}"] for a in ARRANGEMENTS for r in ROLES] + EXTRA


def hashes() -> list[tuple[str, str]]:
    """Each configuration's overrides and the hash of its rounds table (values, columns, types)."""
    out = []
    for overrides in CONFIGS:
        df = run(load([*overrides, *SCALE]))
        h = hashlib.sha256()
        h.update(",".join(f"{c}:{t}" for c, t in df.dtypes.items()).encode())
        h.update(df.to_numpy().tobytes())
        out.append((" ".join(overrides), h.hexdigest()))
    return out


if __name__ == "__main__":
    each = hashes()
    if "-v" in sys.argv:
        for overrides, digest in each:
            print(f"{digest[:16]}  {overrides}")
    total = hashlib.sha256("".join(d for _, d in each).encode()).hexdigest()
    print(f"{len(each)} configurations: {total}")
