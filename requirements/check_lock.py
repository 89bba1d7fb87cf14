"""Check that this environment is the locked set: every package at the lock's version, none beyond it.

Run by ``.ci/run`` after the locked install. A dependency added to ``pyproject.toml``
without regenerating the lock would otherwise install unconstrained (pip's constraints
only bound what they name); regenerate with ``bash requirements/make_lock.sh``.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

LOCK = Path(__file__).resolve().parent / "lock.txt"
OWN = {"sim", "pip", "setuptools", "wheel"}


def normal(name: str) -> str:
    """A distribution name as PEP 503 compares names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    """Compare the installed distributions with the lock; 0 if they are the same set."""
    locked = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            locked[normal(name)] = version.strip()
    installed = {normal(d.metadata["Name"]): d.version for d in metadata.distributions()}
    problems = [
        f"{name}: installed {installed[name]}, locked {version}"
        for name, version in sorted(locked.items())
        if name in installed and installed[name] != version
    ]
    known = set(locked) | OWN
    problems += [
        f"{name}: installed {v}, not in the lock" for name, v in sorted(installed.items()) if name not in known
    ]
    if problems:
        print("the environment is not the locked set (regenerate: bash requirements/make_lock.sh):", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"locked set: {len(locked)} packages, as installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
