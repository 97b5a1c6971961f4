"""The one function that decides whether a contact may be called or texted now.

Used by SMS sending, the profile header and the contacts list's "callable now" filter.
The window is the contact's own (default 08:00–21:00, the US telemarketing rule) in the
contact's time zone: the profile's IANA zone, else one derived from the primary phone,
else the firm's. The firm's calling hours (Settings → Calling windows, CALLING_HOURS_*) and
a state's stricter hours (CALLING_WINDOW_BY_STATE) can only narrow it.
"""

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from django.conf import settings
from django.utils import timezone
from phonenumbers import timezone as phone_timezones

from firm.selectors import firm_setting


@dataclass(frozen=True)
class CallingWindowStatus:
    allowed: bool
    local_time: datetime.datetime
    timezone_name: str
    timezone_source: str  # "profile", "phone" or "firm"
    window_start: datetime.time
    window_end: datetime.time

    @property
    def reason(self) -> str:
        if self.allowed:
            return f"Inside calling hours ({self.window_start:%H:%M}–{self.window_end:%H:%M} their time)."
        window = f"{self.window_start:%H:%M}–{self.window_end:%H:%M}"
        return f"Outside calling hours: it is {self.local_time:%H:%M} for them ({window} allowed)."


def timezone_from_phone(e164: str) -> str | None:
    """The single IANA zone of a number's area, when the number metadata names exactly one."""
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    zones = [zone for zone in zones if zone != "Etc/Unknown"]
    return zones[0] if len(zones) == 1 else None


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def contact_timezone(contact, primary_phone: str | None = None) -> tuple[ZoneInfo, str]:
    """(zone, source) for a contact: profile, then phone, then the firm's zone."""
    zone = _zone(contact.timezone)
    if zone:
        return zone, "profile"
    zone = _zone(timezone_from_phone(primary_phone)) if primary_phone else None
    if zone:
        return zone, "phone"
    return ZoneInfo(settings.TIME_ZONE), "firm"


def firm_calling_hours() -> tuple[datetime.time, datetime.time]:
    return firm_setting("CALLING_HOURS_START"), firm_setting("CALLING_HOURS_END")


def _window_for(contact) -> tuple[datetime.time, datetime.time]:
    firm_start, firm_end = firm_calling_hours()
    start = max(contact.calling_window_start, firm_start)
    end = min(contact.calling_window_end, firm_end)
    state_window = firm_setting("CALLING_WINDOW_BY_STATE").get((contact.state or "").upper())
    if state_window:
        start = max(start, datetime.time.fromisoformat(state_window[0]))
        end = min(end, datetime.time.fromisoformat(state_window[1]))
    return start, end


def calling_window_status(
    contact, *, primary_phone: str | None = None, now: datetime.datetime | None = None
) -> CallingWindowStatus:
    zone, source = contact_timezone(contact, primary_phone)
    local = (now or timezone.now()).astimezone(zone)
    start, end = _window_for(contact)
    allowed = start <= local.time().replace(tzinfo=None) < end
    return CallingWindowStatus(allowed, local, zone.key, source, start, end)


def next_window_opening(
    contact, *, primary_phone: str | None = None, now: datetime.datetime | None = None
) -> datetime.datetime:
    """When the contact's calling window next opens (now, if it is open), as an aware datetime."""
    status = calling_window_status(contact, primary_phone=primary_phone, now=now)
    if status.allowed:
        return status.local_time
    zone = ZoneInfo(status.timezone_name)
    day = status.local_time.date()
    if status.local_time.time() >= status.window_end:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, status.window_start, tzinfo=zone)


@functools.cache
def _every_zone() -> tuple[tuple[str, ZoneInfo], ...]:
    """Every IANA zone with its rules, read once per process. `available_timezones()` walks the
    zone files on each call, and a ZoneInfo nobody holds is parsed again: the two cost ~110 ms
    per "callable now" list; the grouping below then takes under a millisecond."""
    return tuple((name, ZoneInfo(name)) for name in sorted(available_timezones()))


def callable_now_q(*, now: datetime.datetime | None = None, zones_in_use: Iterable[str] | None = None):
    """The same rule as `calling_window_status`, as a database filter: contacts that may be
    called now (no do-not-call flag, and inside their window in their time zone).

    Zones are grouped by their local time now (a few dozen groups, not one clause per zone),
    so the filter stays one indexed-friendly query at a million contacts. A contact with no
    time zone on the profile is judged by the firm's zone here; the header and list column
    refine that from the phone number.

    `zones_in_use` (the `timezone` values contacts have: selectors.time_zones_in_use) leaves
    out the zones no contact is in. When none of those is inside calling hours (a US firm's
    contacts at night) the filter matches nothing without a query; otherwise the condition
    names a handful of zones instead of every zone on Earth, which each row is tested against.
    """
    from django.db.models import Q, Value
    from django.db.models.functions import Coalesce
    from django.db.models.lookups import In

    now = now or timezone.now()
    # Wrapped so that no database drives the list by the contact_timezone index: it would read
    # and sort every contact of the zones, where the list's sort index finds a page at once.
    zone_of_row = Coalesce("timezone", Value(""))
    wanted = None if zones_in_use is None else set(zones_in_use)
    zones_by_time: dict[datetime.time, list[str]] = {}
    for name, zone in _every_zone():
        if wanted is not None and name not in wanted:
            continue
        local = now.astimezone(zone).time().replace(second=0, microsecond=0, tzinfo=None)
        zones_by_time.setdefault(local, []).append(name)
    if wanted is None or "" in wanted:
        firm_time = now.astimezone(ZoneInfo(settings.TIME_ZONE)).time().replace(second=0, microsecond=0, tzinfo=None)
        zones_by_time.setdefault(firm_time, []).append("")
    state_windows = {
        state.upper(): (datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))
        for state, (start, end) in firm_setting("CALLING_WINDOW_BY_STATE").items()
    }
    firm_start, firm_end = firm_calling_hours()
    inside = Q(pk__in=[])
    for local, names in zones_by_time.items():
        if not firm_start <= local < firm_end:
            continue  # the firm's hours are closed in these zones
        group = Q(In(zone_of_row, names), calling_window_start__lte=local, calling_window_end__gt=local)
        closed_states = [state for state, (start, end) in state_windows.items() if not start <= local < end]
        if closed_states:
            group &= ~Q(state__in=closed_states + [state.lower() for state in closed_states])
        inside |= group
    return inside & Q(do_not_call=False)
