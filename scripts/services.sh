#!/usr/bin/env bash
# Start the real services the test suite uses, on loopback ports: PostgreSQL and Redis,
# and make sure Debian's Chromium is there for the browser tests. Installs the Debian
# packages when they are missing and we are root. Prints `export` lines to eval; a
# service that cannot be had is left unset, and the tests that need it say why they skip.
set -uo pipefail
PG_PORT="${KAYSE_TEST_PG_PORT:-55432}"
REDIS_PORT="${KAYSE_TEST_REDIS_PORT:-56379}"
RUN_DIR="${KAYSE_SERVICES_DIR:-/tmp/kayse-services}"
log() { echo "services: $*" >&2; }

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# WeasyPrint renders PDFs with Pango; fonts make them readable.
[ -e /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpango-1.0.so.0 ] || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}…"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}") >"/tmp/kayse-apt.log" 2>&1 \
      || log "apt-get failed; see /tmp/kayse-apt.log"
  else
    log "missing ${missing[*]} (not root: install them to run every test)"
  fi
fi
mkdir -p "$RUN_DIR"; chmod 777 "$RUN_DIR"

# Redis
if command -v redis-server >/dev/null; then
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && echo "export KAYSE_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
fi

# PostgreSQL: a throw-away cluster with trust auth on loopback, run as the postgres user.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$pg_bin" ]; then
  as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
  data="$RUN_DIR/pg-$PG_PORT"
  if ! "$pg_bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
      as_pg "$pg_bin/initdb -D $data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >"$RUN_DIR/initdb.log" 2>&1 \
        || log "initdb failed; see $RUN_DIR/initdb.log"
    fi
    as_pg "$pg_bin/pg_ctl -D $data -l $RUN_DIR/postgres.log -w -t 60 start -o \"-p $PG_PORT -k $RUN_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\"" >/dev/null 2>&1 \
      || log "PostgreSQL did not start; see $RUN_DIR/postgres.log"
  fi
  "$pg_bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && echo "export KAYSE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PG_PORT/kayse"
fi

[ -x /usr/bin/chromium ] && echo "export KAYSE_TEST_CHROMIUM=/usr/bin/chromium"
exit 0
