"""Do-Not-Call: the one place that decides whether a contact may be called, texted or
emailed now, and the checks of numbers against the firm's internal list and the national
registry file admins import.

Every check records a "Compliance: DNC Check" event (number, lists and versions checked,
result); a number found on a list sets the contact's do_not_call with the reason.
SMS sending, the profile and imports call `may_contact_now` / `check_contact`.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from activity.models import DncNumber, DncRegistryKind, DncRegistryVersion, EventType
from activity.services import record_contact_change, record_event
from contacts.calling_window import CallingWindowStatus, calling_window_status
from contacts.normalize import format_phone, phone_or_none

CALL, SMS, EMAIL = "call", "sms", "email"
CHANNEL_LABELS = {CALL: "called", SMS: "texted", EMAIL: "emailed"}
_IMPORT_BATCH = 5000
_NANP = re.compile(r"^1?([2-9]\d{2}[2-9]\d{6})$")


class DncImportError(ValueError):
    """A registry file that cannot be imported; the message says why in plain words."""


@dataclass(frozen=True)
class DncCheckResult:
    number: str
    listed: bool
    matches: list  # [{"list": "national registry of 2026-11-01", "reason": ""}]
    checked: list  # the lists and versions consulted
    event: object

    @property
    def summary(self) -> str:
        if self.listed:
            return f"{format_phone(self.number)} is on the " + " and the ".join(m["list"] for m in self.matches) + "."
        return f"{format_phone(self.number)} is not on any Do-Not-Call list checked."


@dataclass
class ContactDecision:
    """Whether a contact may be reached on a channel now, and every reason if not."""

    channel: str
    allowed: bool = True
    reasons: list = field(default_factory=list)
    window: CallingWindowStatus | None = None
    dnc: DncCheckResult | None = None

    def refuse(self, reason: str) -> None:
        self.allowed = False
        self.reasons.append(reason)

    @property
    def reason(self) -> str:
        if self.allowed:
            return f"May be {CHANNEL_LABELS[self.channel]} now."
        return " ".join(self.reasons)


def normalize_registry_number(raw: str) -> str | None:
    """E.164 of a number as registry files write it ("2125551234", "212,5551234", "+1 212…")."""
    digits = re.sub(r"\D", "", raw)
    match = _NANP.match(digits)
    if match:  # the fast path: a North American number, as registry files hold
        return f"+1{match.group(1)}"
    return phone_or_none(raw) if digits else None


def current_registries() -> list[DncRegistryVersion]:
    return list(DncRegistryVersion.objects.filter(is_current=True).order_by("kind"))


def _internal_list() -> DncRegistryVersion:
    registry, _ = DncRegistryVersion.objects.get_or_create(kind=DncRegistryKind.INTERNAL, is_current=True)
    return registry


def _primary_phone(contact) -> str | None:
    phone = contact.phones.order_by("-is_primary", "id").values_list("number", flat=True).first()
    return phone


def check_number(
    *, number: str, contact=None, actor=None, via: str = "on demand", record: bool = True
) -> DncCheckResult:
    """Check one number against the internal list and the current national registry.

    Records a "Compliance: DNC Check" event; a listed number sets the contact's do_not_call.
    With record=False it only looks (a form showing which numbers may be texted): the check
    that counts is the one made when a message actually goes out.
    """
    e164 = normalize_registry_number(number) or number
    with transaction.atomic():
        registries = current_registries()
        checked = [{"list": registry.version_label, "kind": registry.kind} for registry in registries]
        hits = DncNumber.objects.filter(number=e164, registry__in=registries).select_related("registry")
        matches = [
            {"list": hit.registry.version_label, "kind": hit.registry.kind, "reason": hit.reason} for hit in hits
        ]
        listed = bool(matches)
        if not record:
            return DncCheckResult(e164, listed, matches, checked, None)
        lists_text = " and ".join(item["list"] for item in checked) or "no list (none imported yet)"
        result_text = ("listed on " + " and ".join(m["list"] for m in matches)) if listed else "not listed"
        event = record_event(
            event_type=EventType.DNC_CHECK,
            is_compliance=True,
            description=f"{format_phone(e164)} checked against {lists_text}: {result_text}",
            contact_id=contact.pk if contact is not None else None,
            data={
                "number": e164,
                "checked": checked,
                "result": "listed" if listed else "not listed",
                "matches": matches,
                "via": via,
                "checked_at": timezone.now(),
            },
            **({"user": actor} if actor is not None and not isinstance(actor, str) else {"actor_label": actor or ""}),
        )
        result = DncCheckResult(e164, listed, matches, checked, event)
        if listed and contact is not None and not contact.do_not_call:
            contact.do_not_call = True
            contact.save(update_fields=["do_not_call", "updated_at"])
            record_contact_change(
                contact=contact,
                before={"do_not_call": False},
                after={"do_not_call": True},
                actor=actor,
                via="dnc",
                reason=result.summary,
            )
    return result


def check_contact(*, contact, actor=None, via: str = "on demand") -> list[DncCheckResult]:
    """Check every phone number of a contact (on demand from the profile, or after an import)."""
    numbers = list(contact.phones.order_by("-is_primary", "id").values_list("number", flat=True))
    return [check_number(number=number, contact=contact, actor=actor, via=via) for number in numbers]


def may_contact_now(
    *,
    contact,
    channel: str,
    actor=None,
    number: str | None = None,
    now: datetime.datetime | None = None,
    record: bool = True,
) -> ContactDecision:
    """Whether `contact` may be called, texted or emailed now; the one rule every sender uses.

    Email honours do_not_email only. Calls and texts honour do_not_call / do_not_text, the
    contact's calling window in their time zone, and the DNC lists (checked and recorded here;
    with record=False, only checked).
    """
    if channel not in CHANNEL_LABELS:
        raise ValueError(f"Unknown channel “{channel}”: use call, sms or email.")
    decision = ContactDecision(channel=channel)
    if channel == EMAIL:
        if contact.do_not_email:
            decision.refuse("The contact asked not to be emailed (do not email).")
        return decision
    if contact.do_not_call:
        decision.refuse("The contact is on Do-Not-Call (do not call).")
    if channel == SMS and contact.do_not_text:
        decision.refuse("The contact asked not to be texted (do not text).")
    number = number or _primary_phone(contact)
    if not number:
        decision.refuse("The contact has no phone number.")
        return decision
    decision.window = calling_window_status(contact, primary_phone=number, now=now)
    if not decision.window.allowed:
        decision.refuse(decision.window.reason)
    if not contact.do_not_call:
        decision.dnc = check_number(number=number, contact=contact, actor=actor, via=f"before {channel}", record=record)
        if decision.dnc.listed:
            decision.refuse(decision.dnc.summary)
    return decision


def add_to_internal_list(*, number: str, reason: str = "", actor=None) -> DncNumber:
    """Put a number on the firm's own Do-Not-Call list (a caller asked not to be called)."""
    e164 = normalize_registry_number(number)
    if e164 is None:
        raise DncImportError(f"“{number}” is not a phone number.")
    with transaction.atomic():
        registry = _internal_list()
        entry, created = DncNumber.objects.get_or_create(
            registry=registry, number=e164, defaults={"reason": reason[:300], "added_by": actor}
        )
        if created:
            DncRegistryVersion.objects.filter(pk=registry.pk).update(number_count=registry.numbers.count())
            record_event(
                event_type=EventType.DNC_CHECK,
                is_compliance=True,
                description=f"{format_phone(e164)} added to the internal Do-Not-Call list"
                + (f": {reason}" if reason else ""),
                data={"number": e164, "list": "internal list", "reason": reason},
                user=actor,
            )
    return entry


def _lines(file):
    """Text lines of an uploaded or opened file, streamed. Numbers are ASCII: any other byte
    (a header in Latin-1, say) is replaced rather than refused."""
    if isinstance(file, io.TextIOBase):
        return file
    return io.TextIOWrapper(file, encoding="utf-8-sig", errors="replace", newline="")


def _numbers_in(lines, stats: dict):
    """E.164 numbers of the lines: one number a line, or "area code,number" as the FTC's files do."""
    for index, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        fields = [part.strip().strip('"') for part in line.split(",")]
        candidate = "".join(fields[:2]) if len(fields) >= 2 and all(f.isdigit() for f in fields[:2]) else fields[0]
        number = normalize_registry_number(candidate)
        if number is None:
            if index > 0 or re.search(r"\d", line):  # a header line is not a rejection
                stats["rejected"] += 1
            continue
        yield number


def import_national_registry(*, file, file_date: datetime.date, file_name: str = "", actor=None) -> DncRegistryVersion:
    """Import a national DNC registry file (CSV/TXT of numbers) as the current version.

    All or nothing: the previous version stays current until the new file is fully in.
    """
    if file_date > timezone.localdate() + datetime.timedelta(days=1):
        raise DncImportError("The file's date is in the future: enter the date printed on the registry file.")
    with transaction.atomic():
        version = DncRegistryVersion.objects.create(
            kind=DncRegistryKind.NATIONAL,
            file_date=file_date,
            file_name=file_name[:255],
            is_current=False,
            imported_by=actor,
        )
        batch, stats = [], {"rejected": 0}
        for number in _numbers_in(_lines(file), stats):
            batch.append(DncNumber(registry=version, number=number))
            if len(batch) >= _IMPORT_BATCH:
                DncNumber.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        DncNumber.objects.bulk_create(batch, ignore_conflicts=True)
        rejected = stats["rejected"]
        count = version.numbers.count()
        if count == 0:
            raise DncImportError(
                "No phone numbers found in the file: expect one number a line (or “area code,number”)."
            )
        previous = list(DncRegistryVersion.objects.filter(kind=DncRegistryKind.NATIONAL, is_current=True))
        DncRegistryVersion.objects.filter(pk__in=[p.pk for p in previous]).update(is_current=False)
        DncNumber.objects.filter(registry__in=previous).delete()  # only the current file's numbers are kept
        DncRegistryVersion.objects.filter(pk=version.pk).update(
            is_current=True, number_count=count, rejected_count=rejected
        )
        version.refresh_from_db()
        record_event(
            event_type=EventType.DNC_CHECK,
            is_compliance=True,
            description=f"National Do-Not-Call registry of {file_date:%Y-%m-%d} imported: {count} numbers"
            + (f", {rejected} lines not understood" if rejected else ""),
            data={"file_name": file_name, "file_date": file_date, "numbers": count, "rejected": rejected},
            user=actor,
        )
    return version
