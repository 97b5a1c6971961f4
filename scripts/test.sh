#!/usr/bin/env bash
# `make test`: install test requirements, lint, then the whole suite on SQLite and, when
# PostgreSQL is available (always under CI=true), again on PostgreSQL; then the production
# smoke test (scripts/prod-smoke.sh: gunicorn, Celery and beat on PostgreSQL and Redis, under
# load). Real Redis, a real Celery worker and Debian's Chromium are used where the tests need them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check .
ruff format --check . >/dev/null || { echo "ruff format would change files: run .venv/bin/ruff format ."; exit 1; }
eval "$(scripts/services.sh)"
workers="${PYTEST_WORKERS:-2}"
echo "== pytest on SQLite"
pytest -n "$workers" "$@"
if [ -n "${KAYSE_TEST_POSTGRES_URL:-}" ]; then
  echo "== pytest on PostgreSQL"
  DATABASE_URL="$KAYSE_TEST_POSTGRES_URL" pytest -n "$workers" -m "not browser" "$@"
elif [ "${CI:-}" = true ]; then
  echo "PostgreSQL is required under CI=true but could not be started." >&2
  exit 1
else
  echo "== PostgreSQL not available: the PostgreSQL run was skipped."
fi
if [ -n "${KAYSE_TEST_POSTGRES_URL:-}" ] && [ -n "${KAYSE_TEST_REDIS_URL:-}" ]; then
  echo "== production smoke: gunicorn, 2 Celery workers and beat on PostgreSQL and Redis, under Locust"
  scripts/prod-smoke.sh --users 20 --time 40s
elif [ "${CI:-}" = true ]; then
  echo "PostgreSQL and Redis are required under CI=true for the production smoke test." >&2
  exit 1
else
  echo "== PostgreSQL or Redis not available: the production smoke test was skipped."
fi
