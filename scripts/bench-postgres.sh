#!/usr/bin/env bash
# A PostgreSQL cluster configured as in production (deploy/postgresql.conf: durable commits,
# sized memory) for the benchmarks' PostgreSQL column, on 127.0.0.1:${BENCH_PG_PORT:-55433}.
# The test cluster of scripts/services.sh turns fsync off for speed; figures are not measured there.
#   eval "$(scripts/bench-postgres.sh)"   # prints: export KAYSE_BENCH_POSTGRES=postgres://…
#   scripts/bench-postgres.sh stop
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PG_PORT:-55433}
DATA=${BENCH_PG_DATA:-/var/tmp/kayse-bench-pg}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bin" ] || { echo "PostgreSQL is not installed: run scripts/services.sh as root first" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ "${1:-}" = stop ]; then as_pg "$pg_bin/pg_ctl -D $DATA -m fast stop"; exit 0; fi
if ! "$pg_bin/pg_isready" -h 127.0.0.1 -p "$PORT" -q; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"; [ "$(id -u)" = 0 ] && chown postgres "$DATA"
    as_pg "$pg_bin/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  fi
  cp "$ROOT/deploy/postgresql.conf" "$DATA/kayse.conf"; [ "$(id -u)" = 0 ] && chown postgres "$DATA/kayse.conf"
  grep -q "^include 'kayse.conf'" "$DATA/postgresql.conf" || echo "include 'kayse.conf'" >>"$DATA/postgresql.conf"
  as_pg "$pg_bin/pg_ctl -D $DATA -l $DATA/server.log -w -t 120 start -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1\"" >/dev/null
fi
echo "export KAYSE_BENCH_POSTGRES=postgres://postgres@127.0.0.1:$PORT"
