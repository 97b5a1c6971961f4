"""How the contacts list and the database grow from 100,000 to 1,000,000 contacts.

    .venv/bin/python bench/growth.py --database-url postgres://…/bench100k --database-url postgres://…/bench1m
        [--db /tmp/bench-100k.sqlite3 --db /tmp/bench-1m.sqlite3] [--runs 15]

Each database is one seeded by `bench/seed.py` (`--keep PATH` for SQLite, `--database-url` for
PostgreSQL). For each, `bench/contacts_list.py` runs in its own process (read-only) and its figures
come back as JSON; this script prints them side by side, smallest database first, with the
size on disk and the bytes per contact, so docs/scaling.md can say what grows with the table
and what does not (a p50 that stays flat from 100k to 1M is an index doing its job).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The tables that grow with the number of contacts (PostgreSQL: with their indexes and TOAST).
TABLES = (
    "contacts_contact",
    "contacts_contactnameword",  # PostgreSQL's name-word index (contacts/name_words.py)
    "contacts_contactphone",
    "contacts_contactemail",
    "activity_activityevent",
)


def measure(target: str, runs: int) -> dict:
    """contacts_list.py's figures for one database: a PostgreSQL URL or a SQLite path."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        where = ["--database-url", target] if "://" in target else ["--db", target]
        command = [sys.executable, "bench/contacts_list.py", *where, "--runs", str(runs), "--json", out.name]
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        figures = json.loads(Path(out.name).read_text())
    figures["bytes"], figures["tables"] = sizes(target)
    figures["where"] = ("PostgreSQL " if "://" in target else "SQLite ") + target.rsplit("/", 1)[-1]
    return figures


def sizes(target: str) -> tuple[int, dict[str, int]]:
    """Bytes of the whole database, and per table (PostgreSQL only: SQLite has one file)."""
    if "://" not in target:
        return Path(target).stat().st_size, {}
    import psycopg

    with psycopg.connect(target) as conn:
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = {table: conn.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()[0] for table in TABLES}
    return total, tables


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", default=[], help="a seeded PostgreSQL database")
    parser.add_argument("--db", action="append", default=[], help="a seeded SQLite database")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    targets = args.db + args.database_url
    if not targets:
        parser.error("give at least one --db or --database-url")
    results = []
    for target in targets:
        print(f"measuring {target} …", flush=True)
        results.append(measure(target, args.runs))
    results.sort(key=lambda figures: (figures["where"].split()[0], figures["contacts"]))
    print(f"\n{'p50 ms (server time of /contacts/)':40}" + cells(results, lambda f: f"{f['contacts']:,}"))
    print(f"{'':40}" + cells(results, lambda f: f["where"].split()[0]))
    for name in results[0]["requests"]:
        print(f"{name:40}" + cells(results, lambda f, name=name: f"{f['requests'][name]['p50_ms']:.1f}"))
    print(f"{'slowest p95':40}" + cells(results, lambda f: f"{worst_p95(f):.1f}"))
    print(f"{'database size, MB':40}" + cells(results, lambda f: f"{f['bytes'] / 1e6:,.0f}"))
    print(f"{'bytes per contact (whole database)':40}" + cells(results, lambda f: f"{f['bytes'] / f['contacts']:,.0f}"))
    for table in TABLES:
        if all(table in figures["tables"] for figures in results):
            print(f"{table + ', MB':40}" + cells(results, lambda f, table=table: f"{f['tables'][table] / 1e6:,.0f}"))


def cells(results: list[dict], text) -> str:
    """One right-aligned column per database."""
    return "".join(f"{text(figures):>12}" for figures in results)


def worst_p95(figures: dict) -> float:
    return max(request["p95_ms"] for request in figures["requests"].values())


if __name__ == "__main__":
    main()
