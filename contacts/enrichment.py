"""Enrichment: what can be derived offline from a contact's phone numbers and US ZIP code.

Phone metadata (phonenumbers) gives the line type (mobile, landline, VoIP: it decides whether
an SMS can be sent), the region and, for most area codes, the time zone. A US ZIP code gives
the city, the state and the time zone (the `zipcodes` package's bundled data). Only empty
fields are filled; each filled value says where it came from.
"""

from dataclasses import dataclass

import phonenumbers
import zipcodes
from phonenumbers import PhoneNumberType

from contacts.calling_window import timezone_from_phone
from contacts.models import LineType

_LINE_TYPES = {
    PhoneNumberType.MOBILE: LineType.MOBILE,
    PhoneNumberType.FIXED_LINE: LineType.LANDLINE,
    PhoneNumberType.VOIP: LineType.VOIP,
}


@dataclass(frozen=True)
class Filled:
    field: str
    label: str
    value: str
    source: str


def line_type(e164: str) -> str:
    """mobile, landline or voip when the numbering plan tells; "" when it can't (most US numbers)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ""
    return _LINE_TYPES.get(phonenumbers.number_type(parsed), LineType.UNKNOWN)


def zip_details(postal_code: str) -> dict | None:
    code = (postal_code or "").strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    try:
        matches = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    return matches[0] if matches else None


def enrich_contact(contact, *, primary_phone: str | None) -> list[Filled]:
    """Fill the contact's empty city, state, time zone and country in place; return what was filled."""
    filled = []
    place = zip_details(contact.postal_code) if (contact.country or "US") == "US" else None
    if place:
        if not contact.city and place.get("city"):
            contact.city = place["city"].title()
            filled.append(Filled("city", "city", contact.city, f"ZIP code {contact.postal_code}"))
        if not contact.state and place.get("state"):
            contact.state = place["state"]
            filled.append(Filled("state", "state", contact.state, f"ZIP code {contact.postal_code}"))
        if not contact.timezone and place.get("timezone"):
            contact.timezone = place["timezone"]
            filled.append(Filled("timezone", "time zone", contact.timezone, f"ZIP code {contact.postal_code}"))
    if primary_phone:
        if not contact.timezone:
            zone = timezone_from_phone(primary_phone)
            if zone:
                contact.timezone = zone
                filled.append(Filled("timezone", "time zone", zone, f"phone number {primary_phone}"))
        if not contact.country:
            try:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(primary_phone, None))
            except phonenumbers.NumberParseException:
                region = None
            if region:
                contact.country = region
                filled.append(Filled("country", "country", region, f"phone number {primary_phone}"))
    return filled


def suggested_timezone(*, postal_code: str = "", phone: str = "") -> tuple[str, str] | None:
    """(zone, where from) to suggest on the form when the time zone is empty."""
    place = zip_details(postal_code)
    if place and place.get("timezone"):
        return place["timezone"], f"ZIP code {postal_code}"
    zone = timezone_from_phone(phone) if phone else None
    return (zone, f"phone number {phone}") if zone else None
