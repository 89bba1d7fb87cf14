"""Where the whole model's time goes: py-spy over default replications, by model function.

Samples a fresh process that runs replications of the default arrangement (no output
files) on one thread, as a sweep worker does, with py-spy and charges every sample to
the innermost frame inside ``sim/`` (so NumPy and SciPy calls count for the model line
that made them); the kernel shows as ``respond``. Each replication draws its own world
(``make_actors``); a sweep's later cells reuse it. Needs py-spy (``pip install -e ".[bench]"``).

Usage: python benchmarks/profile_model.py [--replications 16] [--threads 1] [overrides ...]
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

CHILD = r"""
import sys
from sim.hydra_conf import load
from sim.kernels.population import PARALLEL_MIN_ACTORS, warmup
from sim.model import simulate
cfg = load(sys.argv[2:])
warmup(parallel=cfg.world.actors >= PARALLEL_MIN_ACTORS)
for rep in range(int(sys.argv[1])):
    simulate(cfg, rep)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="kernel threads (a sweep worker has one)")
    ap.add_argument("--top", type=int, default=14)
    a, overrides = ap.parse_known_args()
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(pyspy).exists():
        print("py-spy is not installed (pip install -e '.[bench]'); no profile.")
        emit({"available": False})
        return
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "profile.txt"
        script = Path(tmp) / "child.py"
        script.write_text(CHILD)
        cmd = [pyspy, "record", "-r", "400", "-f", "raw", "-o", str(raw), "--", sys.executable, str(script)]
        env = {**os.environ, "NUMBA_NUM_THREADS": str(a.threads)}
        subprocess.run([*cmd, str(a.replications), *overrides], check=True, capture_output=True, env=env)
        lines = raw.read_text().splitlines()
    by_place: collections.Counter[str] = collections.Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any(f.startswith("simulate ") for f in frames):
            continue  # start-up and imports
        n = int(count)
        total += n
        own = [f for f in frames if "(sim/" in f]
        name = own[-1] if own else frames[-1]
        func, _, where = name.partition(" (")
        by_place[f"{func} ({where.rstrip(')').split(':')[0]})"] += n
    what = " ".join(overrides) or "defaults"
    print(f"py-spy, {a.replications} replications ({what}), {a.threads} thread(s); {total} samples in simulate()")
    print(f"{'share':>7}  innermost sim/ function (file)")
    rows = []
    for place, n in by_place.most_common(a.top):
        print(f"{n / total:>7.1%}  {place}")
        rows.append({"where": place, "share": n / total})
    emit({"available": True, "samples": total, "top": rows})


if __name__ == "__main__":
    main()
