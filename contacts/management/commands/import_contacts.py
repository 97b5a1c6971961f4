"""manage.py import_contacts PATH [--on-duplicate skip|update|create|merge] [--dry-run] [--sheet NAME]"""

import shutil
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.importing.readers import UnreadableFile
from contacts.importing.service import create_batch, drop_file, preview_import, private_path, run_import
from contacts.models import DuplicateRule, ImportErrorMode, ImportStatus


class Command(BaseCommand):
    help = "Import contacts from a CSV or XLSX file, columns matched by their header names."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--on-duplicate", choices=DuplicateRule.values, default=DuplicateRule.SKIP)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; write nothing.")
        parser.add_argument("--sheet", default="", help="The Excel sheet to read (default: the first).")
        parser.add_argument("--encoding", default="", help="Override the detected text encoding of a CSV.")
        parser.add_argument("--all-or-nothing", action="store_true", help="Import nothing if any row is invalid.")
        parser.add_argument("--check-dnc", action="store_true", help="Check imported numbers against the DNC lists.")

    def handle(self, *args, path, on_duplicate, dry_run, sheet, encoding, all_or_nothing, check_dnc, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        stored = f"imports/{uuid.uuid4().hex}{source.suffix.lower()[:10]}"
        target = private_path(stored)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        try:
            batch = create_batch(
                target, stored_name=stored, original_name=source.name, user=None, encoding=encoding, sheet=sheet
            )
        except UnreadableFile as error:
            target.unlink(missing_ok=True)
            raise CommandError(f"{source.name}: {error}") from None
        if not any(key in batch.mapping for key in ("first_name", "last_name", "full_name", "organization_name")):
            raise CommandError(f"{source.name}: no column is recognized as a name; headers are {batch.headers}.")
        batch.duplicate_rule = on_duplicate
        batch.error_mode = ImportErrorMode.ALL_OR_NOTHING if all_or_nothing else ImportErrorMode.VALID_ROWS
        batch.check_dnc = check_dnc
        batch.save()
        ignored = [header for header, key in zip(batch.headers, batch.mapping, strict=False) if not key]
        if ignored:
            self.stderr.write(f"Ignored columns: {', '.join(ignored)}")
        if dry_run:
            counts = preview_import(batch)
            drop_file(batch)  # nothing will run this batch: its copy of the file goes now
        else:
            batch.status = ImportStatus.RUNNING
            batch.save()
            counts = run_import(batch)
            batch.refresh_from_db()
            if batch.message:
                self.stderr.write(batch.message)
        for note in batch.notes.filter(dry_run=dry_run, kind="error")[:20]:
            self.stderr.write(f"line {note.line}: {note.reason}")
        self.stdout.write(
            f"new {counts['new']}, updated {counts['updated']}, skipped {counts['skipped']}, "
            f"merged {counts['merged']}, errors {counts['errors']}" + ("" if dry_run else f" (import #{batch.pk})")
        )
        if batch.status == ImportStatus.FAILED:
            raise CommandError("The import failed.")
