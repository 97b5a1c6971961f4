"""Import speed at scale, against django-import-export's default import of the same file.

    .venv/bin/python bench/import.py [--rows 100000] [--existing 100000] [--baseline-rows 20000]
        [--seeded PATH | --database-url postgres://…/PREFIX] [--no-preview] [--repeat 2]

A fresh SQLite database (the embedded default) is seeded with --existing contacts, then a
--rows CSV is imported with the Merge rule (10% of rows duplicate seeded contacts by phone,
1% repeat rows of the file) through the same service the wizard's worker runs.

With --database-url the same runs on that PostgreSQL server, in databases of the script's
own named after PREFIX: PREFIX_seed holds the seeded contacts (kept, and reused by the next
run when it holds --existing contacts; drop it to seed again), and each phase runs on
PREFIX_run, made afresh from it with CREATE DATABASE … TEMPLATE and dropped at the end.

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
import re
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


def write_import_file(databases, path: Path, rows: int) -> dict:
    """10% duplicates of seeded contacts (same phone and name), 1% repeats, the rest new."""
    rng = random.Random(7)
    existing = databases.query(
        "SELECT c.first_name, c.last_name, p.number FROM contacts_contact c "
        f"JOIN contacts_contactphone p ON p.contact_id = c.id AND p.is_primary ORDER BY random() LIMIT {rows // 10:d}"
    )
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
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server and a name prefix (postgres://…/PREFIX): the script's databases are made there",
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs of ours and of the baseline; the best counts")
    run(
        parser.parse_args(),
        {"import": phase_import, "preview": phase_preview, "baseline": phase_baseline},
        bench_import,
        prefix="kayse-bench-import-",
    )


def bench_import(options, folder):
    databases = PostgresCopies(options, folder) if options.database_url else SqliteCopies(options, folder)
    try:
        compare(options, folder, databases)
    finally:
        databases.close()


def compare(options, folder, databases):
    python = sys.executable
    databases.seed(options.existing)
    csv_path = Path(folder) / "import.csv"
    planted = write_import_file(databases, csv_path, options.rows)
    print(f"import file: {options.rows:,} rows ({planted}), {csv_path.stat().st_size / 1e6:.1f} MB")
    repeat = max(1, options.repeat)

    if not options.no_preview:
        preview = run_phase(__file__, "preview", databases.fresh(), str(csv_path))
        print(
            f"preview (dry run) of {options.rows:,} rows: {preview['seconds']:.1f} s "
            f"(CPU {preview['cpu']:.1f} s), peak {preview['peak_mb']:.0f} MB; would give {preview['counts']}"
        )
    runs = []
    for _n in range(repeat):
        env = databases.fresh()
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
    base_runs = []
    for _n in range(repeat):
        base_env = databases.fresh()
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


# The databases: the seeded one, and a fresh copy of it for each phase


class SqliteCopies:
    """SQLite files in the scratch folder; --seeded keeps the seeded one for the next run."""

    def __init__(self, options, folder):
        self.folder = folder
        self.kept = options.seeded
        self.pristine = f"{folder}/seeded.sqlite3"
        self.database = f"{folder}/import.sqlite3"

    def seed(self, existing: int) -> None:
        env = child_env(self.pristine, self.folder)
        python = sys.executable
        if self.kept and Path(self.kept).exists():
            shutil.copyfile(self.kept, self.pristine)  # a copy: the kept seed is never written
            subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
            print(f"reused the seeded database {self.kept}")
            return
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run([python, "manage.py", "seed_demo", "--contacts", str(existing)], cwd=ROOT, env=env, check=True)
        print(f"seeded {existing:,} contacts in {time.perf_counter() - started:.1f} s")
        if self.kept:
            shutil.copyfile(self.pristine, self.kept)

    def query(self, sql: str) -> list:
        connection = sqlite3.connect(self.pristine)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def fresh(self) -> dict:
        """A copy of the seeded database, without the write-ahead log a previous run left."""
        for suffix in ("-wal", "-shm"):
            Path(self.database + suffix).unlink(missing_ok=True)
        shutil.copyfile(self.pristine, self.database)
        return child_env(self.database, self.folder)

    def close(self) -> None:
        pass  # the scratch folder goes with everything in it


class PostgresCopies:
    """PREFIX_seed (kept) and PREFIX_run, a fresh copy of it, on the --database-url server."""

    def __init__(self, options, folder):
        self.folder = folder
        self.server, prefix = options.database_url.rstrip("/").rsplit("/", 1)
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", prefix):
            sys.exit(f"--database-url must end in a name prefix for the script's databases, not {prefix!r}")
        self.seed_name, self.run_name = f"{prefix}_seed", f"{prefix}_run"

    def url(self, name: str) -> str:
        return f"{self.server}/{name}"

    def admin(self, sql: str) -> list:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def query(self, sql: str) -> list:
        import psycopg

        with psycopg.connect(self.url(self.seed_name)) as connection:
            connection.execute("SELECT setseed(0.7)")  # the same sample on every run
            return connection.execute(sql).fetchall()

    def seed(self, existing: int) -> None:
        env = child_env("", self.folder, database_url=self.url(self.seed_name))
        python = sys.executable
        shown = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        settings = dict(self.admin("SELECT name, current_setting(name) FROM pg_settings"))
        where = self.server.rsplit("@", 1)[-1]
        print(f"PostgreSQL at {where}: " + ", ".join(f"{name} {settings[name]}" for name in shown))
        if self.admin(f"SELECT 1 FROM pg_database WHERE datname = '{self.seed_name}'"):
            try:
                count = self.query("SELECT count(*) FROM contacts_contact")[0][0]
            except Exception:  # noqa: BLE001 - not a seeded database (yet): seeded again
                count = None
            if count == existing:
                subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
                print(f"reused the seeded database {self.seed_name} ({count:,} contacts)")
                return
            self.admin(f'DROP DATABASE "{self.seed_name}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{self.seed_name}"')
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run([python, "manage.py", "seed_demo", "--contacts", str(existing)], cwd=ROOT, env=env, check=True)
        print(f"seeded {existing:,} contacts in {time.perf_counter() - started:.1f} s into {self.seed_name} (kept)")
        import psycopg

        with psycopg.connect(self.url(self.seed_name), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")  # settled, as bench/seed.py leaves a database

    def fresh(self) -> dict:
        """PREFIX_run made again from the seeded database, its writes on disk before the phase starts."""
        self.admin(f'DROP DATABASE IF EXISTS "{self.run_name}" WITH (FORCE)')
        for attempt in range(30):
            try:
                self.admin(f'CREATE DATABASE "{self.run_name}" TEMPLATE "{self.seed_name}"')
                break
            except Exception as error:  # noqa: BLE001 - the template's last user is still disconnecting
                if "being accessed by other users" not in str(error) or attempt == 29:
                    raise
                time.sleep(1)
        self.admin("CHECKPOINT")
        return child_env("", self.folder, database_url=self.url(self.run_name))

    def close(self) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{self.run_name}" WITH (FORCE)')


def cpu_ratio(ours: dict, base: dict, options) -> float:
    return (options.rows / ours["cpu"]) / (base["rows"] / base["cpu"])


if __name__ == "__main__":
    main()
