"""manage.py restore PATH [--force]: put a backup back, check it, and verify the activity log."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from backups.services import (
    BackupError,
    database_is_empty,
    read_archive,
    restore_database,
    restore_files,
    unknown_migrations,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database DATABASE_URL names and "
        "PRIVATE_STORAGE_ROOT. Refuses a database that holds data unless --force. Stop the web "
        "and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="an archive written by `manage.py backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds contacts, events or users"
        )

    def handle(self, *args, path, force, **options):
        try:
            empty = database_is_empty()
        except DatabaseError as error:
            raise CommandError(
                f"Cannot open the database DATABASE_URL names ({error}). Create it first (PostgreSQL: createdb). "
                "Nothing was changed."
            ) from None
        if not force and not empty:
            raise CommandError(
                "The database already holds data (contacts, activity events or users). Restoring replaces all "
                "of it: run again with --force if that is what you want. Nothing was changed."
            )
        # Unpacked next to the private files: the same file system, so they are moved, not copied twice.
        scratch_parent = Path(settings.PRIVATE_STORAGE_ROOT).parent
        scratch_parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".kayse-restore-", dir=scratch_parent) as scratch:
            try:
                manifest = read_archive(Path(path), Path(scratch))
                newer = unknown_migrations(manifest)
                if newer:
                    raise BackupError(
                        f"This backup comes from a newer version of Kayse (it has migrations this one lacks: "
                        f"{', '.join(newer[:5])}). Upgrade first. Nothing was changed."
                    )
                restore_database(manifest, Path(scratch))
                files, previous = restore_files(manifest, Path(scratch))
            except BackupError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the {manifest['database']['vendor']} database and {files:,} private files "
            f"from the backup of {manifest['created_at']}."
        )
        if previous is not None:
            self.stdout.write(f"The private files that were there before are kept in {previous}.")
        # A backup from an older version: bring its tables up to this code.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("verify_activity_log", stdout=self.stdout, stderr=self.stderr)
