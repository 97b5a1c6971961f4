"""What the engine compares of a contact: a `Profile`, built once per contact per scan.

Every value is normalized here, once, so comparing two profiles is cheap: names folded (case,
accents, punctuation), their nickname sets and Soundex codes, the date of birth as a date and as
its eight digits, the street as a key with suffixes abbreviated, the first five digits of the
postcode, phones as E.164 and emails lower-cased.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from functools import lru_cache
from sys import intern

from contacts.nicknames import canonical_first_names
from contacts.normalize import fold, normalize_email, phone_or_none

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}
_LETTERS = re.compile(r"[^a-z]")
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=262144)
def soundex(word: str) -> str:
    """American Soundex of a folded word ("robert" -> "R163"): a typo-tolerant blocking key."""
    word = _LETTERS.sub("", word)
    if not word:
        return ""
    code = [word[0].upper()]
    last = _SOUNDEX_CODES.get(word[0], "")
    for char in word[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != last:
            code.append(digit)
            if len(code) == 4:
                break
        if char not in "hw":
            last = digit
    return "".join(code).ljust(4, "0")


_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "circle": "cir",
    "terrace": "ter",
    "crescent": "cres",
    "square": "sq",
    "apartment": "",
    "apt": "",
    "unit": "",
    "suite": "",
    "ste": "",
    "no": "",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
# Generational suffixes: "John Smith Jr." and "John Smith Sr." are two people.
SUFFIXES = {"jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "ii": "ii", "iii": "iii", "iv": "iv"}


@lru_cache(maxsize=131072)
def street_key(line: str) -> str:
    # Unit designators are dropped ("Apt 27", "Unit 27", "#27" all say 27).
    words = (_STREET_WORDS.get(token, token) for token in fold(line).replace(".", " ").replace("#", " ").split())
    return " ".join(word for word in words if word)


@lru_cache(maxsize=131072)
def first_token(name: str | None) -> str:
    return fold(name).replace(".", " ").split(" ")[0] if name else ""


@lru_cache(maxsize=131072)
def last_key(name: str | None) -> tuple[str, str]:
    """(folded last name without a generational suffix, the suffix or "")."""
    if not name:
        return "", ""
    tokens = fold(name).replace(".", " ").split()
    suffix = ""
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        suffix = SUFFIXES[tokens.pop()]
    return " ".join(tokens), suffix


def phone_key(raw: str) -> str | None:
    raw = (raw or "").strip()
    if raw.startswith("+") and raw[1:].isdigit():
        return raw  # already E.164, as stored
    return phone_or_none(raw)


def as_date(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


_MAILBOX_PUNCTUATION = str.maketrans("", "", "._-")


def mailbox_name(address: str) -> str:
    """The part of an address before the @, without dots, dashes, underscores or a +tag."""
    return address.split("@")[0].split("+")[0].translate(_MAILBOX_PUNCTUATION)


_HAS_DIGIT = re.compile(r"\d").search


def has_digit(text: str) -> bool:
    return _HAS_DIGIT(text) is not None


_NONE: frozenset = frozenset()
_DATES: dict = {}


def _shared_date(value) -> tuple:
    """(date, its eight digits), one pair of objects per distinct date."""
    if not value:
        return None, ""
    shared = _DATES.get(value)
    if shared is None:
        if len(_DATES) > 200_000:
            _DATES.clear()
        shared = _DATES[value] = (value, value.strftime("%Y%m%d"))
    return shared


class Profile:
    """What the engine compares of a contact."""

    __slots__ = (
        "id",
        "first",
        "firsts",
        "middle",
        "last",
        "suffix",
        "first_code",
        "last_code",
        "dob",
        "dob_digits",
        "address",
        "street_number",
        "city",
        "postcode",
        "state",
        "phones",
        "_emails",
        "mailboxes",
        "external_id",
    )

    def __init__(
        self,
        *,
        id,
        first="",
        last="",
        dob=None,
        address="",
        postcode="",
        phones=(),
        emails=(),
        external_id="",
        middle="",
        suffix="",
        city="",
        state="",
    ):
        # Values shared by many contacts (names, places, dates) are interned: a million
        # profiles hold one copy of "smith" and of each birth date.
        self.id = id
        self.first = intern(first)
        self.firsts = canonical_first_names(first) if first else _NONE
        self.middle = intern(middle)
        self.last = intern(last)
        self.suffix = suffix
        self.first_code = soundex(first) if first else ""
        self.last_code = soundex(last.split(" ")[0]) if last else ""
        self.dob, self.dob_digits = _shared_date(dob)
        self.address = address
        match = _DIGITS.search(address) if address else None
        self.street_number = intern(match.group()) if match else ""
        self.city = intern(city)
        self.postcode = intern(postcode)
        self.state = intern(state)
        self.phones = tuple(phones) if phones else ()
        self.emails = emails
        self.external_id = external_id

    @property
    def emails(self) -> tuple[str, ...]:
        return self._emails

    @emails.setter
    def emails(self, addresses) -> None:
        self._emails = tuple(addresses) if addresses else ()
        # Mailbox names with digits ("jsmith1979"), for the "same mailbox, other provider" level.
        boxes = [box for box in map(mailbox_name, self._emails) if len(box) >= 5 and has_digit(box)]
        self.mailboxes = frozenset(boxes) if boxes else _NONE

    def add_first_name(self, name: str) -> None:
        """Another first name the contact goes by (a preferred name)."""
        if name and name != self.first:
            self.firsts = self.firsts | canonical_first_names(name) | {name}


def _build(
    *, id, first_name, preferred_name, middle_name, last_name, organization_name, dob, address, city, postcode, state
):
    first = first_token(first_name or preferred_name)
    last, suffix = last_key(last_name)
    if not first and not last:
        last = fold(organization_name)
    profile = Profile(
        id=id,
        first=first,
        last=last,
        suffix=suffix,
        middle=first_token(middle_name),
        dob=dob,
        address=street_key(address) if address else "",
        city=fold(city) if city else "",
        postcode=(postcode or "").strip()[:5],
        state=fold(state) if state else "",
    )
    if preferred_name and first_name:
        profile.add_first_name(first_token(preferred_name))
    return profile


def profile_from_values(values: dict, *, id=None) -> Profile:
    """A profile from a dict of contact fields (form, import row or database values).

    Keys used: first_name, preferred_name, middle_name, last_name, organization_name,
    date_of_birth, address_line1, city, state, postal_code, external_id, and `phones` /
    `emails` (lists of strings in any format; a single `phone` / `email` key works too)."""
    profile = _build(
        id=id if id is not None else values.get("id"),
        first_name=values.get("first_name"),
        preferred_name=values.get("preferred_name"),
        middle_name=values.get("middle_name"),
        last_name=values.get("last_name"),
        organization_name=values.get("organization_name"),
        dob=as_date(values.get("date_of_birth")),
        address=values.get("address_line1") or "",
        city=values.get("city") or "",
        postcode=values.get("postal_code") or "",
        state=values.get("state") or "",
    )
    raw_phones = list(values.get("phones") or []) + ([values["phone"]] if values.get("phone") else [])
    raw_emails = list(values.get("emails") or []) + ([values["email"]] if values.get("email") else [])
    profile.phones = tuple(sorted({p for p in (phone_key(raw) for raw in raw_phones) if p}))
    profile.emails = tuple(sorted({e for e in (normalize_email(raw) for raw in raw_emails) if e}))
    profile.external_id = (values.get("external_id") or "").strip()
    return profile


# --- Reading contacts from the database -----------------------------------------------------

PROFILE_FIELDS = (
    "id",
    "first_name",
    "preferred_name",
    "middle_name",
    "last_name",
    "organization_name",
    "date_of_birth",
    "address_line1",
    "city",
    "postal_code",
    "state",
    "external_id",
)


def profile_from_row(row) -> Profile:
    """A profile from a row of `PROFILE_FIELDS` (phones and emails are attached separately)."""
    (
        pk,
        first_name,
        preferred_name,
        middle_name,
        last_name,
        organization_name,
        dob,
        address,
        city,
        postcode,
        state,
        ext,
    ) = row[: len(PROFILE_FIELDS)]
    profile = _build(
        id=pk,
        first_name=first_name,
        preferred_name=preferred_name,
        middle_name=middle_name,
        last_name=last_name,
        organization_name=organization_name,
        dob=dob,
        address=address,
        city=city,
        postcode=postcode,
        state=state,
    )
    profile.external_id = ext or ""
    return profile


def attach_channels(profiles: dict[int, Profile], contact_ids=None) -> None:
    """Set the phones and emails of `profiles` (of `contact_ids` only, when given). Rows are
    read in contact order and grouped as they come, so no second copy of them is held."""
    from contacts.models import ContactEmail, ContactPhone

    for model, column, attribute, clean in (
        (ContactPhone, "number", "phones", None),
        (ContactEmail, "email", "emails", normalize_email),
    ):
        rows = model.objects.order_by("contact_id")
        if contact_ids is not None:
            rows = rows.filter(contact_id__in=contact_ids)
        current, values = None, []
        for contact_id, value in rows.values_list("contact_id", column).iterator(chunk_size=20000):
            if contact_id != current:
                if values:
                    setattr(profiles[current], attribute, tuple(values))
                current, values = contact_id, []
            if contact_id in profiles:  # not a merged-away or archived contact's
                values.append(clean(value) if clean else value)
        if values:
            setattr(profiles[current], attribute, tuple(values))


def load_profiles(queryset=None, *, progress: Callable[[int], None] | None = None) -> dict[int, Profile]:
    """Profiles of live contacts (or of `queryset`), streamed in chunks, in id order: training
    samples pairs in this order, so the same contacts give the same model on either database
    (PostgreSQL's storage order moves when rows are updated)."""
    from contacts.models import Contact

    queryset = Contact.objects.live() if queryset is None else queryset
    profiles: dict[int, Profile] = {}
    for row in queryset.order_by("pk").values_list(*PROFILE_FIELDS).iterator(chunk_size=20000):
        profiles[row[0]] = profile_from_row(row)
        if progress and len(profiles) % 100000 == 0:
            progress(len(profiles))
    attach_channels(profiles, None if len(profiles) > 50000 else list(profiles))
    return profiles


def profile_for_contact(contact) -> Profile:
    """A saved contact's profile (its phones and emails prefetched, or two queries)."""
    profile = profile_from_row(tuple(getattr(contact, name) for name in PROFILE_FIELDS))
    profile.phones = tuple(phone.number for phone in contact.phones.all())
    profile.emails = tuple(normalize_email(email.email) for email in contact.emails.all())
    return profile
