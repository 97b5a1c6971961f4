#!/usr/bin/env bash
# Create .venv and install the requirements, only when they changed since the last run.
# Usage: scripts/setup.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-runtime}"
files="requirements.txt"
[ "$kind" = dev ] && files="requirements.txt requirements-dev.txt"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PYTHON --version)…"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$kind-$(cat $files | sha1sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing $kind requirements…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
  req=requirements.txt; [ "$kind" = dev ] && req=requirements-dev.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
  rm -f .venv/.installed-"$kind"-*
  touch "$stamp"
fi
