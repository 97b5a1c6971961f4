"""Checking one row of a file: every value parsed into what a contact holds, every problem
named in plain words (bad phone, bad email, unreadable date, missing name)."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from contacts.models import ChannelKind, Contact, ContactMethod
from contacts.normalize import InvalidPhone, normalize_email, normalize_phone
from kayse.spreadsheet import FORMULA_STARTS

# Text fields copied as they are (trimmed, cut to the column's length).
TEXT_FIELDS = [
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "organization_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "external_id",
    "source",
]
BOOLEAN_FIELDS = ["do_not_call", "do_not_text", "do_not_email"]
# Every contact field an import may set, in the order a snapshot stores them.
CONTACT_FIELDS = [
    *TEXT_FIELDS,
    "date_of_birth",
    "country",
    "language",
    "timezone",
    "preferred_contact_method",
    *BOOLEAN_FIELDS,
]
MAX_LENGTHS = {name: Contact._meta.get_field(name).max_length for name in TEXT_FIELDS + ["country", "language"]}
PHONE_KINDS = {
    "phone_mobile": ChannelKind.MOBILE,
    "phone_home": ChannelKind.HOME,
    "phone_work": ChannelKind.WORK,
    "phone": ChannelKind.OTHER,
    "phones": ChannelKind.OTHER,
}
EMAIL_KINDS = {
    "email_home": ChannelKind.HOME,
    "email_work": ChannelKind.WORK,
    "email": ChannelKind.OTHER,
    "emails": ChannelKind.OTHER,
}
# A label column ("Phone 1 - Label" = Mobile / Work / Home in Google's and Outlook's exports)
# gives the kind of the phone or email in the column beside it.
LABELLED_KINDS = {"phone_label": PHONE_KINDS, "email_label": EMAIL_KINDS}
TRUE_WORDS = {"yes", "y", "true", "t", "1", "x", "on", "dnc", "do not call", "do not text", "do not email"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "off", ""}
EMPTY_DATES = {"", "0/0/00", "0/0/0000", "00/00/0000", "0000-00-00", "n/a", "none", "unknown"}
DATE_FORMATS = [
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y%m%d",
]
# Google Contacts puts several values of one label in a cell as "a ::: b".
_SPLIT = re.compile(r"\s*(?:[;\n]|:::)\s*|\s*,\s*(?=\S+@)")
METHODS = {label.lower(): value for value, label in ContactMethod.choices if value}
METHODS.update({value: value for value in METHODS.values()})
METHODS.update({"text": "sms", "call": "phone", "cell": "sms", "mail": "mail", "e-mail": "email"})


@dataclass
class ParsedRow:
    line: int
    fields: dict = field(default_factory=dict)
    phones: list = field(default_factory=list)  # [(E.164, kind)], the first is the primary
    emails: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    case_numbers: list = field(default_factory=list)
    kayse_id: int | None = None
    match_keys: list | None = None
    derived: tuple | None = None  # a new contact's (login_source, search_name, sort_name)
    errors: list = field(default_factory=list)
    cells: list = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def parse_date(text: str) -> datetime.date | None:
    """A date in the formats US firms' systems export (month before day when ambiguous)."""
    text = text.strip()
    if text.lower() in EMPTY_DATES:
        return None
    if " " in text and text[:4].isdigit() and text[4:5] == "-":
        text = text.split(" ", 1)[0]  # "1985-03-12 00:00:00" from a spreadsheet
    try:  # the common cases first, without strptime
        if len(text) == 10 and text[4] == "-":
            return datetime.date.fromisoformat(text)
        month, day, year = text.split("/")
        if len(year) == 4:
            return datetime.date(int(year), int(month), int(day))
    except ValueError:
        pass
    for date_format in DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
        if parsed.year < 100:
            continue
        if "%y" in date_format and parsed > datetime.date.today():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise ValueError(f"unreadable date “{text}” (use a date like 1985-03-12 or 03/12/1985)")


def parse_boolean(text: str, label: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"“{text}” is not yes or no for {label}")


def split_values(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]


def split_full_name(text: str) -> tuple[str, str]:
    """ "Doe, Jane" and "Jane Doe" alike → ("Jane", "Doe")."""
    text = " ".join(text.split())
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        return first, last
    if " " in text:
        first, last = text.rsplit(" ", 1)
        return first, last
    return text, ""


@lru_cache(maxsize=64)
def label_columns(mapping: tuple[str, ...]) -> dict[int, int]:
    """{phone or email column: its label column}, worked out once per file's mapping. A label
    column names the kind of the value beside it: the next column (Google writes
    "Phone 1 - Label" before "Phone 1 - Value"), else the one before it."""
    pairs = {}
    for index, key in enumerate(mapping):
        kinds = LABELLED_KINDS.get(key)
        if kinds is None:
            continue
        for neighbour in (index + 1, index - 1):
            if 0 <= neighbour < len(mapping) and mapping[neighbour] in kinds and neighbour not in pairs:
                pairs[neighbour] = index
                break
    return pairs


def kind_from_label(text: str) -> str | None:
    """The kind a label names ("* Mobile", "Work Fax", "Home"), or None for one we don't know.
    Google marks the primary with "*" and joins several labels with ":::"; the first counts."""
    label = text.replace("*", " ").split(":::")[0].strip().lower()
    if not label:
        return None
    if "fax" in label or "pager" in label:
        return ChannelKind.OTHER  # a fax takes no texts
    if "mobile" in label or "cell" in label or "iphone" in label:
        return ChannelKind.MOBILE
    if "work" in label or "business" in label or "office" in label or "company" in label:
        return ChannelKind.WORK
    if "home" in label or "personal" in label:
        return ChannelKind.HOME
    if label == "other":
        return ChannelKind.OTHER
    return None


def validate_row(line: int, cells: list[str], mapping: list[str]) -> ParsedRow:
    """Parse one row of the file given our field for each column."""
    row = ParsedRow(line=line, cells=cells)
    values: dict[str, list[str]] = {}
    kinds: dict[tuple[str, int], str] = {}  # (field, n-th value of it) → kind from a label column
    labels = label_columns(tuple(mapping))
    for index, key in enumerate(mapping):
        if not key or index >= len(cells):
            continue
        text = (cells[index] or "").strip()
        if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
            text = text[1:]  # undo the apostrophe an export put before a formula-like cell
        if text:
            if index in labels and labels[index] < len(cells):
                kind = kind_from_label(cells[labels[index]] or "")
                if kind is not None:
                    kinds[(key, len(values.get(key, ())))] = kind
            values.setdefault(key, []).append(text)

    def first(key):
        return values.get(key, [""])[0]

    for name in TEXT_FIELDS:
        if first(name):
            row.fields[name] = first(name)[: MAX_LENGTHS[name]]
    if first("full_name") and not (row.fields.get("first_name") or row.fields.get("last_name")):
        given, family = split_full_name(first("full_name"))
        row.fields["first_name"] = given[: MAX_LENGTHS["first_name"]]
        if family:
            row.fields["last_name"] = family[: MAX_LENGTHS["last_name"]]
    if first("date_of_birth"):
        try:
            birth = parse_date(first("date_of_birth"))
        except ValueError as error:
            row.errors.append(str(error))
        else:
            if birth is not None:
                if birth > datetime.date.today():
                    row.errors.append(f"date of birth {birth:%Y-%m-%d} is in the future")
                else:
                    row.fields["date_of_birth"] = birth
    if first("country"):
        country = first("country").upper()
        country = {"USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US"}.get(country, country)
        if len(country) == 2 and country.isalpha():
            row.fields["country"] = country
        else:
            row.errors.append(f"“{first('country')}” is not a two-letter country code")
    if first("language"):
        row.fields["language"] = first("language")[: MAX_LENGTHS["language"]]
    if first("timezone"):
        name = first("timezone")
        try:
            zoneinfo.ZoneInfo(name)
            row.fields["timezone"] = name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            row.errors.append(f"“{name}” is not a time zone (use a name like America/Chicago)")
    if first("preferred_contact_method"):
        method = METHODS.get(first("preferred_contact_method").lower())
        if method:
            row.fields["preferred_contact_method"] = method
        else:
            row.errors.append(f"“{first('preferred_contact_method')}” is not a contact method")
    if first("kayse_id"):
        if first("kayse_id").isdigit():
            row.kayse_id = int(first("kayse_id"))
        else:
            row.errors.append(f"“{first('kayse_id')}” is not a Kayse id (a whole number)")
    for name in BOOLEAN_FIELDS:
        if first(name):
            try:
                row.fields[name] = parse_boolean(first(name), name.replace("_", " "))
            except ValueError as error:
                row.errors.append(str(error))

    seen_phones = set()
    for key, column_kind in PHONE_KINDS.items():
        for position, text in enumerate(values.get(key, [])):
            kind = kinds.get((key, position), column_kind)
            for raw in split_values(text):
                try:
                    number = normalize_phone(raw)
                except InvalidPhone:
                    row.errors.append(f"bad phone “{raw}”")
                    continue
                if number not in seen_phones:
                    seen_phones.add(number)
                    row.phones.append((number, kind))
    seen_emails = set()
    for key, column_kind in EMAIL_KINDS.items():
        for position, text in enumerate(values.get(key, [])):
            kind = kinds.get((key, position), column_kind)
            for raw in split_values(text):
                address = normalize_email(raw)
                try:
                    validate_email(address)
                except ValidationError:
                    row.errors.append(f"bad email “{raw}”")
                    continue
                if address not in seen_emails:
                    seen_emails.add(address)
                    row.emails.append((address, kind))
    row.notes = values.get("notes", [])
    row.case_numbers = [number for text in values.get("case_number", []) for number in split_values(text)]
    if not (row.fields.get("first_name") or row.fields.get("last_name") or row.fields.get("organization_name")):
        row.errors.insert(0, "missing name (a first name, last name or organization is needed)")
    return row
