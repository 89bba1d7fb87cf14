"""After Ctrl+C: where an interrupted sweep stands, and the command that resumes it.

:func:`note_command` keeps, when the sweep is planned, what the message needs (the
command line, the cells, whether the folder is named by the time); :func:`interrupted`,
which :mod:`sim.console` calls after Ctrl+C (it is in ``sim.console.INTERRUPTED``),
tidies up and gives the one line the command ends with.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim import console
from sim.sweep.cell import ERROR, RESULT
from sim.sweep.state import STATE
from sim.sweep.summary import summarize


def note_command(argv: Sequence[str], cfg: Any, n_cells: int) -> None:
    """Keep what :func:`interrupted` needs to tell how to resume this sweep.

    Args:
        argv: The command line's arguments (after the program).
        cfg: Its composed config with the ``hydra`` node (:func:`sim.sweep.planning.plan`).
        n_cells: Cells in the sweep.
    """
    from omegaconf import OmegaConf

    prog = "sim" if Path(sys.argv[0] if sys.argv else "").name == "sim" else "python -m sim"
    folder = OmegaConf.to_container(cfg.hydra.sweep, resolve=False).get("dir", "")
    given = any(a.lstrip("+~").startswith("hydra.sweep.dir=") for a in argv)
    launcher = str(OmegaConf.select(cfg, "hydra.launcher._target_", default=""))
    STATE.pop("sweep_dir", None)  # set again by this sweep's callback, once it has made the folder
    STATE["command"] = {
        "command": f"{prog} {shlex.join(argv)}".strip(),
        # A folder named by the time (the default for an ad hoc sweep) differs on a rerun: name it then.
        "dated": "${now:" in str(folder) and not given,
        "cells": n_cells,
        # Launchers whose workers are this machine's processes, ended when the sweep is interrupted.
        "local": launcher.endswith((".LocalLauncher", ".JoblibLauncher", ".BasicLauncher")),
    }


def interrupted() -> str | None:
    """After Ctrl+C in the launching process: tidy up and say where the sweep stands, or None if none ran.

    Ends the upkeep of ``summary.parquet`` (:func:`sim.sweep.summary.keep_summary`),
    waiting for a rewrite under way so that none is cut short; removes, for a local
    launcher whose workers have been ended, the temp files of writes they were making (a
    rerun would remove them too: :func:`sim.sweep.cell.run_cell`); rewrites
    ``summary.parquet`` with every cell done. A cell folder without ``result.json``
    (Hydra makes the folder, its ``.hydra`` and ``run.log`` when the cell starts) holds
    no result: a rerun computes it.

    Returns:
        One line: the cells done and the command that resumes the sweep.
    """
    noted = STATE.pop("command", None)
    if noted is None:
        return None
    reader, done = STATE.pop("reader", (None, None))
    if reader is not None:
        done.set()
        reader.join(60.0)
    root = STATE.get("sweep_dir")
    command, finished, failed = noted["command"], set(), set()
    if root is not None and Path(root).is_dir():
        if noted["local"]:
            for stale in Path(root).glob("*/.*.tmp"):
                stale.unlink(missing_ok=True)
        finished = {p.parent for p in Path(root).glob(f"*/{RESULT}")}
        failed = {p.parent for p in Path(root).glob(f"*/{ERROR}")} - finished
        if finished:
            try:
                summarize(Path(root))  # the cells done, for a report meanwhile (each read once: collect)
            except Exception:  # best effort: the rerun writes it in any case
                pass
        if noted["dated"]:
            command += " " + shlex.quote(f"hydra.sweep.dir={root}")
    done_cells = f"{min(len(finished), noted['cells'])} of {noted['cells']} cells done"
    if failed:
        done_cells += f", {len(failed)} failed"
    where = f" in {root}" if root is not None else ""
    return f"sweep interrupted: {done_cells}{where}; to resume, run: {command}"


if interrupted not in console.INTERRUPTED:
    console.INTERRUPTED.append(interrupted)
