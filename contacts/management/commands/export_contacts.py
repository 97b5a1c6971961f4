"""manage.py export_contacts -o PATH [--format csv|xlsx] [--login-source X] [--q TEXT] [--fields a,b]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.exporting import EXPORT_FIELDS, UnknownField, clean_fields, record_export, write_csv, write_xlsx
from contacts.filters import ContactFilter
from contacts.login_source import FILTER_CHOICES
from contacts.models import Contact


class Command(BaseCommand):
    help = "Export contacts with the list's filters to CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="File to write.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None, help="Default: from the file name.")
        parser.add_argument("--login-source", choices=[value for value, _label in FILTER_CHOICES], default="all")
        parser.add_argument("--q", default="", help="Search text, as in the list's search box.")
        parser.add_argument(
            "--fields", default="", help=f"Comma-separated, from: {', '.join(field.key for field in EXPORT_FIELDS)}."
        )

    def handle(self, *args, output, format, login_source, q, fields, **options):
        try:
            keys = clean_fields(fields.split(",") if fields else None)
        except UnknownField as error:
            raise CommandError(str(error)) from None
        path = Path(output)
        file_format = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        filters = {"login_source": login_source, "q": q}
        filterset = ContactFilter(filters, queryset=Contact.objects.all())
        if not filterset.is_valid():
            raise CommandError(f"Bad filter: {filterset.errors.as_text()}")
        writer = write_xlsx if file_format == "xlsx" else write_csv
        with path.open("wb") as handle:
            count = writer(handle, filterset.qs, keys)
        record_export(user=None, filters=filters, fields=keys, row_count=count, file_format=file_format)
        self.stdout.write(f"Exported {count} contacts to {path}")
