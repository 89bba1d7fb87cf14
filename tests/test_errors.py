"""Every row of tests/error_cases.py: exit 2, a clear message, no traceback, nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.error_cases import CASES, render

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"" for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_error_case(case, tmp_path):
    for rel, content in case.here.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    before = snapshot(tmp_path)
    made = []
    try:
        for rel, content in case.files.items():
            path = ROOT / rel
            path.write_text(content)
            made.append(path)
        r = subprocess.run(
            [sys.executable, "-m", "sim", *case.args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=ENV,
            timeout=120,
        )
    finally:
        for path in made:
            path.unlink()
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr
    for word in case.must_say:
        assert word in r.stderr, (word, r.stderr)
    assert snapshot(tmp_path) == before, "nothing may be written"


def test_unsafe_yaml_tag_is_not_executed(tmp_path):
    marker = tmp_path / "executed"
    path = ROOT / "scenarios" / "_err_exec.yaml"
    path.write_text(f'# @package _global_\nrun:\n  rounds: !!python/object/apply:os.system ["touch {marker}"]\n')
    try:
        r = subprocess.run(
            [sys.executable, "-m", "sim", "arrangement=_err_exec"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=ENV,
            timeout=120,
        )
    finally:
        path.unlink()
    assert r.returncode == 2 and not marker.exists()


def test_docs_errors_md_is_up_to_date():
    assert (ROOT / "docs" / "errors.md").read_text() == render(), "run: python tests/error_cases.py"
