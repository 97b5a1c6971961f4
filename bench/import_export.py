"""Import and export speed at scale, with peak memory.

    .venv/bin/python bench/import_export.py [--rows 100000] [--existing 100000]
        [--baseline-rows 5000] [--export-db /tmp/bench-1m.sqlite3] [--no-xlsx] [--seeded PATH]

Import: a fresh SQLite database seeded with --existing contacts, then a --rows CSV with the
Merge rule (10% of rows duplicate seeded contacts by phone, 1% repeat rows of the file),
through the same service the wizard's worker runs. The same file's first --baseline-rows
rows go through django-import-export's default row-by-row ModelResource import on a copy
of the seeded database, and both rates and their ratio are printed.

Export: streams every contact of --export-db (opened read-only, never written) to CSV, and
to XLSX unless --no-xlsx, through the export service's writers.

Each phase runs in its own process, which reports its own peak memory (max RSS).
"""

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's name would shadow the django-import-export package: drop bench/ from the path.
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def child_env(database: str, folder: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "KAYSE_VAR_DIR": folder,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "kayse.settings",
        "DUPLICATE_AUTO_REFRESH": "0",
    }


def run_phase(phase: str, env: dict, *args) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if output.returncode:
        sys.exit(f"phase {phase} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process: the figure that holds when other work shares the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Phases (each in its own process)


def phase_import(path: str) -> dict:
    import django

    django.setup()
    from contacts.importing.service import create_batch, private_path, run_import
    from contacts.models import ImportStatus

    stored = "imports/bench.csv"
    target = private_path(stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    batch = create_batch(target, stored_name=stored, original_name="bench.csv", user=None)
    batch.duplicate_rule = "merge"
    batch.status = ImportStatus.RUNNING
    batch.save()
    started, cpu = time.perf_counter(), cpu_seconds()
    counts = run_import(batch)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "cpu": cpu_seconds() - cpu, "counts": counts, "peak_mb": peak_mb()}


def phase_preview(path: str) -> dict:
    import django

    django.setup()
    from contacts.importing.service import create_batch, preview_import, private_path

    stored = "imports/bench-preview.csv"
    target = private_path(stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    batch = create_batch(target, stored_name=stored, original_name="bench.csv", user=None)
    batch.duplicate_rule = "merge"
    batch.save()
    started, cpu = time.perf_counter(), cpu_seconds()
    counts = preview_import(batch)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "cpu": cpu_seconds() - cpu, "counts": counts, "peak_mb": peak_mb()}


def phase_baseline(path: str, rows: int) -> dict:
    import django

    django.setup()
    import tablib
    from import_export import resources

    from contacts.models import Contact

    class PlainContactResource(resources.ModelResource):
        class Meta:
            model = Contact
            fields = ["external_id", "first_name", "last_name", "city", "state", "postal_code"]
            import_id_fields = ["external_id"]

    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        data = [row for _, row in zip(range(rows), reader, strict=False)]
    columns = {"External id": "external_id", "First name": "first_name", "Last name": "last_name", "City": "city"}
    keep = [header.index(name) for name in columns]
    dataset = tablib.Dataset(headers=list(columns.values()))
    for row in data:
        dataset.append([row[index] for index in keep])
    started, cpu = time.perf_counter(), cpu_seconds()
    result = PlainContactResource().import_data(dataset, dry_run=False, use_transactions=True)
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "cpu": cpu_seconds() - cpu,
        "rows": len(data),
        "errors": result.has_errors(),
        "peak_mb": peak_mb(),
    }


def phase_export(database: str, file_format: str, out: str) -> dict:
    import django
    from django.conf import settings

    # Read-only: the shared benchmark database is never written.
    settings.DATABASES["default"]["NAME"] = f"file:{database}?mode=ro"
    settings.DATABASES["default"].setdefault("OPTIONS", {})["uri"] = True
    settings.DATABASES["default"]["OPTIONS"].pop("init_command", None)
    settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)
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


# Building the import file


def write_import_file(database: str, path: Path, rows: int) -> dict:
    """10% duplicates of seeded contacts (same phone and name), 1% repeats, the rest new."""
    rng = random.Random(7)
    connection = sqlite3.connect(database)
    existing = connection.execute(
        "SELECT c.first_name, c.last_name, p.number FROM contacts_contact c "
        "JOIN contacts_contactphone p ON p.contact_id = c.id AND p.is_primary ORDER BY random() LIMIT ?",
        [rows // 10],
    ).fetchall()
    connection.close()
    header = [
        "External id",
        "First name",
        "Last name",
        "Mobile phone",
        "Email",
        "Date of birth",
        "City",
        "State",
        "ZIP",
    ]
    written = {"duplicates": 0, "repeats": 0, "new": 0}
    recent = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            if existing and n % 10 == 0:
                first, last, number = existing.pop()
                writer.writerow(["", first, last, number, f"dup{n}@example.org", "", "Springfield", "IL", ""])
                written["duplicates"] += 1
            elif recent and n % 100 == 1:
                row = list(rng.choice(recent))
                row[0], row[4] = "", f"again{n}@example.org"
                writer.writerow(row)
                written["repeats"] += 1
            else:
                phone = f"+1 773 {200 + n // 10000:03d} {n % 10000:04d}"
                birth = f"19{50 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}"
                row = [
                    f"B{n}",
                    f"First{n}",
                    f"Last{n}",
                    phone,
                    f"person{n}@example.org",
                    birth,
                    "Chicago",
                    "IL",
                    "60601",
                ]
                writer.writerow(row)
                recent = (recent + [row])[-50:]
                written["new"] += 1
    return written


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase")
    parser.add_argument("args", nargs="*")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--export-db", default="/tmp/bench-1m.sqlite3")
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--seeded", help="keep the seeded database here and reuse it on the next run")
    parser.add_argument("--skip-export", action="store_true")
    options = parser.parse_args()
    if options.phase:
        phases = {"import": phase_import, "preview": phase_preview, "baseline": phase_baseline, "export": phase_export}
        args = [int(value) if value.isdigit() else value for value in options.args]
        print(json.dumps(phases[options.phase](*args)))
        return

    folder = tempfile.mkdtemp(prefix="kayse-bench-io-")
    try:
        if not options.skip_import:
            bench_import(options, folder)
        if not options.skip_export:
            bench_export(options, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_import(options, folder):
    database = f"{folder}/import.sqlite3"
    env = child_env(database, folder)
    python = sys.executable
    if options.seeded and Path(options.seeded).exists():
        shutil.copyfile(options.seeded, database)  # a copy: the kept seed is never written
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        print(f"reused the seeded database {options.seeded}")
    else:
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run(
            [python, "manage.py", "seed_demo", "--contacts", str(options.existing)], cwd=ROOT, env=env, check=True
        )
        print(f"seeded {options.existing:,} contacts in {time.perf_counter() - started:.1f} s")
        if options.seeded:
            shutil.copyfile(database, options.seeded)
    csv_path = Path(folder) / "import.csv"
    planted = write_import_file(database, csv_path, options.rows)
    print(f"import file: {options.rows:,} rows ({planted}), {csv_path.stat().st_size / 1e6:.1f} MB")
    baseline_db = f"{folder}/baseline.sqlite3"
    shutil.copyfile(database, baseline_db)

    preview = run_phase("preview", env, str(csv_path))
    print(
        f"preview (dry run) of {options.rows:,} rows: {preview['seconds']:.1f} s "
        f"(CPU {preview['cpu']:.1f} s), peak {preview['peak_mb']:.0f} MB; would give {preview['counts']}"
    )
    ours = run_phase("import", env, str(csv_path))
    rate = options.rows / ours["seconds"]
    print(
        f"import (Merge rule, {options.rows:,} rows into {options.existing:,} contacts): {ours['seconds']:.1f} s, "
        f"{rate:,.0f} rows/s (CPU {ours['cpu']:.1f} s), peak {ours['peak_mb']:.0f} MB; counts {ours['counts']}"
    )
    base = run_phase("baseline", child_env(baseline_db, folder), str(csv_path), str(options.baseline_rows))
    base_rate = base["rows"] / base["seconds"]
    print(
        f"django-import-export row-by-row ModelResource, first {base['rows']:,} rows: {base['seconds']:.1f} s, "
        f"{base_rate:,.0f} rows/s (CPU {base['cpu']:.1f} s), peak {base['peak_mb']:.0f} MB"
    )
    print(f"ratio: ours is {rate / base_rate:.1f}x faster per row")


def bench_export(options, folder):
    database = options.export_db
    if not Path(database).exists():
        print(f"export: {database} does not exist (bench/seed.py --keep {database} builds it); skipped")
        return
    env = child_env(database, folder)
    formats = ["csv"] if options.no_xlsx else ["csv", "xlsx"]
    for file_format in formats:
        out = f"{folder}/export.{file_format}"
        result = run_phase("export", env, database, file_format, out)
        print(
            f"export {file_format.upper()} of {result['rows']:,} contacts: {result['seconds']:.1f} s, "
            f"{result['rows'] / result['seconds']:,.0f} rows/s (CPU {result['cpu']:.1f} s), "
            f"{result['bytes'] / 1e6:.0f} MB, peak {result['peak_mb']:.0f} MB"
        )
        os.unlink(out)


if __name__ == "__main__":
    main()
