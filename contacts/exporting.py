"""Exporting contacts: the one table of export fields, rows streamed in keyset-paged chunks
(constant memory at any size), CSV and XLSX writers that neutralize spreadsheet formulas,
and the audit event every export writes."""

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from activity.models import EventType
from activity.services import record_event
from contacts.login_source import LoginSource
from contacts.models import ContactEmail, ContactPhone
from kayse.spreadsheet import neutralize
from security.models import SecurityEventKind
from security.services import record_security_event

CHUNK_SIZE = 2000
# Exports above this many rows run in the background and are fetched from a link.
BACKGROUND_THRESHOLD = 10_000


@dataclass(frozen=True)
class ExportField:
    key: str
    label: str
    default: bool = False


# Labels are the header names the importer recognizes, so an export re-imports as it is.
EXPORT_FIELDS = [
    ExportField("kayse_id", "Kayse id", True),
    ExportField("external_id", "External id", True),
    ExportField("first_name", "First name", True),
    ExportField("middle_name", "Middle name"),
    ExportField("last_name", "Last name", True),
    ExportField("preferred_name", "Preferred name"),
    ExportField("organization_name", "Organization", True),
    ExportField("phones", "Phones", True),
    ExportField("emails", "Emails", True),
    ExportField("date_of_birth", "Date of birth", True),
    ExportField("address_line1", "Address", True),
    ExportField("address_line2", "Address line 2"),
    ExportField("city", "City", True),
    ExportField("state", "State", True),
    ExportField("postal_code", "ZIP", True),
    ExportField("country", "Country"),
    ExportField("language", "Language"),
    ExportField("timezone", "Time zone"),
    ExportField("preferred_contact_method", "Preferred contact method"),
    ExportField("do_not_call", "Do not call", True),
    ExportField("do_not_text", "Do not text", True),
    ExportField("do_not_email", "Do not email", True),
    ExportField("login_source", "Login Source", True),
    ExportField("web_last_login_at", "Last web login"),
    ExportField("mobile_last_login_at", "Last mobile login"),
    ExportField("source", "Source"),
    ExportField("sentiment_label", "Sentiment"),
    ExportField("created_at", "Created"),
]
EXPORT_FIELDS_BY_KEY = {field.key: field for field in EXPORT_FIELDS}
DEFAULT_FIELDS = [field.key for field in EXPORT_FIELDS if field.default]
_COLUMN_OF = {"kayse_id": "id"}
_RELATED = {"phones", "emails"}
_LOGIN_SOURCE_LABELS = dict(LoginSource.choices)


class UnknownField(ValueError):
    pass


def clean_fields(keys: Iterable[str] | None) -> list[str]:
    """Known field keys in table order; the default set when none are given."""
    keys = [key.strip() for key in (keys or []) if key and key.strip()]
    unknown = [key for key in keys if key not in EXPORT_FIELDS_BY_KEY]
    if unknown:
        raise UnknownField(f"Unknown export field(s): {', '.join(unknown)}. Known: {', '.join(EXPORT_FIELDS_BY_KEY)}.")
    wanted = set(keys) or set(DEFAULT_FIELDS)
    return [field.key for field in EXPORT_FIELDS if field.key in wanted]


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if key == "login_source":
        return _LOGIN_SOURCE_LABELS.get(value, value)
    return str(value)


def export_rows(queryset: QuerySet, fields: list[str]) -> Iterator[list[str]]:
    """Each contact as a list of cell texts, in id order, CHUNK_SIZE contacts per round trip.

    Three queries per chunk whatever the fields; memory holds one chunk.
    """
    columns = ["id", *(_COLUMN_OF.get(key, key) for key in fields if key not in _RELATED)]
    columns = list(dict.fromkeys(columns))
    base = queryset.live().order_by("pk").values(*columns)
    last_id = 0
    while True:
        chunk = list(base.filter(pk__gt=last_id)[:CHUNK_SIZE])
        if not chunk:
            return
        ids = [row["id"] for row in chunk]
        last_id = ids[-1]
        phones = _joined(ContactPhone, "number", ids) if "phones" in fields else {}
        emails = _joined(ContactEmail, "email", ids) if "emails" in fields else {}
        for row in chunk:
            cells = []
            for key in fields:
                if key == "phones":
                    text = phones.get(row["id"], "")
                elif key == "emails":
                    text = emails.get(row["id"], "")
                else:
                    text = _cell(key, row[_COLUMN_OF.get(key, key)])
                cells.append(neutralize(text))
            yield cells


def _joined(model, column: str, ids: list[int]) -> dict[int, str]:
    values: dict[int, list[str]] = {}
    rows = model.objects.filter(contact_id__in=ids).order_by("contact_id", "-is_primary", "id")
    for contact_id, value in rows.values_list("contact_id", column):
        values.setdefault(contact_id, []).append(value)
    return {contact_id: "; ".join(items) for contact_id, items in values.items()}


def header_row(fields: list[str]) -> list[str]:
    return [EXPORT_FIELDS_BY_KEY[key].label for key in fields]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(queryset: QuerySet, fields: list[str], counter: list | None = None) -> Iterator[str]:
    """The CSV file as text pieces (UTF-8 BOM first so Excel reads accents), for streaming."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header_row(fields))
    lines = []
    for cells in export_rows(queryset, fields):
        lines.append(writer.writerow(cells))
        if counter is not None:
            counter[0] += 1
        if len(lines) >= 500:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def write_csv(handle, queryset: QuerySet, fields: list[str], progress=None) -> int:
    """Write the CSV to a binary file; returns the number of contacts."""
    counter = [0]
    for piece in csv_chunks(queryset, fields, counter):
        handle.write(piece.encode("utf-8"))
        if progress:
            progress(counter[0])
    return counter[0]


def write_xlsx(handle, queryset: QuerySet, fields: list[str], progress=None) -> int:
    """Write an XLSX with openpyxl's write-only mode (rows go straight to the zip stream)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(header_row(fields))
    count = 0
    for cells in export_rows(queryset, fields):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in cells])
        count += 1
        if progress and count % CHUNK_SIZE == 0:
            progress(count)
    workbook.save(handle)
    return count


def record_export(*, user, filters: dict, fields: list[str], row_count, file_format: str, request=None):
    """The compliance "Data access" event every export writes: who, filters, fields, rows."""
    shown = {key: value for key, value in filters.items() if value not in ("", None, "all", [])}
    who = (user.get_full_name() or user.get_username()) if user is not None else "System"
    described = ", ".join(f"{key}={value}" for key, value in shown.items()) or "no filter"
    count = "" if row_count is None else f"{row_count} "
    record_security_event(
        kind=SecurityEventKind.EXPORT,
        request=request,
        user=user,
        details={"what": "contacts", "rows": row_count, "format": file_format, "filters": shown, "fields": fields},
    )
    return record_event(
        event_type=EventType.DATA_ACCESS,
        is_compliance=True,
        description=f"{who} exported {count}contacts as {file_format.upper()} ({described})",
        user=user,
        actor_label="" if user is not None else "System (export_contacts)",
        data={
            "what": "contacts export",
            "filters": shown,
            "fields": fields,
            "rows": row_count,
            "format": file_format,
        },
        request=request,
    )


def export_count_at_most(queryset: QuerySet, limit: int) -> int:
    """How many contacts the export has, counting no further than limit + 1."""
    return queryset.live().order_by().values("pk")[: limit + 1].count()


def export_filename(file_format: str) -> str:
    return f"contacts-{timezone.localtime():%Y%m%d-%H%M}.{file_format}"


def export_folder(user_id: int):
    from pathlib import Path

    from django.conf import settings

    return Path(settings.PRIVATE_STORAGE_ROOT) / "exports" / str(int(user_id))


def run_background_export(*, user, filters: dict, fields: list[str], file_format: str, job_id: str, progress=None):
    """Write a large export to the user's private export folder; returns (path, row count)."""
    from contacts.filters import ContactFilter
    from contacts.models import Contact

    folder = export_folder(user.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_id}.{file_format}"
    partial = path.with_suffix(".part")
    queryset = ContactFilter(filters, queryset=Contact.objects.all()).qs
    writer = write_xlsx if file_format == "xlsx" else write_csv
    with partial.open("wb") as handle:
        count = writer(handle, queryset, fields, progress=progress)
    partial.rename(path)
    record_export(user=user, filters=filters, fields=fields, row_count=count, file_format=file_format)
    return path, count
