"""Import speed at scale, against django-import-export's default import of the same file.

    .venv/bin/python bench/import.py [--rows 100000] [--existing 100000] [--baseline-rows 20000]
        [--seeded PATH] [--no-preview] [--repeat 2]

A fresh SQLite database (the embedded default) is seeded with --existing contacts, then a
--rows CSV is imported with the Merge rule (10% of rows duplicate seeded contacts by phone,
1% repeat rows of the file) through the same service the wizard's worker runs.

Baseline, in the same run: django-import-export's default ModelResource (`Meta.model =
Contact`, nothing else declared: row by row, one instance lookup and one save() per row, in
one transaction) imports the SAME file into a copy of the same seeded database. Its headers
are renamed to field names (the default resource matches columns by field name); phones and
emails live in their own tables, which a default ModelResource cannot import, so the
baseline does less work per row than ours. The whole file takes it minutes, so it imports a
fixed sample, the file's first --baseline-rows rows (0 = all), and says so; rates are per row.

Each phase runs in its own process, which reports its own peak memory (max RSS). Ours and
the baseline each run --repeat times, every time on a fresh copy of the seeded database, and
the best time of each is compared (as timeit does: the machine's noise only ever adds time);
every time is printed.
"""

import argparse
import csv
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first on the path, not bench/ (a script's name could shadow a package).
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.phases import child_env, peak_mb, run, run_phase  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (the import's reading
    process): the figure that holds when other work shares the cores."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


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
    return {
        "seconds": elapsed,
        "cpu": cpu_seconds() - cpu,
        "counts": counts,
        "peak_mb": peak_mb(),
        "reader_peak_mb": child_peak_mb(),
    }


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

    class ContactResource(resources.ModelResource):
        """django-import-export's default: the model, nothing else."""

        class Meta:
            model = Contact

    # The file's headers as the field names the default resource matches columns by; the
    # default import id column ("id") is there, empty, as in a file of new contacts.
    columns = {
        "External id": "external_id",
        "First name": "first_name",
        "Last name": "last_name",
        "Date of birth": "date_of_birth",
        "City": "city",
        "State": "state",
        "ZIP": "postal_code",
    }
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        keep = [header.index(name) for name in columns]
        dataset = tablib.Dataset(headers=["id", *columns.values()])
        for n, row in enumerate(reader):
            if rows and n >= rows:
                break
            dataset.append(["", *(row[index] for index in keep)])
    started, cpu = time.perf_counter(), cpu_seconds()
    result = ContactResource().import_data(dataset, dry_run=False, use_transactions=True)
    elapsed = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        sys.exit(f"the baseline import failed: {result.totals}")
    return {
        "seconds": elapsed,
        "cpu": cpu_seconds() - cpu,
        "rows": len(dataset),
        "totals": dict(result.totals),
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
    parser.add_argument("--baseline-rows", type=int, default=20_000, help="0: the whole file")
    parser.add_argument("--no-preview", action="store_true", help="skip timing the dry run")
    parser.add_argument("--seeded", help="keep the seeded database here and reuse it on the next run")
    parser.add_argument("--repeat", type=int, default=2, help="runs of ours and of the baseline; the best counts")
    run(
        parser.parse_args(),
        {"import": phase_import, "preview": phase_preview, "baseline": phase_baseline},
        bench_import,
        prefix="kayse-bench-import-",
    )


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
    pristine = f"{folder}/seeded.sqlite3"
    shutil.copyfile(database, pristine)
    repeat = max(1, options.repeat)

    if not options.no_preview:
        preview = run_phase(__file__, "preview", env, str(csv_path))
        print(
            f"preview (dry run) of {options.rows:,} rows: {preview['seconds']:.1f} s "
            f"(CPU {preview['cpu']:.1f} s), peak {preview['peak_mb']:.0f} MB; would give {preview['counts']}"
        )
    runs = []
    for n in range(repeat):
        if n:
            fresh_copy(pristine, database)
        runs.append(run_phase(__file__, "import", env, str(csv_path)))
    ours = min(runs, key=lambda run: run["seconds"])
    rate = options.rows / ours["seconds"]
    print(
        f"import (Merge rule, {options.rows:,} rows into {options.existing:,} contacts): {ours['seconds']:.1f} s, "
        f"{rate:,.0f} rows/s (CPU {ours['cpu']:.1f} s, both processes), peak {ours['peak_mb']:.0f} MB "
        f"(reading process {ours['reader_peak_mb']:.0f} MB); counts {ours['counts']}" + times(runs)
    )
    check = subprocess.run(
        [python, "manage.py", "verify_activity_log"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    print(f"verify_activity_log after the import: exit {check.returncode}, {check.stdout.strip()[-200:]}")
    baseline_db = f"{folder}/baseline.sqlite3"
    base_runs = []
    for _n in range(repeat):
        fresh_copy(pristine, baseline_db)
        base_env = child_env(baseline_db, folder)
        base_runs.append(run_phase(__file__, "baseline", base_env, str(csv_path), str(options.baseline_rows)))
    base = min(base_runs, key=lambda run: run["seconds"])
    base_rate = base["rows"] / base["seconds"]
    sample = "the whole file" if base["rows"] == options.rows else f"a sample: the file's first {base['rows']:,} rows"
    print(
        f"django-import-export default ModelResource, row by row, {sample}: {base['seconds']:.1f} s, "
        f"{base_rate:,.0f} rows/s (CPU {base['cpu']:.1f} s), peak {base['peak_mb']:.0f} MB; totals {base['totals']}"
        + times(base_runs)
    )
    if base["rows"] != options.rows:
        print(f"  (the whole file at that rate: about {options.rows / base_rate:.0f} s)")
    print(
        f"ratio: ours imports {rate / base_rate:.1f}x as many rows per second "
        f"(per CPU second: {cpu_ratio(ours, base, options):.1f}x)"
    )


def times(runs: list[dict]) -> str:
    if len(runs) < 2:
        return ""
    return f"; best of {len(runs)}: " + ", ".join(f"{run['seconds']:.1f}" for run in runs) + " s"


def fresh_copy(source: str, target: str) -> None:
    """A copy of the seeded database, without the write-ahead log a previous run left."""
    for suffix in ("-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)


def cpu_ratio(ours: dict, base: dict, options) -> float:
    return (options.rows / ours["cpu"]) / (base["rows"] / base["cpu"])


if __name__ == "__main__":
    main()
