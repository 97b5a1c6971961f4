"""Normalizing names, phones and emails: one place for every caller (forms, import,
duplicate detection, search)."""

import re

import phonenumbers
from django.conf import settings
from unidecode import unidecode

_NON_WORD = re.compile(r"[^a-z0-9@.+ ]+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower case, accents folded to ASCII, punctuation dropped, single spaces."""
    if not text:
        return ""
    folded = _NON_WORD.sub(" ", unidecode(text).lower())
    return _SPACES.sub(" ", folded).strip()


def name_key(*parts: str | None) -> str:
    """A searchable key for a name: folded tokens, sorted, so word order does not matter."""
    tokens = sorted({token for part in parts for token in fold(part).split()})
    return " ".join(tokens)


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 form of a phone number typed in any format; raises InvalidPhone."""
    raw = (raw or "").strip()
    if not raw:
        raise InvalidPhone("Enter a phone number.")
    try:
        parsed = phonenumbers.parse(raw, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(f"“{raw}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"“{raw}” is not a valid phone number (check the area code and the number of digits).")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(raw: str, region: str | None = None) -> str | None:
    try:
        return normalize_phone(raw, region)
    except InvalidPhone:
        return None


def format_phone(e164: str) -> str:
    """National format for numbers of the firm's region, international otherwise."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(parsed)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.DEFAULT_PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def normalize_email(raw: str) -> str:
    """Trimmed and lower-cased (domain and local part: firms treat addresses case-blind)."""
    return (raw or "").strip().lower()
