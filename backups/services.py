"""Backup and restore of a whole installation: the database and the private files, in one archive.

The archive is a tar.gz holding the database (SQLite: a copy made with SQLite's online backup
API, consistent while the app writes; PostgreSQL: `pg_dump -Fc`, which reads one snapshot),
every file under PRIVATE_STORAGE_ROOT in `private/`, and `manifest.json`, written last: when,
which database, its applied migrations, and the size and SHA-256 of every member. Restore
unpacks and checks all of it before it touches anything, so a truncated or altered archive
changes nothing.

The database is copied first and the files after it: a document's file is written before its
row commits, so every file the copied database names is there (later uploads are extra files,
harmless). Stop the web and worker processes before a restore, not before a backup.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "kayse-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PRIVATE_PREFIX = "private"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the person running the command can act on; the message says what."""


@dataclass
class BackupReport:
    path: Path
    vendor: str
    files: int
    bytes: int
    seconds: float


@dataclass
class RestoreReport:
    vendor: str
    files: int
    created_at: str
    migrated: bool
    previous_files: Path | None


# --- Backup --------------------------------------------------------------------------------------


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupReport:
    """Write the archive to `path` (atomically: a half-written archive never has its name)."""
    started = time.monotonic()
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kayse-backup-", dir=path.parent) as work:
        database_file = Path(work) / DATABASE_MEMBERS[vendor]
        if vendor == "sqlite":
            _copy_sqlite(connection, database_file)
            migrations = _applied_migrations_sqlite(database_file)
        else:
            migrations = _applied_migrations(connection)
            _pg_dump(connection, database_file)
        partial = Path(work) / "archive.tar.gz"
        members = []
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            members.append(_add_file(archive, database_file, DATABASE_MEMBERS[vendor]))
            private_files = []
            for file_path, name in _private_files():
                member = _add_file(archive, file_path, name)
                if member is not None:
                    private_files.append(member)
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "database": {"vendor": vendor, **members[0]},
                "migrations": migrations,
                "private_storage": "s3" if settings.PRIVATE_STORAGE_S3_BUCKET else "local",
                "file_count": len(private_files),
                "files": private_files,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)  # it holds every client's data
        os.replace(partial, path)
    total = sum(member["size"] for member in private_files)
    return BackupReport(path, vendor, len(private_files), total, time.monotonic() - started)


def _copy_sqlite(connection, target: Path) -> None:
    """SQLite's online backup: one read transaction, so one consistent state; writers go on (WAL)."""
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _applied_migrations_sqlite(database_file: Path) -> dict[str, list[str]]:
    """The migrations recorded in the copy itself, so they match its tables exactly."""
    copy = sqlite3.connect(database_file)
    try:
        rows = copy.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    except sqlite3.OperationalError:
        rows = []
    finally:
        copy.close()
    return _group(rows)


def _applied_migrations(connection) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return _group(cursor.fetchall())


def _group(rows) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def _libpq_environment(connection) -> dict[str, str]:
    """pg_dump/pg_restore get the connection from the environment: no password on a command line."""
    settings_dict = connection.settings_dict
    env = {**os.environ}
    for key, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client programs (Debian: postgresql-client) "
            "in the version of the server or newer."
        )
    return found


def _pg_dump(connection, target: Path) -> None:
    result = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        env=_libpq_environment(connection),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _private_files():
    """(path, name in the archive) of every private file on local disk, in a stable order."""
    if settings.PRIVATE_STORAGE_S3_BUCKET:
        return  # kept in the bucket: back it up with the bucket's own versioning/replication
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            file_path = Path(folder) / name
            if file_path.is_symlink() or not file_path.is_file():
                continue
            yield file_path, str(PurePosixPath(PRIVATE_PREFIX, file_path.relative_to(root).as_posix()))


class _HashingReader:
    """Reads a file for tarfile, hashing what it hands over."""

    def __init__(self, handle):
        self.handle = handle
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.sha256.update(data)
        return data


def _add_file(archive: tarfile.TarFile, file_path: Path, name: str) -> dict | None:
    """Add one file; its size and SHA-256 for the manifest. A file deleted meanwhile is skipped."""
    try:
        handle = file_path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle)
        try:
            archive.addfile(info, reader)
        except OSError as error:  # shrank while being read: it was being replaced
            raise BackupError(f"{file_path} changed while it was being copied; run the backup again.") from error
    return {"name": name, "size": info.size, "sha256": reader.sha256.hexdigest()}


# --- Restore -------------------------------------------------------------------------------------


def read_archive(path: Path, into: Path) -> dict:
    """Unpack the archive into the folder `into` and check it against its manifest; the manifest.

    Raises BackupError, saying what is wrong, for anything short of a complete, unaltered archive."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No such file: {path}")
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                _check_member(member)
                archive.extract(member, into, filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise BackupError(
            f"{path.name} is not a complete Kayse backup (it is truncated or damaged: {error}). Nothing was changed."
        ) from None
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{path.name} has no {MANIFEST}: it is truncated or not a Kayse backup. Nothing was changed.")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError:
        raise BackupError(f"{path.name}: its {MANIFEST} is unreadable. Nothing was changed.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{path.name} is not a Kayse backup of a version this program reads. Nothing was changed.")
    expected = [manifest["database"], *manifest["files"]]
    if len(manifest["files"]) != manifest["file_count"]:
        raise BackupError(f"{path.name}: its manifest does not add up. Nothing was changed.")
    for member in expected:
        member_path = into / member["name"]
        if not member_path.is_file():
            raise BackupError(f"{path.name} lacks {member['name']}: it is incomplete. Nothing was changed.")
        if member_path.stat().st_size != member["size"] or _sha256(member_path) != member["sha256"]:
            raise BackupError(
                f"{path.name}: {member['name']} does not match its checksum; the archive was damaged or "
                "altered. Nothing was changed."
            )
    return manifest


def _check_member(member: tarfile.TarInfo) -> None:
    name = PurePosixPath(member.name)
    allowed = member.name == MANIFEST or member.name in DATABASE_MEMBERS.values()
    allowed = allowed or (name.parts[:1] == (PRIVATE_PREFIX,) and ".." not in name.parts)
    if not allowed or not (member.isfile() or member.isdir()):
        raise BackupError(f"Unexpected entry {member.name!r}: this is not a Kayse backup. Nothing was changed.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the backup has applied that this code does not have: it comes from a newer version."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = [(app, name) for app, names in manifest["migrations"].items() for name in names]
    return [f"{app}.{name}" for app, name in applied if (app, name) not in known]


def database_is_empty(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """No contacts, activity events or users: nothing a restore could destroy."""
    from django.contrib.auth import get_user_model

    from activity.models import ActivityEvent
    from contacts.models import Contact

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    for model in (Contact, ActivityEvent, get_user_model()):
        if model._meta.db_table in tables and model.objects.using(using).exists():
            return False
    return True


def restore_database(manifest: dict, unpacked: Path, *, using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This backup is of a {vendor} database; DATABASE_URL names a {connection.vendor} one. Nothing was changed."
        )
    source = unpacked / manifest["database"]["name"]
    connections.close_all()
    if vendor == "sqlite":
        # Through the backup API, page by page under SQLite's own locks: safe even with a WAL
        # beside the file, which replacing the file would not be.
        origin = sqlite3.connect(source)
        target = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
        try:
            origin.backup(target)
        finally:
            target.close()
            origin.close()
        return
    result = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ],
        env=_libpq_environment(connection),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, and rolled back (nothing was changed): {result.stderr.strip()}")


def restore_files(manifest: dict, unpacked: Path) -> tuple[int, Path | None]:
    """Put the archive's private files in place of PRIVATE_STORAGE_ROOT; the files that were there
    are kept beside it (returned) unless there were none."""
    if manifest.get("private_storage") == "s3" or settings.PRIVATE_STORAGE_S3_BUCKET:
        return 0, None
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    restored = unpacked / PRIVATE_PREFIX
    restored.mkdir(exist_ok=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if root.exists():
        if any(path.is_file() for path in root.rglob("*")):
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            previous = root.with_name(f"{root.name}.before-restore-{stamp}")
            root.rename(previous)
        else:
            shutil.rmtree(root)
    shutil.move(restored, root)  # a rename when unpacked on the same file system
    return manifest["file_count"], previous
