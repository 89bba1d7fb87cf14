"""A cell's folder: its name, and that every cell planned has one of its own and is accounted for.

A cell's folder is its overrides as Hydra names them (``hydra.job.override_dirname``),
made one folder name right under the sweep folder by the ``sim.cell_dir`` resolver
(:func:`cell_dirname`, registered on import) of ``conf/config.yaml``'s
``hydra.sweep.subdir`` (:data:`CELL_DIR`). Before a sweep starts, :func:`plan_folders`
checks that no two cells would share a folder and notes them; at its end,
:func:`unaccounted` names every cell planned that left neither results nor an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import OmegaConf

from sim.config import ConfigError
from sim.sweep.cell import ERROR, RESULT
from sim.sweep.planning import _task_overrides
from sim.sweep.state import STATE

if TYPE_CHECKING:
    import pandas as pd

# conf/config.yaml's hydra.sweep.subdir: a cell's folder is its overrides, as Hydra's
# override_dirname gives them, made one folder name (cell_dirname).
CELL_DIR = "${sim.cell_dir:${hydra.job.override_dirname}}"
NO_OVERRIDES = "defaults"  # the folder of a cell whose overrides all leave its folder's name


def cell_dirname(override_dirname: str) -> str:
    """A cell's folder name (the ``sim.cell_dir`` resolver of ``hydra.sweep.subdir``).

    Hydra names a cell by its overrides, sorted and joined by ``,``
    (``hydra.job.override_dirname``). A ``/`` in a value (``arrangement=lessons/fish_shop``)
    would make that a path of nested folders, which the summary (one folder per cell,
    right under the sweep folder) does not read, and a ``..`` could lead out of the sweep
    folder. So ``%`` and ``/`` are written as in a URL, ``%25`` and ``%2F``: every cell has
    one folder right under the sweep folder, and its name gives the overrides back
    (``arrangement=lessons%2Ffish_shop,role=producer``). Names without either are Hydra's.
    A cell with no overrides that name its folder is in ``defaults``, not the sweep folder itself.
    """
    name = override_dirname.replace("%", "%25").replace("/", "%2F")
    if name in (".", ".."):  # only with an empty hydra.job.config.override_dirname.kv_sep
        name = name.replace(".", "%2E")
    return name or NO_OVERRIDES


# Registered on import: every process that resolves hydra.sweep.subdir has imported this
# module, which the package sim.sweep imports (Hydra's job runner does it in the launcher's
# worker, which unpickles the package's SweepCallback with Hydra's context before the job).
OmegaConf.register_new_resolver("sim.cell_dir", cell_dirname, replace=True)


def cell_folders(cells: list[list[str]], cfg: Any) -> list[str] | None:
    """The folder (name, under the sweep folder) that each cell's job will write, as Hydra names it.

    Args:
        cells: Each cell's overrides (:func:`sim.sweep.planning.plan`).
        cfg: The command line's config with its ``hydra`` node (:func:`sim.sweep.planning.plan`).

    Returns:
        The names, in the order of ``cells``; None if ``hydra.sweep.subdir`` is not sim's
        :data:`CELL_DIR` (a folder naming of the user's own).
    """
    import re

    if OmegaConf.to_container(cfg.hydra.sweep, resolve=False).get("subdir") != CELL_DIR:
        return None
    naming = OmegaConf.to_container(cfg.hydra.job.config.override_dirname, resolve=True)
    exclude, kv_sep, item_sep = set(naming["exclude_keys"]), naming["kv_sep"], naming["item_sep"]
    folders = []
    for cell in cells:  # as Hydra's get_overrides_dirname, from the override strings
        lines = sorted(o for o in _task_overrides(cell) if _override_key(o) not in exclude)
        folders.append(cell_dirname(re.sub("=", kv_sep, item_sep.join(lines))))
    return folders


def _override_key(override: str) -> str:
    """An override's key or config group, as Hydra's ``key_or_group`` (``+a@pkg=x``: ``a``)."""
    return override.lstrip("+~").partition("=")[0].partition("@")[0]


def plan_folders(cells: list[list[str]], cfg: Any) -> None:
    """Check that each cell of a sweep has a folder of its own, and note them for its end (:func:`unaccounted`).

    Args:
        cells: Each cell's overrides (:func:`sim.sweep.planning.plan`).
        cfg: The command line's config with its ``hydra`` node (:func:`sim.sweep.planning.plan`).

    Raises:
        ConfigError: Two cells would write the same folder: they differ only in keys
            that do not name it (``experiment``, ``run.threads``), or not at all.
    """
    folders = cell_folders(cells, cfg)
    if folders is None:  # the user's own naming: only how many cells can be checked
        STATE["planned"] = len(cells)
        return
    seen: dict[str, list[str]] = {}
    for cell, folder in zip(cells, folders, strict=True):
        if folder in seen:
            excluded = ", ".join(cfg.hydra.job.config.override_dirname.exclude_keys)
            raise ConfigError(
                "sweep cell",
                " ".join(_task_overrides(cell)),
                f"cells that each have a folder of their own; this one and `{' '.join(seen[folder])}` would "
                f"both be {folder}/ (a cell's folder is named by its overrides, except {excluded})",
                "the command line",
            )
        seen[folder] = list(_task_overrides(cell))
    STATE["planned"] = seen


def unaccounted(
    root: Path, table: pd.DataFrame, failures: list[dict[str, Any]], planned: dict[str, list[str]] | int | None
) -> list[dict[str, Any]]:
    """The cells a sweep planned (:func:`plan_folders`) that are neither in its summary nor among its failures.

    Args:
        root: The sweep folder.
        table: The summary (:func:`sim.sweep.summary.collect`).
        failures: The failed cells (:func:`sim.sweep.summary.collect`).
        planned: Each planned cell's folder and overrides; or, where the folders cannot
            be told (a ``hydra.sweep.subdir`` of the user's own), how many cells; or None.

    Returns:
        One failure record (``cell``, ``error``) per cell missing; with a count only, one for all.
    """
    found = set(table["cell"]) if "cell" in table else set()
    found |= {str(f.get("cell")) for f in failures}
    if isinstance(planned, int):
        if len(found) >= planned:
            return []
        return [
            {
                "cell": "?",
                "error": f"the sweep planned {planned} cells, but {root} holds results or errors of "
                f"{len(found)} only (each cell must be a folder right under the sweep folder; "
                "hydra.sweep.subdir is not sim's own naming here)",
            }
        ]
    return [
        {
            "cell": folder,
            "error": f"planned ({' '.join(cell) or 'no overrides'}), but {root} holds neither its results "
            f"nor an error record ({folder}/{RESULT} or {ERROR})",
        }
        for folder, cell in (planned or {}).items()
        if folder not in found
    ]
