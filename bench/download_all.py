"""Download All benchmark: build the zip of one contact with many documents and compare its
throughput with Info-ZIP's `zip -0` over the same files, in the same run; report peak memory.

    .venv/bin/python bench/download_all.py                      # 500 documents, about 1 GB
    .venv/bin/python bench/download_all.py --files 200 --mb 500
    .venv/bin/python bench/download_all.py --database-url postgres://…/NAME

Everything happens in a temporary folder (its own SQLite database and private storage),
removed afterwards unless --keep is given. With --database-url the scratch database is that
PostgreSQL database instead: NAME is created (refused when it exists) and dropped at the end
unless --keep is given. The files are a realistic mix by count: PDFs and
phone photos (incompressible, stored), Word/Excel packages, TIFF scans and text (deflated).
The bundle is built in a child process so its peak RSS (VmHWM) is the build's own.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (extension, mime, share of the files, share of the bytes, compressible)
MIX = [
    (".pdf", "application/pdf", 0.40, 0.45, False),
    (".jpg", "image/jpeg", 0.30, 0.35, False),
    (".png", "image/png", 0.05, 0.04, False),
    (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0.08, 0.03, False),
    (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0.04, 0.02, False),
    (".tiff", "image/tiff", 0.03, 0.08, True),
    (".txt", "text/plain", 0.10, 0.03, True),
]


def _setup_django(var_dir: Path, database_url: str) -> None:
    os.environ["KAYSE_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kayse.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _content(size: int, compressible: bool, rng: random.Random) -> bytes:
    if not compressible:
        return rng.randbytes(size)
    words = [b"plaintiff", b"medical", b"records", b"accident", b"insurance", b"claim", b"\n", b"2024", b"policy"]
    line = b" ".join(rng.choice(words) for _ in range(4000))
    return (line * (size // len(line) + 1))[:size]


def prepare(var_dir: Path, files: int, total_mb: int, seed: int) -> dict:
    """A contact with `files` documents totalling about `total_mb` MB, written straight to
    private storage (the upload checks are measured by the tests, not here)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cases.models import Case, CaseContact
    from contacts.models import Contact
    from documents.models import Document
    from documents.storage import random_upload_name

    rng = random.Random(seed)
    contact = Contact.objects.create(first_name="Bench", last_name="Contact")
    cases = [
        Case.objects.create(number=f"PI-B{i}", title=f"Bench case {i}", practice_area="personal_injury")
        for i in range(3)
    ]
    for case in cases:
        CaseContact.objects.create(case=case, contact=contact)
    storage = Document._meta.get_field("file").storage
    rows, total_bytes = [], 0
    for index in range(files):
        extension, mime, _, byte_share, compressible = rng.choices(MIX, weights=[m[2] for m in MIX])[0]
        count_share = next(m[2] for m in MIX if m[0] == extension)
        mean = total_mb * 1024 * 1024 * byte_share / (files * count_share)
        size = max(1024, int(rng.uniform(0.5, 1.5) * mean))
        name = random_upload_name(None, f"file{extension}")
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_content(size, compressible, rng))
        total_bytes += size
        rows.append(
            Document(
                contact=contact,
                case=rng.choice(cases + [None]),
                file=name,
                original_name=f"document {index % 50}{extension}",  # clashes on purpose
                content_type=mime,
                size=size,
                sha256=f"{index:064x}",
            )
        )
    Document.objects.bulk_create(rows, batch_size=500)
    return {"contact_id": contact.pk, "files": files, "bytes": total_bytes, "root": storage.location}


def create_database(url: str) -> None:
    """A new PostgreSQL database for the run; one that exists already is refused (never dropped)."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(f"{name} exists already: give the name of a new database (it is dropped at the end)")
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        connections.close_all()  # the database cannot be dropped while this process is connected
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def build_in_child(var_dir: Path, database_url: str, contact_id: int) -> dict:
    """Run the real bundle writer in a fresh process; report its time and peak memory."""
    code = f"""
import json, os, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
os.environ.update(KAYSE_VAR_DIR={str(var_dir)!r}, DATABASE_URL={database_url!r},
                  DJANGO_SETTINGS_MODULE="kayse.settings", SECRET_KEY="bench-only")
import django; django.setup()
from django.utils import timezone
from documents.bundles import write_bundle_zip
from documents.models import DownloadBundle
bundle = DownloadBundle.objects.create(contact_id={contact_id}, fingerprint="bench", expires_at=timezone.now())
def peak_kb():
    # VmHWM starts afresh at exec (ru_maxrss would carry the parent's peak over).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = peak_kb()
start = time.perf_counter()
name = write_bundle_zip(bundle)
seconds = time.perf_counter() - start
after = peak_kb()
print(json.dumps({{"seconds": seconds, "rss_before_kb": before, "rss_peak_kb": after, "name": name}}))
"""
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def zip_store_time(root: str, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["zip", "-0", "-q", "-r", str(out), "documents"], cwd=root, check=True)
    return time.perf_counter() - start


def warm_cache(root: str) -> None:
    for path in Path(root, "documents").rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 22):
                    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--mb", type=int, default=1024, help="total size of the documents in MB")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and the database)")
    parser.add_argument("--database-url", help="a new PostgreSQL database for the run instead of SQLite")
    args = parser.parse_args()
    if not shutil.which("zip"):
        sys.exit("Info-ZIP `zip` is needed for the comparison (apt-get install zip).")

    var_dir = Path(tempfile.mkdtemp(prefix="kayse-bench-bundle-"))
    database_url = args.database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    if args.database_url:
        create_database(args.database_url)
    try:
        _setup_django(var_dir, database_url)
        where = f"PostgreSQL {database_url.rsplit('@', 1)[-1]}" if args.database_url else "SQLite"
        started = time.perf_counter()
        info = prepare(var_dir, args.files, args.mb, args.seed)
        mb = info["bytes"] / 1024 / 1024
        print(
            f"prepared {info['files']} documents, {mb:.0f} MB in {time.perf_counter() - started:.1f} s "
            f"({var_dir}, database: {where})"
        )
        warm_cache(info["root"])
        zip_seconds = zip_store_time(info["root"], var_dir / "zip0.zip")
        build = build_in_child(var_dir, database_url, info["contact_id"])
        zip_seconds_again = zip_store_time(info["root"], var_dir / "zip0-again.zip")
        reference = min(zip_seconds, zip_seconds_again)
        bundle_path = Path(info["root"]) / build["name"]
        ours = mb / build["seconds"]
        theirs = mb / reference
        print(
            f"zip -0 (Info-ZIP):   {reference:6.2f} s  {theirs:7.1f} MB/s  "
            f"(runs: {zip_seconds:.2f}, {zip_seconds_again:.2f})"
        )
        print(
            f"Download All bundle: {build['seconds']:6.2f} s  {ours:7.1f} MB/s  "
            f"zip {bundle_path.stat().st_size / 1048576:.0f} MB"
        )
        print(f"throughput vs zip -0: {ours / theirs * 100:.0f}%  (target >= 70%)")
        peak_mb = build["rss_peak_kb"] / 1024
        largest = max(p.stat().st_size for p in Path(info["root"], "documents").rglob("*.*")) / 1048576
        print(
            f"peak RSS of the building process: {peak_mb:.0f} MB "
            f"(after Django start-up: {build['rss_before_kb'] / 1024:.0f} MB; target < 200 MB); "
            f"largest file {largest:.1f} MB"
        )
    finally:
        if args.keep:
            print(f"kept {var_dir}" + (f" and {args.database_url.rsplit('/', 1)[1]}" if args.database_url else ""))
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
            if args.database_url:
                drop_database(args.database_url)


if __name__ == "__main__":
    main()
