#!/usr/bin/env bash
# Regenerate requirements/lock.txt, the tested dependency set that CI's locked job installs
# (.ci/run): what `pip install -e ".[test]"` resolves today, in a fresh virtual environment
# of this machine's python3 (3.11). Run it when pyproject.toml's dependencies change, then
# run the tests on the new set and commit the lock with them.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
# shellcheck disable=SC1091
. "$venv/bin/activate"
python -m pip install --quiet --upgrade pip
PIP_CONSTRAINT="" pip install --quiet -e ".[test]"
{
  echo "# The tested dependency set: CI's locked job installs the README's test command with these"
  echo "# as constraints (.ci/run). Made by requirements/make_lock.sh on $(date -u +%Y-%m-%d), Python $(python -c 'import platform; print(platform.python_version())')."
  pip freeze --exclude-editable | grep -viE '^(pip|setuptools|wheel)=='
} > requirements/lock.txt.tmp
mv requirements/lock.txt.tmp requirements/lock.txt
echo "wrote requirements/lock.txt ($(grep -vc '^#' requirements/lock.txt) packages)"
rm -rf "$(dirname "$venv")"
