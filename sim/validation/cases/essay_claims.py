"""Cases C1-C8: the essay's claims, each a paired experiment on an arrangement preset.

Source: the essay's stylized facts as listed in concepts §11, in the table
:data:`sim.validation.claims.CLAIMS`. Every cell the claims need runs once for all
eight (cells shared between claims too, :func:`_claim_frames`); a claim passes if the
95% t-interval over replications of each of its paired measures lies on the claimed
side. A claim that is not reproduced says what the model would need (``Claim.gap``).

Presets: ``scenarios/*.yaml`` (zwartwerken, gezonde_wijk, overlast, woninginbraken,
open_data_platform). Full runs only (``--full``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.run import interval
from sim.validation.claims import CLAIM_BASE, CLAIMS, claim_cells
from sim.validation.figures import PALETTE, figure, wrap
from sim.validation.runner import Group, GroupResult, Row, Runner, run_frame

# sim.hydra_conf (Hydra) is imported where the cells are composed, for start-up time
# (`sim validate --list` and bad input do not load it).


def _claim_frames(runner: Runner) -> dict[tuple[str, ...], pd.DataFrame]:
    """Run every cell the claims need once (cells shared between claims run once)."""
    from sim.hydra_conf import load

    if runner.claim_frames is None:
        t0 = time.perf_counter()
        cells = claim_cells()
        frames = runner.map(run_frame, [(load([*CLAIM_BASE, *c]),) for c in cells])
        runner.claim_frames = dict(zip(cells, frames, strict=True))
        runner.claim_seconds = time.perf_counter() - t0
    return runner.claim_frames


def _claim_group(number: int) -> Callable[[Runner], GroupResult]:
    def run_claim(runner: Runner) -> GroupResult:
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
        cells = len(claim_cells())
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


GROUPS: tuple[Group, ...] = tuple(
    Group(
        f"claim{c.number}",
        f"C{c.number}. Essay claim {c.number}: {c.short}",
        (c.preset,),
        False,
        _claim_group(c.number),
    )
    for c in CLAIMS
)
