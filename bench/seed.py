"""Time `seed_demo` for N contacts (default 1,000,000) into a fresh SQLite database.

    .venv/bin/python bench/seed.py [--contacts N] [--keep PATH | --database-url postgres://…/NAME]

Prints contacts/second and the total time. With --keep, the database is left at PATH
for the other benchmarks (bench/contacts_list.py reuses it). With --database-url it seeds a
PostgreSQL database instead (created when missing, refused when it already holds contacts)
and leaves it for `bench/contacts_list.py --database-url`.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--keep", help="where to keep the seeded database (default: a temp file, deleted)")
    parser.add_argument("--database-url", help="seed this PostgreSQL database instead (kept)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kayse-bench-")
    path = Path(args.keep) if args.keep else Path(folder) / "bench.sqlite3"
    if args.database_url:
        prepare_postgresql(args.database_url)
        url = args.database_url
    else:
        if path.exists():
            path.unlink()
        url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url, "KAYSE_VAR_DIR": folder, "DEBUG": "1"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    subprocess.run([python, "manage.py", "seed_demo", "--contacts", str(args.contacts)], cwd=ROOT, env=env, check=True)
    elapsed = time.perf_counter() - started
    print(f"seed_demo: {args.contacts:,} contacts in {elapsed:.1f} s ({args.contacts / elapsed:,.0f} contacts/s)")
    if args.database_url:
        import psycopg

        with psycopg.connect(args.database_url, autocommit=True) as conn:
            # What autovacuum would do soon anyway: statistics and a visibility map, so the other
            # benchmarks measure a settled database, not one minutes after a bulk load.
            conn.execute("VACUUM ANALYZE")
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        print(f"database size: {size / 1e6:,.0f} MB at {args.database_url.rsplit('@', 1)[-1]}")
        return
    print(f"database size: {path.stat().st_size / 1e6:,.0f} MB at {path}")
    if not args.keep:
        path.unlink()


def prepare_postgresql(url: str) -> None:
    """Create the database when missing; refuse one that already holds contacts."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            return
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('contacts_contact')").fetchone()[0]
        if exists and conn.execute("SELECT EXISTS (SELECT 1 FROM contacts_contact)").fetchone()[0]:
            sys.exit(f"{name} already holds contacts: give the name of a new or empty database")


if __name__ == "__main__":
    main()
