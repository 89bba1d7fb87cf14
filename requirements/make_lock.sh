#!/usr/bin/env bash
# Regenerate requirements/lock.txt, the tested dependency set that CI's locked job installs,
# and requirements/lowest.txt, the lowest releases the ranges allow (CI's lowest job)
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
# The lower end of the ranges: the lowest release of each direct dependency (uv resolves it).
pip install --quiet uv
printf 'pytest>=8\nhypothesis>=6.100\n' > "$(dirname "$venv")/tools.in"
{
  echo "# The lowest releases pyproject.toml's ranges allow for sim's direct dependencies (uv's"
  echo "# --resolution lowest-direct), with the test runner: CI's lowest job installs these and runs the"
  echo "# model's and determinism tests on them (.ci/run). Made by requirements/make_lock.sh."
  uv pip compile pyproject.toml "$(dirname "$venv")/tools.in" --resolution lowest-direct \
    --python-version "$(python -c 'import platform; print(platform.python_version())')" --no-header -q
} > requirements/lowest.txt.tmp
mv requirements/lowest.txt.tmp requirements/lowest.txt
echo "wrote requirements/lowest.txt ($(grep -c '==' requirements/lowest.txt) packages)"
rm -rf "$(dirname "$venv")"
