"""Where the kernel's time goes: its four loops, timed by subtraction.

A sampling profiler sees a Numba kernel as one opaque frame, so this profiles it the
other way: it recompiles the kernel's source (uncached) with its loops switched on one
at a time, (1) draws, (2) gather, (3) rule, (4) tallies, and times each build on the
same actors. A loop's cost is the time it adds to the build before it. (A build with
later loops off computes nonsense; only its time is used.)

The same profile with LLVM allowed 512-bit vectors (Numba's process-wide
NUMBA_CPU_FEATURES with "-prefer-256-bit"; a diagnostic, sim does not set it) is
printed too, from a fresh process with its own cache folder.

Usage: python benchmarks/profile_kernel.py [--actors 100000] [--visibility 0] [--no-wide]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, copy_state, emit, round_inputs  # noqa: E402

from sim.kernels import population as kp  # noqa: E402

LOOPS = ["draws (SIMD)", "destination gather (scalar)", "rule (SIMD)", "tallies (SIMD sums, movers scattered)"]


def build(flags: tuple[bool, bool, bool, bool]) -> types.ModuleType:
    """The kernel module with loop k's iterations switched off where flags[k] is False."""
    src = Path(kp.__file__).read_text().replace("cache=True", "cache=False")
    # No garbage indices or counts when a loop is off.
    src = src.replace("np.empty((2, BLOCK)", "np.zeros((2, BLOCK)")
    src = src.replace("np.empty(BLOCK, dtype=np.uint8)", "np.zeros(BLOCK, dtype=np.uint8)")
    parts = re.split(r"(?=# \([1-4]\) )", src)
    out = []
    for part in parts:
        m = re.match(r"# \(([1-4])\) ", part)
        if m:
            k = int(m.group(1)) - 1
            part = part.replace("for j in range(m):", f"for j in range(m if {flags[k]} else 0):")
            part = part.replace("for j in range(mp):", f"for j in range(mp if {flags[k]} else 0):")
        out.append(part)
    mod = types.ModuleType(f"kernel_{''.join(str(int(f)) for f in flags)}")
    mod.__file__ = kp.__file__
    exec(compile("".join(out), mod.__name__, "exec"), mod.__dict__)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=100_000)
    ap.add_argument("--visibility", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--no-wide", action="store_true", help="skip the 512-bit diagnostic")
    ap.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    n = a.actors
    actors, inputs, params = round_inputs(n, a.visibility)
    times = []
    for k in range(len(LOOPS) + 1):
        mod = build(tuple(i < k for i in range(len(LOOPS))))
        st = copy_state(actors)
        mod.respond(st, *inputs, params, 0, parallel=False)

        def go(mod=mod, st=st) -> None:
            for r in range(a.rounds):
                mod.respond(st, *inputs, params, r, parallel=False)

        times.append(best_of(go, 5) / (a.rounds * n) * 1e9)
    parts = {"call, tables, blocks by place": times[0]}
    for k, name in enumerate(LOOPS):
        parts[f"({k + 1}) {name}"] = times[k + 1] - times[k]
    if a.quiet:
        print(json.dumps(parts))
        return
    wide = {} if a.no_wide else wide_profile(a)
    print(f"kernel, {n:,} actors, visibility {a.visibility}, serial: {times[-1]:.2f} ns per actor-round")
    print(f"{'part':<34}{'ns/actor-round':>15}{'share':>8}" + (f"{'512-bit ns':>12}" if wide else ""))
    for name, t in parts.items():
        print(f"{name:<34}{t:>15.2f}{t / times[-1]:>8.0%}" + (f"{wide[name]:>12.2f}" if wide else ""))
    if wide:
        print(f"{'total':<34}{times[-1]:>15.2f}{1:>8.0%}{sum(wide.values()):>12.2f}")
    emit({"actors": n, "total_ns": times[-1], "parts_ns": parts, "wide_parts_ns": wide})


def wide_profile(a: argparse.Namespace) -> dict[str, float]:
    """The same profile in a process whose LLVM may use 512-bit vectors."""
    import llvmlite.binding as ll

    features = ll.get_host_cpu_features().flatten()
    if "avx512f" not in features:
        return {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CPU_FEATURES": features + ",-prefer-256-bit", "NUMBA_CACHE_DIR": cache}
        args = ["--actors", str(a.actors), "--visibility", str(a.visibility), "--rounds", str(a.rounds), "--quiet"]
        out = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
