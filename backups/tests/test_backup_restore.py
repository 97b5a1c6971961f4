"""manage.py backup / restore: a backup taken while an import writes restores into a fresh database
whose activity log verifies and whose private files are back; a damaged archive changes nothing.

The suite runs these on SQLite (the online backup API) and again on PostgreSQL (pg_dump and
pg_restore), each against the database the run uses."""

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from backups.services import unknown_migrations
from conftest import IN_CI, ROOT, database_url
from contacts.models import Contact, ImportBatch
from contacts.tests.factories import ContactFactory
from documents.tests.factories import PDF_BYTES, make_document

IMPORT_ROWS = 6000


def _need_pg_tools():
    if connection.vendor != "postgresql":
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        message = f"{', '.join(missing)} not on PATH (Debian: postgresql-client)"
        pytest.fail(message) if IN_CI else pytest.skip(message)


def _fresh_database_url(tmp_path) -> str:
    """An empty database of the same kind as the test database, dropped after the test."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    _fresh_database_url.created.append(name)
    return database_url().rsplit("/", 1)[0] + f"/{name}"


_fresh_database_url.created = []


@pytest.fixture
def fresh_database(tmp_path, transactional_db):
    _need_pg_tools()
    url = _fresh_database_url(tmp_path)
    yield url
    while _fresh_database_url.created:
        name = _fresh_database_url.created.pop()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args, env=None, timeout=300) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kayse.settings_test", **(env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout
    )


def _write_import_file(path: Path, rows: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "External ID", "Email"])
        for number in range(rows):
            writer.writerow([f"Backup{number}", f"Tester{number}", f"BK-{number:06d}", f"bk{number}@example.com"])


def _snapshot(url: str, private_root: Path) -> dict:
    """What a restored installation holds, read by a process of its own."""
    code = (
        "import json; from contacts.models import Contact, ImportBatch, ImportedContact; "
        "from activity.models import ActivityEvent; from documents.models import Document; "
        "batch = ImportBatch.objects.order_by('-id').first(); "
        "print(json.dumps({'contacts': Contact.objects.count(), "
        "'imported': ImportedContact.objects.count(), "
        "'rows_done': batch.rows_done if batch else None, "
        "'import_events': ActivityEvent.objects.filter(event_type='import').count(), "
        "'documents': list(Document.objects.values_list('file', 'sha256'))}))"
    )
    result = _manage("shell", "-c", code, env={"DATABASE_URL": url, "PRIVATE_STORAGE_ROOT": str(private_root)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_backup_taken_during_an_import_restores_into_a_fresh_database(fresh_database, tmp_path, settings):
    contact = ContactFactory()
    document = make_document(contact, name="retainer.pdf")
    csv_path = tmp_path / "contacts.csv"
    _write_import_file(csv_path, IMPORT_ROWS)
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_contacts", str(csv_path)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kayse.settings_test",
            "DATABASE_URL": database_url(),
            "IMPORT_CHUNK_SIZE": "200",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ImportBatch.objects.filter(rows_done__gt=0).exists():
            assert importer.poll() is None, importer.stdout.read()
            assert time.monotonic() < deadline, "the import never committed a chunk"
            time.sleep(0.01)
        archive = tmp_path / "kayse.tar.gz"
        call_command("backup", str(archive))
    finally:
        output, _ = importer.communicate(timeout=300)
    assert importer.returncode == 0, output
    assert Contact.objects.count() == IMPORT_ROWS + 1  # the import went on to the end meanwhile

    restored_private = tmp_path / "restored-private"
    result = _manage(
        "restore", str(archive), env={"DATABASE_URL": fresh_database, "PRIVATE_STORAGE_ROOT": str(restored_private)}
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Activity log intact" in result.stdout
    restored = _snapshot(fresh_database, restored_private)
    # A moment of the import: whole chunks, each with its contacts, undo records and events.
    assert 0 < restored["rows_done"] < IMPORT_ROWS
    assert restored["rows_done"] % 200 == 0
    assert restored["imported"] == restored["rows_done"] == restored["contacts"] - 1
    assert restored["import_events"] == restored["rows_done"]
    assert restored["documents"] == [[document.file.name, hashlib.sha256(PDF_BYTES).hexdigest()]]
    assert (restored_private / document.file.name).read_bytes() == PDF_BYTES


def test_manifest_names_the_database_its_migrations_and_every_file(transactional_db, tmp_path, settings):
    _need_pg_tools()
    document = make_document(ContactFactory())
    archive = tmp_path / "kayse.tar.gz"

    call_command("backup", str(archive))

    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["contacts"]
    on_disk = [path for path in Path(settings.PRIVATE_STORAGE_ROOT).rglob("*") if path.is_file()]
    assert manifest["file_count"] == len(manifest["files"]) == len(on_disk)
    by_name = {member["name"]: member for member in manifest["files"]}
    assert by_name[f"private/{document.file.name}"]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("damage", ["truncated", "altered"])
def test_a_damaged_archive_is_refused_and_changes_nothing(transactional_db, tmp_path, settings, damage):
    _need_pg_tools()
    contact = ContactFactory(first_name="Kept")
    document = make_document(contact)
    archive = tmp_path / "kayse.tar.gz"
    call_command("backup", str(archive))
    broken = tmp_path / "broken.tar.gz"
    if damage == "truncated":
        broken.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    else:  # a file inside replaced: the manifest's checksum no longer matches
        with tarfile.open(archive) as source, tarfile.open(broken, "w:gz") as target:
            for member in source:
                data = source.extractfile(member).read()
                if member.name.startswith("private/"):
                    data = b"%PDF-1.4 not the original"
                    member.size = len(data)
                target.addfile(member, io.BytesIO(data))
    ContactFactory(first_name="After the backup")

    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("restore", str(broken), "--force")

    assert set(Contact.objects.values_list("first_name", flat=True)) == {"Kept", "After the backup"}
    assert (Path(settings.PRIVATE_STORAGE_ROOT) / document.file.name).read_bytes() == PDF_BYTES


def test_restore_refuses_a_database_that_holds_data_without_force(transactional_db, tmp_path):
    _need_pg_tools()
    ContactFactory()
    archive = tmp_path / "kayse.tar.gz"
    call_command("backup", str(archive))

    with pytest.raises(CommandError, match="already holds data.*--force"):
        call_command("restore", str(archive))


def test_migrations_this_code_lacks_mark_a_backup_from_a_newer_version():
    manifest = {"migrations": {"contacts": ["0001_initial", "9999_from_the_future"]}}

    assert unknown_migrations(manifest) == ["contacts.9999_from_the_future"]
