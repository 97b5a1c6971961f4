#!/usr/bin/env bash
# `make run`: set up, migrate, seed demo data when empty, then serve the app and a Celery
# worker together on the embedded default (SQLite + filesystem broker). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh runtime
export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}"
PY=.venv/bin/python
$PY manage.py migrate --no-input -v 0
$PY manage.py seed_demo --if-empty --scan-duplicates --contacts "${DEMO_CONTACTS:-2000}"
.venv/bin/celery -A kayse worker --loglevel=INFO --concurrency=2 -n "kayse-dev@%h" > var/celery-worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null; exit 0' INT TERM EXIT
cat <<MSG

  Kayse is running at http://127.0.0.1:$PORT/
  Sign in as admin / kayse-demo-2026 (Admin) or paralegal / kayse-demo-2026 (Staff).
  Portal links "sent" by email and SMS: http://127.0.0.1:$PORT/dev/outbox/
  Celery worker log: var/celery-worker.log. Press Ctrl-C to stop.

MSG
$PY manage.py runserver "127.0.0.1:$PORT"
