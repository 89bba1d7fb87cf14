"""The figures of README.md's worked comparison, from the README's own Python snippet.

``python docs/readme_figures.py`` runs the ```python snippet of the section "A worked
comparison" exactly as a reader would paste it, and rewrites the table between the
``<!-- BEGIN worked-comparison figures ... -->`` and ``<!-- END worked-comparison figures -->``
comments from what it computed: each row's paired difference is the line the snippet
prints, the two runs' means are those of its ``closed`` and ``public`` totals, and the
line above the table states the configuration the snippet ran.

``python docs/readme_figures.py --check`` changes nothing: it exits 1, with a diff, if
the README's table differs from what the snippet computes now (``tests/test_readme.py``
runs it, so CI fails on stale figures). Either mode also checks the claims the prose
below the table makes (benefit lost, about a third; legitimacy up; public value down)
and exits 1 naming any that the figures no longer bear out.

It takes about as long as the two runs (100,000 actors x 50 rounds x 10 replications
each): some 4 s once the kernels are compiled.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SECTION = "## A worked comparison"
BEGIN = "<!-- BEGIN worked-comparison figures: written by `python docs/readme_figures.py`; do not edit by hand -->"
END = "<!-- END worked-comparison figures -->"
RUNS = {"closed": "closed use", "public": "public use"}  # the snippet's variables, in table order
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan"  # a float as Python prints it
MINUS = "\u2212"  # the README writes negative numbers with a real minus sign


def snippet(text: str) -> str:
    """The ```python block of the worked comparison (the last one before the figures)."""
    start = text.index(SECTION)
    end = text.index(BEGIN, start)
    blocks = re.findall(r"```python\n(.*?)```", text[start:end], re.S)
    if not blocks:
        raise ValueError(f"README.md: no ```python block between {SECTION!r} and the figures")
    return blocks[-1]


def run_snippet(code: str) -> dict[str, Any]:
    """Run the snippet as a reader would; what it printed, its variables and the configs it ran.

    Returns:
        ``printed`` (column -> (mean, low, high) as the snippet prints them), ``means``
        (run -> column -> mean over replications) and ``configs`` (each config it ran).
    """
    import sim.run

    configs = []
    real_run = sim.run.run

    def recording_run(cfg: Any, *args: Any, **kwargs: Any) -> Any:
        configs.append(cfg)
        return real_run(cfg, *args, **kwargs)

    out = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    sim.run.run = recording_run  # the snippet imports it from sim.run when it runs
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md (worked comparison)", "exec"), namespace)
    finally:
        sim.run.run = real_run
    printed = {}
    for line in out.getvalue().splitlines():
        col, _, rest = line.partition(" ")
        plain = re.sub(r"np\.float\d+", "", rest)  # also as NumPy 2 prints its scalars: np.float64(1.5)
        printed[col] = tuple(float(x) for x in re.findall(NUMBER, plain))
    means = {name: {col: float(namespace[name][col].mean()) for col in printed} for name in RUNS}
    return {"printed": printed, "means": means, "configs": configs}


def _decimals(col: str, diff: float) -> int:
    """Whole kEUR for the account's flows; three significant figures of the difference for rates."""
    from sim.run import FLOWS

    if col in FLOWS or diff == 0 or not math.isfinite(diff):
        return 0
    return max(0, 2 - math.floor(math.log10(abs(diff))))


def _num(x: float, decimals: int, sign: bool = False) -> str:
    text = f"{abs(x):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return (MINUS if x < 0 else "+" if sign else "") + text


def render(result: dict[str, Any]) -> str:
    """The block between the markers: the configuration line and the table."""
    from sim.run import FLOWS

    cfgs = result["configs"]
    shape = {(c.run.seed, c.run.replications, c.world.actors, c.run.rounds) for c in cfgs}
    if len(shape) != 1:
        raise ValueError(f"the snippet's runs differ in seed, replications, actors or rounds: {sorted(shape)}")
    seed, reps, actors, rounds = shape.pop()
    lines = [
        f"With the defaults (seed {seed}, {reps} replications, {actors:,} actors, {rounds} rounds; kEUR per run):",
        "",
        "| column | " + " | ".join(RUNS.values()) + " | paired difference (95% interval) |",
        "|---|" + "---|" * len(RUNS) + "---|",
    ]
    for col, (m, lo, hi) in result["printed"].items():
        d = _decimals(col, m)
        label = col if col in FLOWS else f"{col} (mean per round)"
        runs = " | ".join(_num(result["means"][name][col], d) for name in RUNS)
        lines.append(f"| {label} | {runs} | {_num(m, d, True)} ({_num(lo, d, True)} to {_num(hi, d, True)}) |")
    return "\n".join(lines)


def claims(result: dict[str, Any]) -> list[str]:
    """The prose's claims that these figures no longer bear out (empty: all hold)."""
    p, closed = result["printed"], result["means"]["closed"]
    checks: list[tuple[str, Callable[[], bool]]] = [
        ("publishing loses benefit", lambda: p["benefit"][2] < 0),
        ("about a third of the benefit is lost", lambda: 0.25 <= -p["benefit"][0] / closed["benefit"] <= 0.42),
        ("actors evade more when the targeting is public", lambda: p["evasion_rate"][1] > 0),
        ("transparency raises support", lambda: p["legitimacy"][1] > 0),
        ("that does not make up for the loss (public value falls)", lambda: p["public_value"][2] < 0),
    ]
    failed = []
    for claim, holds in checks:
        try:
            if not holds():
                failed.append(claim)
        except (KeyError, ZeroDivisionError):
            failed.append(f"{claim} (its column is no longer printed)")
    return failed


def replace(text: str, block: str) -> str:
    """README text with the block between the markers replaced."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md lacks the markers {BEGIN!r} ... {END!r}")
    return text[: start + len(BEGIN)] + "\n" + block + "\n\n" + text[end:]  # (a blank line ends the table)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or, with --check, compare) README.md's worked-comparison figures; the exit status."""
    p = argparse.ArgumentParser(prog="python docs/readme_figures.py", description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if the README's figures are stale")
    p.add_argument("--readme", type=Path, default=README, help="the README to read (default: the project's)")
    args = p.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    result = run_snippet(snippet(text))
    new = replace(text, render(result))
    status = 0
    if new != text:
        if args.check:
            diff = difflib.unified_diff(text.splitlines(), new.splitlines(), "README.md", "computed", lineterm="")
            print("\n".join(diff))
            print(f"{args.readme}: the worked comparison's figures are stale; run python docs/readme_figures.py")
            status = 1
        else:
            from sim.run import write_atomic

            write_atomic(args.readme, new.encode("utf-8"))
            print(f"wrote the worked comparison's figures into {args.readme}")
    else:
        print(f"{args.readme}: the worked comparison's figures are current")
    failed = claims(result)
    if failed:
        print("the prose below the table no longer holds; revise it: " + "; ".join(failed), file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # this checkout's sim, whichever one is installed
    sys.exit(main())
