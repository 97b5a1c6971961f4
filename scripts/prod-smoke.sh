#!/usr/bin/env bash
# Production smoke test: the production layout on PostgreSQL and Redis, under concurrent load.
#
#   scripts/prod-smoke.sh [--users 20] [--time 40s] [--contacts 2000] [--port N] [--keep]
#
# In a scratch database on the PostgreSQL of scripts/services.sh: migrate, collectstatic, seed
# demo data; then gunicorn (deploy/gunicorn.conf.py, 2 sync workers) on a loopback port, two
# Celery workers and beat on Redis, and a headless Locust run (bench/load/locustfile.py) of staff
# browsing, an admin importing through the wizard, Download All and portal visits. It fails on
# any failed request, on a task lost or run twice (bench/load/check.py) and on a worker error,
# and prints the p95 of every page type. `make test` runs it short; `--users 50 --time 2m` is
# the load test whose figures are in the README. Everything it started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=20
DURATION=40s
CONTACTS=2000
PORT=
KEEP=
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS="$2"; shift 2 ;;
    --time) DURATION="$2"; shift 2 ;;
    --contacts) CONTACTS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "prod-smoke: unknown option $1" >&2; exit 2 ;;
  esac
done
scripts/setup.sh dev
PY="$PWD/.venv/bin/python"
BIN="$PWD/.venv/bin"
if [ -z "${KAYSE_TEST_POSTGRES_URL:-}" ] || [ -z "${KAYSE_TEST_REDIS_URL:-}" ]; then
  eval "$(scripts/services.sh)"
fi
if [ -z "${KAYSE_TEST_POSTGRES_URL:-}" ] || [ -z "${KAYSE_TEST_REDIS_URL:-}" ]; then
  echo "prod-smoke: needs PostgreSQL and Redis (scripts/services.sh could not start them)" >&2
  exit 1
fi

# A free loopback port unless one was given.
PORT="${PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
RUN=$(mktemp -d /tmp/kayse-smoke.XXXXXX)
chmod 755 "$RUN"
DB="kayse_smoke_$$"
# A Redis database of its own (10-15: the test suite uses the low ones), flushed on exit.
REDIS_DB=$((10 + $$ % 6))
pids=()
log() { echo "prod-smoke: $*"; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  "$PY" - "$KAYSE_TEST_POSTGRES_URL" "$DB" <<'EOF' || true
import sys, psycopg
with psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
EOF
  "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$KAYSE_TEST_REDIS_URL/$REDIS_DB" \
    2>/dev/null || true
  if [ $status -ne 0 ]; then
    for f in "$RUN"/*.log; do [ -f "$f" ] && { echo "---- $(basename "$f") (last lines)"; tail -n 30 "$f"; }; done
  fi
  if [ -n "$KEEP" ]; then log "kept $RUN"; else rm -rf "$RUN"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Production settings, but plain HTTP on loopback (no TLS proxy here) and no second factor for
# the simulated admin; everything else at its production default.
export DJANGO_SETTINGS_MODULE=kayse.settings
export DATABASE_URL="${KAYSE_TEST_POSTGRES_URL%/*}/$DB"
export CELERY_BROKER_URL="$KAYSE_TEST_REDIS_URL/$REDIS_DB"
export CELERY_RESULT_BACKEND="$KAYSE_TEST_REDIS_URL/$REDIS_DB"
export CACHE_URL="$KAYSE_TEST_REDIS_URL/$REDIS_DB"
export KAYSE_VAR_DIR="$RUN/var"
export STATIC_ROOT="$RUN/static"
export SECRET_KEY="smoke-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export DEBUG=false SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export REQUIRE_2FA_FOR_ADMINS=false
export PORTAL_BASE_URL="http://127.0.0.1:$PORT"
export WEB_CONCURRENCY=2 GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG="$RUN/access.log"

log "scratch database $DB, files in $RUN"
"$PY" - "$KAYSE_TEST_POSTGRES_URL" "$DB" <<'EOF'
import sys, psycopg
with psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
EOF
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py collectstatic --no-input -v 0
"$PY" manage.py seed_demo --contacts "$CONTACTS" | tail -n 2

for name in smoke1 smoke2; do
  "$BIN/celery" -A kayse worker --concurrency=1 --loglevel=INFO -n "$name@%h" >"$RUN/worker-$name.log" 2>&1 &
  pids+=($!)
done
"$BIN/celery" -A kayse beat --loglevel=INFO --schedule="$RUN/beat-schedule" >"$RUN/beat.log" 2>&1 &
pids+=($!)
"$BIN/gunicorn" kayse.wsgi --config deploy/gunicorn.conf.py >"$RUN/gunicorn.log" 2>&1 &
pids+=($!)
"$PY" - "http://127.0.0.1:$PORT/healthz" <<'EOF' || { log "gunicorn did not answer /healthz"; exit 1; }
import sys, time, urllib.request
for _ in range(120):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=5) as response:  # database and broker both up
            sys.exit(0 if response.status == 200 else 1)
    except OSError:
        time.sleep(0.5)
sys.exit(1)
EOF
log "gunicorn (2 workers) on 127.0.0.1:$PORT, 2 Celery workers and beat on Redis"

export LOAD_FIXTURES="$RUN/fixtures.json"
"$PY" bench/load/prepare.py --out "$LOAD_FIXTURES"

log "Locust: $USERS users for $DURATION"
started=$(date +%s)
locust_status=0
# Users start over about ten seconds: all at once, their sign-ins (PBKDF2, ~0.3 s of CPU each)
# would queue behind each other on the two gunicorn workers.
spawn_rate=$(( USERS / 10 > 0 ? USERS / 10 : 1 ))
"$BIN/locust" -f bench/load/locustfile.py --headless --users "$USERS" --spawn-rate "$spawn_rate" \
  --run-time "$DURATION" --stop-timeout 30 --host "http://127.0.0.1:$PORT" --csv "$RUN/load" \
  --only-summary --loglevel WARNING >"$RUN/locust.log" 2>&1 || locust_status=$?

"$PY" bench/load/report.py "$RUN/load_stats.csv" --failures "$RUN/load_failures.csv" --access-log "$RUN/access.log" \
  --users "$USERS" --seconds $(($(date +%s) - started)) || log "(the report could not be printed)"
check_status=0
"$PY" bench/load/check.py --worker-log "$RUN/worker-smoke1.log" --worker-log "$RUN/worker-smoke2.log" || check_status=$?
for pid in "${pids[@]}"; do
  kill -0 "$pid" 2>/dev/null || { log "a server process (pid $pid) died during the test"; check_status=1; }
done
if [ $locust_status -ne 0 ]; then log "Locust reported failed requests (exit $locust_status)"; exit 1; fi
if [ $check_status -ne 0 ]; then exit 1; fi
log "passed"
