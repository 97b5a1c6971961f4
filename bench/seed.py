"""Time `seed_demo` for N contacts (default 1,000,000) into a fresh SQLite database.

    .venv/bin/python bench/seed.py [--contacts N] [--keep PATH]

Prints contacts/second and the total time. With --keep, the database is left at PATH
for the other benchmarks (bench/contacts_list.py reuses it).
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
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kayse-bench-")
    path = Path(args.keep) if args.keep else Path(folder) / "bench.sqlite3"
    if path.exists():
        path.unlink()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "KAYSE_VAR_DIR": folder, "DEBUG": "1"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    subprocess.run([python, "manage.py", "seed_demo", "--contacts", str(args.contacts)], cwd=ROOT, env=env, check=True)
    elapsed = time.perf_counter() - started
    print(f"seed_demo: {args.contacts:,} contacts in {elapsed:.1f} s ({args.contacts / elapsed:,.0f} contacts/s)")
    print(f"database size: {path.stat().st_size / 1e6:,.0f} MB at {path}")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
