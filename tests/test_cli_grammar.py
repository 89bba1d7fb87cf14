"""No command line crashes, exits oddly or writes outside the output root (hypothesis).

Command lines are drawn from the grammar users type: overrides of real and misspelt
keys with well-formed and malformed values, Hydra's prefixes (``+``, ``~``, ``++``),
arrangement names of every form (presets, nested presets, paths that climb out,
absolute paths, empty parts), and sweeps of lists. Each runs the real command
(:func:`sim.cli.main`, in this process, so that a hundred examples take seconds),
at a tiny scale and on the in-process launcher. Whatever the input:

- no traceback, and an exit status of 0 (ran), 1 (a run or cell failed), 2 (refused)
  or 130 (interrupted);
- nothing written outside the configured output root (``results/`` of the working
  folder), and nothing at all when the input is refused.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim import cli
from sim.hydra_conf import ROOT

KEYS = [
    "run.rounds",
    "run.seed",
    "run.replications",
    "world.places",
    "world.actors",
    "regime.use",
    "regime.framing",
    "population.fine",
    "government.capacity",
    "weights.legitimacy",
    "run.rouns",
    "wrold.places",
    "regime",
    "role",
    "analytics",
    "arrangement",
    "hydra.verbose",
    "sampling.sample",
]
ARRANGEMENTS = [
    "overlast",
    "zwartwerken",
    "lessons/fish_shop",
    "validation/fish_shop",
    "../conf/experiment/roles",
    "/etc/passwd",
    "lessons//fish_shop",
    "lessons/../overlast",
    "./overlast",
    "overlast.yaml",
    "atlantis",
    "",
    "ümlaut",
    "lessons/",
    "%2F",
]
ATOMS = st.sampled_from(
    ["1", "0", "-3", "2.5", "nan", "inf", "1e99", "true", "null", "open", "closed", "public", "producer", "regulator"]
) | st.text(alphabet="abz019_-./~%,=[]{}:'\" ${}", max_size=8)


@st.composite
def override(draw) -> str:
    """One override: a key, a Hydra prefix or none, a value (a list, a sweep, an atom)."""
    if draw(st.booleans()):
        key, value = "arrangement", draw(st.sampled_from(ARRANGEMENTS))
        if draw(st.integers(0, 4)) == 0:  # a sweep of arrangement names
            value = f"{value},{draw(st.sampled_from(ARRANGEMENTS))}"
    else:
        key = draw(st.sampled_from(KEYS))
        shape = draw(st.integers(0, 5))
        atom = draw(ATOMS)
        value = {0: f"[{atom},{draw(ATOMS)}]", 1: f"{atom},{draw(ATOMS)}"}.get(shape, atom)
    prefix = draw(st.sampled_from(["", "", "", "+", "~", "++"]))
    if prefix == "~" and draw(st.booleans()):
        return f"~{key}"
    return f"{prefix}{key}={value}"


SCALE = ["world.actors=300", "run.rounds=2", "run.replications=1"]


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def _repo_files() -> dict[Path, int]:
    """The files of the project's config and scenario folders (no command may add or change one)."""
    return {p: p.stat().st_mtime_ns for d in ("conf", "scenarios") for p in _files(ROOT / d)}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(override(), min_size=1, max_size=4), st.booleans())
def test_no_command_line_crashes_or_writes_outside_its_output_root(tmp_path_factory, overrides, sweep):
    work = tmp_path_factory.mktemp("cli")
    repo_files = _repo_files()
    argv = (["-m"] if sweep else []) + overrides + SCALE + ["hydra/launcher=basic"]
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main(argv)
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(before)
    event(f"exit {status}")
    assert status in (0, 1, 2, 130), (argv, status, err.getvalue()[-2000:])
    assert "Traceback" not in err.getvalue() + out.getvalue(), (argv, err.getvalue()[-3000:])
    written = _files(work)
    assert all(p.is_relative_to(work / "results") for p in written), (argv, sorted(map(str, written))[:5])
    if status == 2:
        assert not written, (argv, sorted(map(str, written))[:5])
    assert _repo_files() == repo_files, argv
