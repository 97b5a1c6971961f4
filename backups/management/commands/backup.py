"""manage.py backup PATH: the database and the private files in one archive, while the app runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from backups.services import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database + private files + manifest) to PATH, a .tar.gz. "
        "SQLite is copied with its online backup API, PostgreSQL with pg_dump; the app may keep running."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. /backups/kayse-2026-01-31.tar.gz")

    def handle(self, *args, path, **options):
        try:
            report = backup(Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {report.path}: {report.vendor} database and {report.files:,} private files "
                f"({filesizeformat(report.bytes)}) in {report.seconds:.1f} s."
            )
        )
