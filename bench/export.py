"""Export speed at a million contacts, with peak memory.

    .venv/bin/python bench/export.py [--export-db /tmp/bench-1m.sqlite3 | --database-url postgres://…/NAME]
        [--no-xlsx]

Streams every contact of --export-db (opened read-only, never written; bench/seed.py
--keep PATH builds it) to CSV, and to XLSX unless --no-xlsx, through the export service's
writers. Each format runs in its own process, which reports its own peak memory (max RSS).

With --database-url the same export reads a PostgreSQL database seeded by
`bench/seed.py --database-url`, in read-only transactions.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first on the path, not bench/ (a script's name could shadow a package).
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.phases import child_env, peak_mb, run, run_phase  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process: the figure that holds when other work shares the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Phases (each in its own process)


def phase_export(database: str, file_format: str, out: str) -> dict:
    import django
    from django.conf import settings

    # Read-only: the shared benchmark database is never written.
    options = settings.DATABASES["default"].setdefault("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        options["options"] = f"{options.get('options', '')} -c default_transaction_read_only=on".strip()
    else:
        settings.DATABASES["default"]["NAME"] = f"file:{database}?mode=ro"
        options["uri"] = True
        options.pop("init_command", None)
        options.pop("transaction_mode", None)
    django.setup()
    from contacts.exporting import DEFAULT_FIELDS, write_csv, write_xlsx
    from contacts.models import Contact

    writer = write_xlsx if file_format == "xlsx" else write_csv
    started, cpu = time.perf_counter(), cpu_seconds()
    with open(out, "wb") as handle:
        count = writer(handle, Contact.objects.all(), DEFAULT_FIELDS)
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "cpu": cpu_seconds() - cpu,
        "rows": count,
        "bytes": os.path.getsize(out),
        "peak_mb": peak_mb(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase")
    parser.add_argument("args", nargs="*")
    parser.add_argument("--export-db", default="/tmp/bench-1m.sqlite3")
    parser.add_argument("--database-url", help="a seeded PostgreSQL database instead of --export-db")
    parser.add_argument("--no-xlsx", action="store_true")
    run(parser.parse_args(), {"export": phase_export}, bench_export, prefix="kayse-bench-export-")


def bench_export(options, folder):
    database = options.database_url or options.export_db
    if not options.database_url and not Path(database).exists():
        print(f"export: {database} does not exist (bench/seed.py --keep {database} builds it); skipped")
        return
    env = child_env(database, folder, database_url=options.database_url)
    where = f"PostgreSQL {database.rsplit('@', 1)[-1]}" if options.database_url else database
    print(f"export from {where} (read-only)")
    formats = ["csv"] if options.no_xlsx else ["csv", "xlsx"]
    for file_format in formats:
        out = f"{folder}/export.{file_format}"
        result = run_phase(__file__, "export", env, database, file_format, out)
        print(
            f"export {file_format.upper()} of {result['rows']:,} contacts: {result['seconds']:.1f} s, "
            f"{result['rows'] / result['seconds']:,.0f} rows/s (CPU {result['cpu']:.1f} s), "
            f"{result['bytes'] / 1e6:.0f} MB, peak {result['peak_mb']:.0f} MB"
        )
        os.unlink(out)


if __name__ == "__main__":
    main()
