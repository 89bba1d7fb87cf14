"""Validation: the model reproduces published results and the essay's claims.

``python -m sim.validate --full`` (also ``sim validate --full``) runs every validation
case and writes ``docs/validation.md``: one row per case (source, setup, expected,
measured, pass) and a figure per case under ``docs/validation/``. A run of some cases
(without ``--full``: the fast ones, or ``--cases``) writes to ``results/validation/``
instead, and never replaces a full report (:func:`replaces_full_report`).

Every case runs :class:`sim.model.GovernanceModel` -- the same phases and the same
Numba population kernel that users run -- in a reduced configuration given by a
scenario file under ``scenarios/validation/``. The essay's claims (concepts §11) run
the arrangement presets as paired experiments on common random numbers. Without
``--full`` only the fast cases run (the test suite runs them too); ``--full`` runs
all of them (a few minutes on two cores). The report is generated, never edited.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.validation.cases import classification, confounding, ensign, inspection_game, performative
from sim.validation.figures import PALETTE, figure, png, wrap
from sim.validation.runner import Group, GroupResult, Row, Runner, run_frame, scenario

__all__ = [
    "BY_KEY",
    "CLAIMS",
    "FULL_COMMAND",
    "FULL_MARK",
    "FULL_OUT",
    "GROUPS",
    "PARTIAL_OUT",
    "Claim",
    "Group",
    "GroupResult",
    "Measure",
    "Row",
    "Runner",
    "main",
    "replaces_full_report",
    "run_group",
    "scenario",
    "write_report",
]

ROOT = Path(__file__).resolve().parents[2]  # the checkout: sim/validation/__init__.py -> .
SCENARIOS = "scenarios/validation"


# --------------------------------------------------------------------------- essay claims
# Paired experiments on the presets (concepts §11): cells of one claim share run.seed,
# so they share their worlds and draws (common random numbers); every measure is a
# per-replication statistic whose 95% interval must lie on the claimed side.
CLAIM_BASE = ("world.actors=20000", "run.rounds=40", "run.replications=30")
LATE = 30  # rounds from which a steady-state measure is read


@dataclass(frozen=True)
class Measure:
    """One paired measure of a claim.

    Attributes:
        label: What is measured, with its unit.
        cells: Overrides of each cell it needs (on top of CLAIM_BASE).
        value: Per-replication values from the cells' rounds frames.
        above: Passes if the 95% interval lies above this value.
        below: Passes if the 95% interval lies below this value.
    """

    label: str
    cells: tuple[tuple[str, ...], ...]
    value: Callable[..., np.ndarray]
    above: float | None = None
    below: float | None = None


@dataclass(frozen=True)
class Claim:
    """A stylized fact of the essay as a paired experiment."""

    number: int
    short: str
    text: str
    preset: str
    setup: str
    measures: tuple[Measure, ...]
    gap: str = ""  # what the model would need if the claim is not reproduced


def _total(col: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """Per-replication run total (sum of flows, mean of rates) of a column."""

    def f(df: pd.DataFrame) -> np.ndarray:
        from sim.run import run_totals

        return run_totals(df)[col].to_numpy()

    return f


def _diff(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """B - A of a run total."""
    tot = _total(col)
    return lambda a, b: tot(b) - tot(a)


def _late_diff(col: str) -> Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]:
    """B - A of a column's mean over the late rounds (steady state)."""

    def late(df: pd.DataFrame) -> np.ndarray:
        return df[df["round"] > LATE].groupby("replication")[col].mean().to_numpy()

    return lambda a, b: late(b) - late(a)


def _first_identified(df: pd.DataFrame) -> np.ndarray:
    """Round in which the true cause is first identified (rounds + 1 if never)."""
    rounds = int(df["round"].max())
    hit = df[df["cause_identified"] > 0].groupby("replication")["round"].min()
    return hit.reindex(sorted(df["replication"].unique())).fillna(rounds + 1).to_numpy()


def _support_trend(df: pd.DataFrame) -> np.ndarray:
    """Legitimacy in the last 5 rounds minus the first 5."""
    rounds = int(df["round"].max())
    by = df.groupby("replication")
    first = by.apply(lambda g: g[g["round"] <= 5]["legitimacy"].mean(), include_groups=False)
    last = by.apply(lambda g: g[g["round"] > rounds - 5]["legitimacy"].mean(), include_groups=False)
    return (last - first).to_numpy()


def _lost_share(closed: pd.DataFrame, public: pd.DataFrame) -> np.ndarray:
    b = _total("benefit")
    return 1.0 - b(public) / b(closed)


ZW, GW, OV, WB, ODP = "zwartwerken", "gezonde_wijk", "overlast", "woninginbraken", "open_data_platform"
RESTRICTED_APPLICATION = ("regime=closed", "regime.interpretation=restricted", "regime.use=restricted")

CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "publishing the targeting",
        "Publishing the targeting analysis (open use) lowers the enforcement benefit, "
        "more so the more reflexive the actors.",
        ZW,
        "use closed vs public; reflexivity population.sophistication 0.5 (preset) vs 0.1",
        (
            Measure(
                "benefit, public - closed (kEUR/run)",
                ((f"arrangement={ZW}",), (f"arrangement={ZW}", "regime.use=open")),
                _diff("benefit"),
                below=0.0,
            ),
            Measure(
                "share of benefit lost by publishing, sophistication 0.5 - 0.1",
                (
                    (f"arrangement={ZW}",),
                    (f"arrangement={ZW}", "regime.use=open"),
                    (f"arrangement={ZW}", "population.sophistication=0.1"),
                    (f"arrangement={ZW}", "regime.use=open", "population.sophistication=0.1"),
                ),
                lambda c5, p5, c1, p1: _lost_share(c5, p5) - _lost_share(c1, p1),
                above=0.0,
            ),
        ),
    ),
    Claim(
        2,
        "co-creation with aligned partners",
        "Co-creation with aligned partners: open regimes give more public value at lower government cost; "
        "partners take over part of the work.",
        GW,
        "regime closed vs open",
        (
            Measure(
                "public value, open - closed (kEUR/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("public_value"),
                above=0.0,
            ),
            Measure(
                "cost, open - closed (kEUR/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("cost"),
                below=0.0,
            ),
            Measure(
                "partner units, open - closed (units/run)",
                ((f"arrangement={GW}", "regime=closed"), (f"arrangement={GW}", "regime=open")),
                _diff("partner_units"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        3,
        "closed interpretation and confounding",
        "Closed interpretation on confounded data keeps capacity on the wrong places (the fish-shop effect); "
        "open interpretation with professionals' context knowledge finds the true cause sooner.",
        OV,
        "interpretation closed vs open",
        (
            Measure(
                f"misallocation after round {LATE}, open - closed (share)",
                (
                    (f"arrangement={OV}", "regime.interpretation=closed"),
                    (f"arrangement={OV}", "regime.interpretation=open"),
                ),
                _late_diff("misallocation"),
                below=0.0,
            ),
            Measure(
                "round the true cause is first identified, open - closed (never: 41)",
                (
                    (f"arrangement={OV}", "regime.interpretation=closed"),
                    (f"arrangement={OV}", "regime.interpretation=open"),
                ),
                lambda a, b: _first_identified(b) - _first_identified(a),
                below=0.0,
            ),
        ),
    ),
    Claim(
        4,
        "closed creation, open application in a circle",
        "Closed creation + open application within a restricted, like-minded circle keeps most of the "
        "enforcement benefit while improving interpretation and support.",
        ZW,
        "regime closed vs closed creation with interpretation and use restricted",
        (
            Measure(
                "benefit, restricted / closed (ratio; most: > 0.5)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                lambda a, b: _total("benefit")(b) / _total("benefit")(a),
                above=0.5,
            ),
            Measure(
                "misallocation, restricted - closed (share)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                _diff("misallocation"),
                below=0.0,
            ),
            Measure(
                "legitimacy, restricted - closed (mean per round)",
                ((f"arrangement={ZW}", "regime=closed"), (f"arrangement={ZW}", *RESTRICTED_APPLICATION)),
                _diff("legitimacy"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        5,
        "partners' data sharing",
        "Partners withhold data when its use may cost them; a safe environment (pseudonymisation, clear rules) "
        "raises sharing.",
        ZW,
        "regime open; partners.data_cost 0.2 vs 0.6 (preset); pseudonymisation off vs on",
        (
            Measure(
                "data shared, data cost 0.6 - 0.2 (share)",
                ((f"arrangement={ZW}", "regime=open", "partners.data_cost=0.2"), (f"arrangement={ZW}", "regime=open")),
                _diff("data_shared"),
                below=0.0,
            ),
            Measure(
                "data shared, pseudonymised - not (share)",
                (
                    (f"arrangement={ZW}", "regime=open"),
                    (f"arrangement={ZW}", "regime=open", "privacy.pseudonymisation=true"),
                ),
                _diff("data_shared"),
                above=0.0,
            ),
        ),
    ),
    Claim(
        6,
        "analytics levels",
        "Higher analytics levels raise benefits but also privacy costs and, where actions become predictable, evasion.",
        ZW,
        "analytics monitoring vs predictive (the preset: smoothed, stable, so predictable, allocation)",
        (
            Measure(
                "benefit, predictive - monitoring (kEUR/run)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("benefit"),
                above=0.0,
            ),
            Measure(
                "privacy exposure, predictive - monitoring (mean per round)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("privacy_exposure"),
                above=0.0,
            ),
            Measure(
                "evasion rate, predictive - monitoring (mean per round)",
                ((f"arrangement={ZW}", "analytics=monitoring"), (f"arrangement={ZW}", "analytics=predictive")),
                _diff("evasion_rate"),
                above=0.0,
            ),
        ),
        gap=(
            "Privacy exposure rises with the level, but benefit and evasion do not. In the model the levels "
            "differ only in lag, smoothing, the number of features searched and the resolution: no level "
            "forecasts better where harm will be (the analysis at every level fits the same records), so a "
            "higher level cannot raise the benefit; and actors respond to the current allocation (published, "
            "or learned from last round's experience), not to how predictable it is, so a stable allocation "
            "does not make evasion easier. The model would need (1) a forecast skill per level: predictive and "
            "profiling analyses that see part of next round's violations (e.g. from partner data or "
            "individual histories) before allocating, and (2) actors who learn the allocation from its past "
            "(publication after the round, belief updating on a moving average), so that a smoothed allocation "
            "is one they can anticipate and evade."
        ),
    ),
    Claim(
        7,
        "support over time",
        "One-sided closed control erodes support over time; openness builds it unless it enables gaming that is "
        "seen as unfair.",
        f"{OV}, {WB}",
        "overlast: regime closed, open; woninginbraken (profiling) open, with vs without gaming (game_cost 1000)",
        (
            Measure(
                "legitimacy, last 5 - first 5 rounds, closed (overlast)",
                ((f"arrangement={OV}", "regime=closed"),),
                _support_trend,
                below=0.0,
            ),
            Measure(
                "legitimacy, last 5 - first 5 rounds, open (overlast)",
                ((f"arrangement={OV}", "regime=open"),),
                _support_trend,
                above=0.0,
            ),
            Measure(
                "legitimacy gain, with - without gaming (open woninginbraken)",
                (
                    (f"arrangement={WB}", "regime=open", "population.game_cost=1000"),
                    (f"arrangement={WB}", "regime=open"),
                ),
                lambda a, b: _support_trend(b) - _support_trend(a),
                below=0.0,
            ),
        ),
    ),
    Claim(
        8,
        "open data platform",
        "An open data platform without active facilitation sees little reuse.",
        ODP,
        "platform.facilitation 0 (preset) vs 1; 12 partners",
        (
            Measure(
                "share of partners reusing the data per round, no facilitation (little: < 0.25)",
                ((f"arrangement={ODP}",),),
                lambda a: a.groupby("replication")["reusers"].mean().to_numpy() / 12,
                below=0.25,
            ),
            Measure(
                "reusing partners per round, facilitation 1 - 0",
                ((f"arrangement={ODP}",), (f"arrangement={ODP}", "platform.facilitation=1")),
                _late_diff("reusers"),
                above=0.0,
            ),
        ),
    ),
)


def _claim_cells() -> list[tuple[str, ...]]:
    cells: list[tuple[str, ...]] = []
    for claim in CLAIMS:
        for m in claim.measures:
            for c in m.cells:
                if c not in cells:
                    cells.append(c)
    return cells


def _claim_frames(runner: Runner) -> dict[tuple[str, ...], pd.DataFrame]:
    """Run every cell the claims need once (cells shared between claims run once)."""
    from sim.hydra_conf import load

    if runner.claim_frames is None:
        t0 = time.perf_counter()
        cells = _claim_cells()
        frames = runner.map(run_frame, [(load([*CLAIM_BASE, *c]),) for c in cells])
        runner.claim_frames = dict(zip(cells, frames, strict=True))
        runner.claim_seconds = time.perf_counter() - t0
    return runner.claim_frames


def _claim_group(number: int) -> Callable[[Runner], GroupResult]:
    def run_claim(runner: Runner) -> GroupResult:
        from sim.run import interval

        claim = CLAIMS[number - 1]
        frames = _claim_frames(runner)
        parts, values, ok = [], [], True
        for m in claim.measures:
            v = np.asarray(m.value(*[frames[c] for c in m.cells]), dtype=float)
            mean, lo, hi = interval(v)
            good = (m.above is None or lo > m.above) and (m.below is None or hi < m.below)
            ok &= good
            values.append((m, v, mean, lo, hi, good))
            parts.append(f"{m.label}: {_num(mean)} [{_num(lo)}, {_num(hi)}]")
        expected = "; ".join(
            f"{m.label.split(' (')[0]} {'> ' + _num(m.above) if m.above is not None else '< ' + _num(m.below)}"
            for m in claim.measures
        )
        reps = CLAIM_BASE[2].split("=")[1]
        row = Row(
            f"C{number}",
            f"Essay claim {number}: {claim.short}",
            "concepts §11, claim " + str(number),
            f"{claim.preset}: {claim.setup}; 20,000 actors, 40 rounds, {reps} paired replications",
            "95% interval of the paired measure: " + expected,
            "; ".join(parts),
            ok,
            "" if ok else claim.gap or "not reproduced; see the figure",
        )
        fig, axes = figure(len(values), 3.4 * len(values) + 0.6, 3.6)
        for ax, (m, v, mean, lo, hi, good) in zip(axes, values, strict=True):
            ax.scatter(
                np.zeros_like(v) + np.linspace(-0.15, 0.15, len(v)), v, color=PALETTE[0], s=14, label="replications"
            )
            ax.errorbar(
                [0.4],
                [mean],
                yerr=[[mean - lo], [hi - mean]],
                fmt="o",
                color=PALETTE[1],
                capsize=6,
                label="mean, 95% interval",
            )
            bound = m.above if m.above is not None else m.below
            side = "above" if m.above is not None else "below"
            ax.axhline(bound, color="black", ls=":", lw=1, label=f"claim: interval {side} {_num(bound)}")
            ax.set_xlim(-0.5, 0.8)
            ax.set_xticks([])
            ax.set_title(("" if good else "NOT MET: ") + wrap(m.label, 38), fontsize=8)
            ax.set_ylabel("paired value per replication")
        axes[0].legend(fontsize=7, loc="best")
        fig.suptitle(f"Claim {number} on {claim.preset}: " + wrap(claim.text, 110), fontsize=9)
        cells = len(_claim_cells())
        detail = (
            f"The claims' {cells} distinct cells run once for all eight claims "
            f"({runner.claim_seconds:.0f} s); cells of a claim share run.seed, so the differences are paired."
        )
        return GroupResult([row], fig, claim=claim.text, detail=detail)

    return run_claim


def _num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


# --------------------------------------------------------------------------- registry
GROUPS: tuple[Group, ...] = (
    *ensign.GROUPS,
    *performative.GROUPS,
    *inspection_game.GROUPS,
    *classification.GROUPS,
    *confounding.GROUPS,
    *(
        Group(
            f"claim{c.number}",
            f"C{c.number}. Essay claim {c.number}: {c.short}",
            (c.preset,),
            False,
            _claim_group(c.number),
        )
        for c in CLAIMS
    ),
)
BY_KEY = {g.key: g for g in GROUPS}


def run_group(key: str, jobs: int = 1, runner: Runner | None = None) -> GroupResult:
    """Run one group of cases (by key) and return its rows and figure."""
    own = runner is None
    runner = runner or Runner(jobs)
    try:
        t0 = time.perf_counter()
        result = BY_KEY[key].run(runner)
        result.seconds = time.perf_counter() - t0
        return result
    finally:
        if own:
            runner.close()


# --------------------------------------------------------------------------- report
FULL_COMMAND = "python -m sim.validate --full"
FULL_MARK = f"<!-- Generated by `{FULL_COMMAND}`; do not edit by hand. -->"  # write_report's first comment
FULL_OUT = "docs"  # where --full writes: the tracked report
PARTIAL_OUT = "results/validation"  # where a run of some cases writes by default (git-ignored)


def replaces_full_report(out: Path) -> Path | None:
    """The full report (``--full``'s) that a run of some cases into ``out`` would replace, if any.

    Args:
        out: The folder the report would be written to.
    """
    path = out / "validation.md"
    try:
        with open(path, encoding="utf-8") as fh:
            head = [fh.readline() for _ in range(5)]
    except (OSError, UnicodeDecodeError):
        return None
    return path if any(line.strip() == FULL_MARK for line in head) else None


INTRO = """\
Every case below runs the model itself — `sim.model.GovernanceModel`, the same seven phases and the
same Numba population kernel that `python -m sim` runs — in a reduced configuration given by a
scenario file under [`scenarios/validation/`]({scen}). Nothing here is a separate model written to
pass: where a published setup could not be expressed, a mechanism was added to the model's phases
as a configuration option whose default leaves the presets unchanged (see `docs/ODD.md`,
section 7). The essay's claims (concepts §11) run the arrangement presets as paired experiments:
the cells of a claim share their seed, hence their worlds and random draws (common random
numbers), and each measure is a per-replication statistic whose 95% t-interval must lie on the
claimed side. Tolerances are those of the published results, never widened; a case that fails is
reported as failing, with what the model would need."""


def _md(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def write_report(
    results: dict[str, GroupResult | None], out: Path, full: bool, seconds: float, jobs: int, commit: str = ""
) -> Path:
    """Write ``validation.md`` and one figure per group (atomically) into ``out``.

    Args:
        results: Group key -> its result, or None for a group that was not run.
        out: Folder of the report (figures go to ``out/validation/``).
        full: Whether all cases were asked for (``--full``).
        seconds: Wall time of the whole validation.
        jobs: Worker processes used.
        commit: The commit the cases ran on (read when they started); default: now.

    Returns:
        The path of the report.
    """
    from sim.run import write_atomic

    figdir = out / "validation"
    figdir.mkdir(parents=True, exist_ok=True)
    scen = Path(os.path.relpath(ROOT / SCENARIOS, out)).as_posix()
    for key, res in results.items():
        if res is not None:
            write_atomic(figdir / f"{key}.png", png(res.figure))
    rows = [(g, r) for g in GROUPS for r in (results[g.key].rows if results.get(g.key) else [None])]
    ran = [r for _, r in rows if r is not None]
    failed = [r for r in ran if not r.passed]
    command = FULL_COMMAND if full else "python -m sim.validate"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Validation",
        "",
        FULL_MARK if full else f"<!-- Generated by `{command}`; do not edit by hand. -->",
        f"Generated by `{command}` on {when} from commit `{commit or _git_commit()}` "
        f"({len(ran)} cases in {seconds / 60:.1f} min with {jobs} worker process{'es' if jobs > 1 else ''}). "
        "Do not edit by hand: run the command again.",
        "",
        INTRO.format(scen=scen),
        "",
        f"**{len(ran) - len(failed)} of {len(ran)} cases pass.**"
        + (f" Not reproduced: {', '.join(r.case for r in failed)} (explained below)." if failed else "")
        + ("" if len(ran) == len(rows) else f" {len(rows) - len(ran)} cases were not run (they need `--full`)."),
        "",
        "| case | source | setup | expected | measured | pass |",
        "|---|---|---|---|---|---|",
    ]
    for g, r in rows:
        if r is None:
            why = "not run (fast case; not selected)" if g.fast else "not run (needs `--full`)"
            lines.append(f"| {_md(g.title)} | | | | {why} | – |")
            continue
        mark = "pass" if r.passed else "**fail**"
        lines.append(
            f"| [{r.case}](#{g.key.replace('_', '-')}) {_md(r.title)} | {_md(r.source)} | {_md(r.setup)} | "
            f"{_md(r.expected)} | {_md(r.measured)} | {mark} |"
        )
    for g in GROUPS:
        res = results.get(g.key)
        if res is None:
            continue
        files = ", ".join(
            f"[`{s}.yaml`]({scen}/{s}.yaml)" if (ROOT / SCENARIOS / f"{s}.yaml").is_file() else f"preset `{s}`"
            for s in g.scenarios
        )
        lines += ["", f'<a id="{g.key.replace("_", "-")}"></a>', "", f"## {g.title}", ""]
        if res.claim:
            lines += [f"*Claim:* {res.claim}", ""]
        if res.detail:
            lines += [res.detail, ""]
        lines += [f"Configuration: {files}. Run time {res.seconds:.0f} s.", ""]
        for r in res.rows:
            verdict = "passes" if r.passed else "**does not pass**"
            lines.append(f"- **{r.case}** {verdict}. Expected: {r.expected}. Measured: {r.measured}.")
        lines += ["", f"![{_md(g.title)}](validation/{g.key}.png)", ""]
        for r in res.rows:
            if not r.passed:
                lines += [f"**What the model would need ({r.case}).** {r.gap}", ""]
    path = out / "validation.md"
    write_atomic(path, ("\n".join(lines).rstrip() + "\n").encode())
    return path


# --------------------------------------------------------------------------- command line
def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sim validate",
        description=(
            f"Run the validation cases. With --full: every case, into {FULL_OUT}/validation.md and its figures "
            f"(the tracked report). Without: the fast cases (or --cases), into {PARTIAL_OUT}/; a run of some "
            "cases never replaces a full report (it stops with exit status 2 instead)."
        ),
    )
    parser.add_argument(
        "--full", action="store_true", help=f"run every case (minutes) and write {FULL_OUT}/; default: the fast cases"
    )
    parser.add_argument(
        "--out",
        default=None,
        help=f"folder of validation.md and validation/*.png (default: {FULL_OUT} with --full, else {PARTIAL_OUT}); "
        "a folder holding a full report takes only --full",
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    parser.add_argument("--cases", default="", help="comma-separated case groups to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the case groups and exit")
    return parser.parse_args(argv)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sim.validate`` and ``sim validate``; returns the exit status.

    Exit status 0 if every case that ran passes or fails with an explanation of what
    the model would need, 1 if a case fails without one, 2 on bad input.
    """
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
        return int(exc.code) if isinstance(exc.code, int) else 2
    if args.list:
        for g in GROUPS:
            print(f"{g.key:26s} {'fast' if g.fast else 'full'}  {g.title}")
        return 0
    if args.jobs < 1:
        return _error(f"--jobs={args.jobs} is not allowed. Allowed: an integer >= 1.")
    keys = [k.strip() for k in args.cases.split(",") if k.strip()]
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        return _error(f"--cases={','.join(unknown)} is not allowed. Allowed: {', '.join(BY_KEY)}.")
    if keys and args.full:
        return _error("--cases and --full exclude each other (--full runs every case).")
    selected = keys or [g.key for g in GROUPS if args.full or g.fast]
    from sim.run import unwritable

    out = Path(args.out if args.out is not None else FULL_OUT if args.full else PARTIAL_OUT)
    problem = unwritable(out / "validation")
    if problem:
        allowed = f"a folder that can be created and written; {problem}"
        return _error(f"--out={str(out)!r} is not allowed. Allowed: {allowed}.")
    full_report = None if args.full else replaces_full_report(out)
    if full_report is not None:
        return _error(
            f"--out={str(out)!r} is not allowed: {full_report} is a full report (`{FULL_COMMAND}`), and this run "
            f"has {len(selected)} of {len(GROUPS)} case groups; it would replace it. Allowed: --full, or another "
            f"folder (without --out, a run of some cases writes to {PARTIAL_OUT})."
        )
    logging.getLogger("MESA").setLevel(logging.WARNING)
    commit = _git_commit()  # the code the cases run on (the checkout may move while they run)
    runner = Runner(args.jobs)
    results: dict[str, GroupResult | None] = {g.key: None for g in GROUPS}
    t0 = time.perf_counter()
    try:
        for key in selected:
            res = run_group(key, runner=runner)
            results[key] = res
            for r in res.rows:
                print(f"{r.case:4s} {'pass' if r.passed else 'FAIL'}  {r.title}: {r.measured}  [{res.seconds:.0f} s]")
    except ConfigError as exc:
        return _error(f"a validation scenario does not compose: {exc}")
    finally:
        runner.close()
    path = write_report(results, out, args.full, time.perf_counter() - t0, args.jobs, commit)
    ran = [r for res in results.values() if res for r in res.rows]
    print(f"wrote {path} ({sum(r.passed for r in ran)} of {len(ran)} cases pass, {time.perf_counter() - t0:.0f} s)")
    return 1 if any(not r.passed and not r.gap for r in ran) else 0
