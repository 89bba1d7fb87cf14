"""Hydra's basic sweeper and joblib launcher, without composing each cell twice more.

Hydra composes every job of a sweep (~0.1 s each) twice beyond what sim already did:
the sweeper composes each once to check that it composes, and the launcher's worker
composes it again to run it. sim's command line has composed and validated every cell
before Hydra starts (:func:`sim.sweep.planning.check_cells`), so :class:`CheckedSweeper` skips
the sweeper's check for those cells, and :class:`LocalLauncher` gives each worker its
job's config ready made (:func:`sim.sweep.launch.job_configs`: one composition per option of
a swept config group, the same config to the last key). Jobs, their order, folders
and files are Hydra's own; the logic lives in :mod:`sim.sweep`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.utils import JobReturn
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher


class CheckedSweeper(BasicSweeper):
    """Hydra's basic sweeper; cells already checked by sim are not composed again to check them."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose (check) only the jobs of ``batch`` that sim's command line has not checked."""
        from sim import sweep

        unchecked = [job for job in batch if not sweep.cell_checked(job)]
        if unchecked:
            super().validate_batch_is_legal(unchecked)


class LocalLauncher(JoblibLauncher):
    """Hydra's joblib launcher (all cores), each job's config made in this process, cheaply."""

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        """Run the jobs on joblib's workers, as Hydra's joblib launcher does."""
        from sim import sweep

        return sweep.launch_local(self, job_overrides, initial_job_idx)
