"""Target 5: start-up. Cold compile of all kernels, load from the on-disk cache, and the CLI line.

Each measurement is a fresh process with its own, initially empty, Numba cache folder:
the first compiles every kernel (the rule, and the score-profiling pass, which only runs
with score profiling), the second loads them from that cache. "Numba's floor" is what the first call of a trivial
cached function costs in a fresh process (Numba initialising itself), which any
kernel pays (the first compilation of that function in a fresh process is its cold
counterpart). Per kernel, the compile time is split into Numba's front end (typing,
lowering) and LLVM from the dispatchers' own timers; the rule kernel's time is split
further by Numba's per-pass timers, with the functions it makes Numba compile (each
``np.empty`` signature, the helpers it calls) from Numba's compile events.

Usage: python benchmarks/startup.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, time
from numba.core import event
t0 = time.perf_counter()
from sim.kernels import population as kp
t1 = time.perf_counter()


class Nested(event.Listener):
    # Compilations a kernel triggers (NumPy functions, helpers): Numba compiles each as a function.
    def __init__(self):
        self.depth, self.began, self.seconds = 0, [], {}

    def on_start(self, ev):
        self.depth += 1
        self.began.append(time.perf_counter())

    def on_end(self, ev):
        self.depth -= 1
        took = time.perf_counter() - self.began.pop()
        if self.depth == 1:
            name = ev.data["dispatcher"].py_func.__qualname__.split(".")[0]
            seconds, count = self.seconds.get(name, (0.0, 0))
            self.seconds[name] = (seconds + took, count + 1)


nested = Nested()
with event.install_listener("numba:compile", nested):
    rule = kp.warmup(parallel=True)
ready = rule + kp.warmup(scoring=True)
timers, passes = {}, {}
for fn in (kp._respond, kp._classify):
    for sig in fn.signatures:
        try:  # compiled here (loaded from the cache: no metadata)
            meta = fn.get_metadata(sig) or {}
        except Exception:
            meta = {}
        if "timers" not in meta:
            continue
        t = meta["timers"]
        timers[fn.__name__] = {"total": t.get("compiler_lock", 0.0), "llvm": t.get("llvm_lock", 0.0)}
        if fn is kp._respond:
            for name, timing in (meta.get("pipeline_times") or {}).get("nopython", {}).items():
                name = name.split("_", 1)[1]  # "17_nopython_type_inference" -> "nopython_type_inference"
                passes[name] = passes.get(name, 0.0) + timing.init + timing.run + timing.finalize
print(json.dumps({"import_s": t1 - t0, "warmup_s": ready, "rule_s": rule, "timers": timers,
                  "passes": passes, "nested": nested.seconds}))
"""

FLOOR = r"""
import json, time
from numba import njit
from trivial_kernel import one
t0 = time.perf_counter()
one()
print(json.dumps({"floor_s": time.perf_counter() - t0}))
"""


COMPILE = r"""
from sim.kernels import population as kp
kp.warmup(parallel=True)
kp.warmup(scoring=True)
"""

# Stages of Numba's compiler, by a frame (file) in the sample's stack; first match wins.
STAGES = [
    ("LLVM: optimisation and machine code (llvmlite)", ("llvmlite/binding",)),
    ("type inference", ("numba/core/typeinfer.py",)),
    ("lowering to LLVM IR", ("numba/core/lowering.py", "numba/core/base.py")),
    (
        "IR passes: SSA, analysis, rewrites",
        (
            "numba/core/ssa.py",
            "numba/core/untyped_passes.py",
            "numba/core/analysis.py",
            "numba/core/typed_passes.py",
            "numba/core/ir_utils.py",
        ),
    ),
]


def profile_compile() -> dict[str, float]:
    """Shares of the cold compile's samples (py-spy) by compiler stage; empty without py-spy."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(pyspy).exists():
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        raw, script = Path(tmp) / "profile.txt", Path(tmp) / "child.py"
        script.write_text(COMPILE)
        env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "cache"), "PYTHONWARNINGS": "ignore"}
        cmd = [pyspy, "record", "-r", "400", "-f", "raw", "-o", str(raw), "--", sys.executable, str(script)]
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        lines = raw.read_text().splitlines()
    counts = dict.fromkeys([name for name, _ in STAGES] + ["other compiler work"], 0)
    for line in lines:
        stack, _, n = line.rpartition(" ")
        if "warmup" not in stack:
            continue  # imports
        stage = next((name for name, files in STAGES if any(f in stack for f in files)), "other compiler work")
        counts[stage] += int(n)
    total = sum(counts.values()) or 1
    return {name: c / total for name, c in counts.items()}


def child(code: str, cache: str, cwd: Path | None = None) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=cwd or ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        cold = child(CHILD, cache)
        cached = child(CHILD, cache)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "trivial_kernel.py").write_text(
            "from numba import njit\n\n@njit(cache=True)\ndef one():\n    return 1\n"
        )
        cold_floor = child(FLOOR, tmp, Path(tmp))["floor_s"]
        floor = child(FLOOR, tmp, Path(tmp))["floor_s"]
    cli = subprocess.run(
        [sys.executable, "-m", "sim", "world.actors=2000", "run.replications=1", "hydra.run.dir=" + tempfile.mkdtemp()],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ).stdout
    cli_line = next((ln for ln in cli.splitlines() if "kernels ready" in ln), "(no compile line)")
    print(f"{'':<44}{'s':>7}")
    print(f"{'cold compile, all kernels (empty cache)':<44}{cold['warmup_s']:>7.2f}")
    print(f"{'  of which what a run without score profiling compiles':<44}{cold['rule_s']:>7.2f}")
    print(f"{'load from the on-disk cache':<44}{cached['warmup_s']:>7.2f}")
    print(f"{'  of which Numba initialising itself':<44}{floor:>7.2f}")
    print(f"{'import of the kernel module (numba, numpy)':<44}{cached['import_s']:>7.2f}")
    print("cold compile by kernel (front end = typing and lowering in Python; LLVM = optimisation, code):")
    for name, t in cold["timers"].items():
        print(f"  {name:<20} {t['total']:.2f} s = front end {t['total'] - t['llvm']:.2f} s + LLVM {t['llvm']:.2f} s")
    passes, nested = cold.get("passes", {}), cold.get("nested", {})
    respond = cold["timers"].get("_respond")
    if passes and respond:
        typing = passes.get("nopython_type_inference", 0.0)
        lowering = passes.get("native_lowering", 0.0) - respond["llvm"]  # the pass runs LLVM too
        rows = [
            (
                "outside the passes: Numba starting its compiler, the cache write",
                respond["total"] - sum(passes.values()),
            ),
            ("  (for comparison: a trivial function, first compiled in a fresh process)", cold_floor),
            ("type inference", typing),
        ]
        for name, (sec, count) in sorted(nested.items(), key=lambda kv: -kv[1][0]):
            label = "np.empty" if name == "ol_np_empty" else name
            rows.append((f"  of which compiling {label}, called by the kernel ({count} signatures)", sec))
        rows += [
            ("lowering to LLVM IR (Python)", lowering),
            ("LLVM: optimisation and machine code", respond["llvm"]),
            (
                "other IR passes (SSA, rewrites, legalisation, bytecode)",
                sum(passes.values()) - typing - lowering - respond["llvm"],
            ),
        ]
        print(f"_respond's cold compile, {respond['total']:.2f} s, by Numba's pass timers:")
        for label, sec in rows:
            print(f"  {label:<74}{sec:>6.2f}")
    stages = profile_compile()
    if stages:
        print("cold compile by stage (py-spy samples of a fresh process compiling both kernels):")
        for name, share in stages.items():
            print(f"  {name:<48}{share:>6.0%}")
    print(f"CLI: {cli_line.strip()}")
    emit(
        {
            "cold_s": cold["warmup_s"],
            "cold_rule_s": cold["rule_s"],
            "cached_s": cached["warmup_s"],
            "numba_floor_s": floor,
            "numba_cold_floor_s": cold_floor,
            "passes": passes,
            "nested": nested,
            "import_s": cached["import_s"],
            "timers": cold["timers"],
            "stages": stages,
            "cli": cli_line.strip(),
        }
    )


if __name__ == "__main__":
    main()
