import datetime

from django.core.management.base import BaseCommand, CommandError

from contacts.dnc import DncImportError, import_national_registry


class Command(BaseCommand):
    help = (
        "Import a national Do-Not-Call registry file (CSV/TXT: one number a line, or “area code,number”) "
        "as the current version, dated by the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--date", required=True, help="Date of the registry file, YYYY-MM-DD (its version).")

    def handle(self, *args, path, date, **options):
        try:
            file_date = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"“{date}” is not a date: use YYYY-MM-DD.") from None
        try:
            with open(path, "rb") as file:
                version = import_national_registry(file=file, file_date=file_date, file_name=path.rsplit("/", 1)[-1])
        except FileNotFoundError:
            raise CommandError(f"No file at {path}.") from None
        except DncImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Imported the {version.version_label}: {version.number_count} numbers"
            + (f", {version.rejected_count} lines not understood." if version.rejected_count else ".")
        )
