"""Our importable fields and the header names other systems use for them.

`IMPORT_FIELDS` is the one table of import targets; `auto_map` matches a file's headers to
it, including the exports of Google Contacts, Outlook, Clio and MyCase.
"""

import re
from dataclasses import dataclass

from unidecode import unidecode


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    group: str
    synonyms: tuple[str, ...] = ()


def _fields(group, *rows):
    return [ImportField(key, label, group, tuple(synonyms)) for key, label, synonyms in rows]


IMPORT_FIELDS: list[ImportField] = [
    *_fields(
        "Name",
        ("first_name", "First name", ["first", "given name", "firstname", "fname", "forename"]),
        ("middle_name", "Middle name", ["middle", "additional name", "middle initial"]),
        ("last_name", "Last name", ["last", "family name", "surname", "lastname", "lname"]),
        ("full_name", "Full name (split into first and last)", ["name", "contact name", "display name", "client name"]),
        ("preferred_name", "Preferred name", ["nickname", "preferred", "goes by"]),
        (
            "organization_name",
            "Organization",
            ["company", "organization", "organisation", "organization name", "company name", "employer", "business"],
        ),
        ("date_of_birth", "Date of birth", ["dob", "birthday", "birth date", "birthdate", "date of birth"]),
    ),
    *_fields(
        "Phones",
        (
            "phone_mobile",
            "Mobile phone",
            ["mobile", "mobile phone", "cell", "cell phone", "cellphone", "mobile number", "cell number"],
        ),
        ("phone_home", "Home phone", ["home phone", "home number", "home telephone"]),
        (
            "phone_work",
            "Work phone",
            ["work phone", "business phone", "office phone", "work number", "business phone 2", "company main phone"],
        ),
        (
            "phone",
            "Phone (other)",
            [
                "phone",
                "telephone",
                "phone number",
                "primary phone",
                "primary phone number",
                "main phone",
                "other phone",
                "phone 1 value",
                "phone 2 value",
                "phone 3 value",
                "tel",
            ],
        ),
        ("phones", "Phones (several, separated by ;)", ["phones", "phone numbers", "all phones"]),
        (
            "phone_label",
            "Phone label: the kind of the phone beside it (Mobile, Work, Home)",
            ["phone label", "phone type", "phone kind"],
        ),
    ),
    *_fields(
        "Emails",
        ("email_home", "Home email", ["home email", "personal email"]),
        ("email_work", "Work email", ["work email", "business email", "office email"]),
        (
            "email",
            "Email",
            [
                "email",
                "e mail",
                "email address",
                "e mail address",
                "primary email",
                "primary email address",
                "email 1 value",
                "e mail 1 value",
                "e mail 2 address",
                "e mail 3 address",
                "email 2 value",
                "e mail 2 value",
                "other email",
            ],
        ),
        ("emails", "Emails (several, separated by ;)", ["emails", "email addresses", "all emails"]),
        (
            "email_label",
            "Email label: the kind of the email beside it (Work, Home)",
            ["email label", "email type", "e mail label", "e mail type"],
        ),
    ),
    *_fields(
        "Address",
        (
            "address_line1",
            "Address",
            [
                "address",
                "street",
                "address 1",
                "address line 1",
                "street address",
                "home street",
                "business street",
                "address 1 street",
                "primary address street",
                "mailing address",
                "street 1",
            ],
        ),
        (
            "address_line2",
            "Address line 2",
            ["address 2", "address line 2", "home street 2", "street 2", "apt", "suite"],
        ),
        (
            "city",
            "City",
            ["city", "town", "home city", "business city", "address 1 city", "primary address city", "locality"],
        ),
        (
            "state",
            "State",
            [
                "state",
                "province",
                "region",
                "home state",
                "business state",
                "address 1 region",
                "primary address state",
                "state province",
            ],
        ),
        (
            "postal_code",
            "ZIP / postal code",
            [
                "zip",
                "zip code",
                "zipcode",
                "postal code",
                "postcode",
                "home postal code",
                "business postal code",
                "address 1 postal code",
                "primary address postal code",
            ],
        ),
        (
            "country",
            "Country (2 letters)",
            [
                "country",
                "country code",
                "home country region",
                "business country region",
                "address 1 country",
                "primary address country",
            ],
        ),
    ),
    *_fields(
        "Preferences",
        (
            "preferred_contact_method",
            "Preferred contact method",
            ["preferred contact method", "contact method", "contact preference"],
        ),
        ("do_not_call", "Do not call", ["do not call", "dnc", "no calls"]),
        ("do_not_text", "Do not text", ["do not text", "no texts", "no sms", "do not sms"]),
        ("do_not_email", "Do not email", ["do not email", "no email", "email opt out"]),
        ("language", "Language", ["language", "preferred language"]),
        ("timezone", "Time zone", ["time zone", "timezone", "tz"]),
    ),
    *_fields(
        "Other",
        ("kayse_id", "Kayse id (re-importing an export)", ["kayse id", "kayse contact id"]),
        (
            "external_id",
            "External id",
            ["external id", "id", "contact id", "clio id", "clio contact id", "mycase id", "client id", "record id"],
        ),
        ("source", "Source", ["source", "lead source", "referral source"]),
        ("notes", "Notes (added as a note)", ["notes", "note", "comments", "description"]),
        ("case_number", "Case number to link", ["case number", "matter number", "case", "matter", "case id"]),
    ),
]
FIELDS_BY_KEY = {field.key: field for field in IMPORT_FIELDS}
MULTI_FIELDS = {"phone", "phone_mobile", "phone_home", "phone_work", "phones", "email", "email_home", "email_work"}
MULTI_FIELDS |= {"emails", "notes", "phone_label", "email_label"}
# Google Contacts and Outlook number their columns: "Phone 4 - Value", "E-mail 2 - Label".
NUMBERED_HEADERS = [
    (re.compile(r"^phone \d+ (value|number)$"), "phone"),
    (re.compile(r"^phone \d+ (label|type)$"), "phone_label"),
    (re.compile(r"^e ?mail \d+ (value|address)$"), "email"),
    (re.compile(r"^e ?mail \d+ (label|type)$"), "email_label"),
]

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(header: str) -> str:
    """A header reduced to lower-case words: "E-mail 1 - Value" → "e mail 1 value"."""
    return _NOT_WORD.sub(" ", unidecode(header or "").lower()).strip()


_SYNONYMS = {}
for _field in IMPORT_FIELDS:
    for _name in (_field.key.replace("_", " "), _field.label, *_field.synonyms):
        _SYNONYMS.setdefault(header_key(_name), _field.key)


def _known_field(key: str) -> str:
    """Our field for a header reduced by header_key, from the synonyms or a numbered column."""
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    return next((field_key for pattern, field_key in NUMBERED_HEADERS if pattern.match(key)), "")


def auto_map(headers: list[str], saved: dict | None = None) -> list[str]:
    """Our field for each header ('' = ignored): a saved mapping first, then known names.

    A single-valued field is given to the first column that names it; later ones are ignored.
    """
    saved = {header_key(name): key for name, key in (saved or {}).items()}
    taken = set()
    mapping = []
    for header in headers:
        key = header_key(header)
        field_key = saved.get(key) if key in saved else _known_field(key)
        if field_key and field_key not in FIELDS_BY_KEY:
            field_key = ""
        if field_key and field_key not in MULTI_FIELDS and field_key in taken:
            field_key = ""
        taken.add(field_key)
        mapping.append(field_key)
    return mapping


def mapping_choices():
    """Grouped choices for the dropdown of each column."""
    groups = {}
    for field in IMPORT_FIELDS:
        groups.setdefault(field.group, []).append((field.key, field.label))
    return [("", "— Ignore this column —"), *groups.items()]
