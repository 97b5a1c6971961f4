"""Writing contacts. Each service runs in one transaction and records its activity event
in it, so a change and its trace commit or roll back together."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.models import EventType
from activity.services import record_contact_change, record_event
from contacts.enrichment import Filled, enrich_contact, line_type
from contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DuplicateCandidate,
    DuplicateDismissal,
    ListPreference,
)
from contacts.selectors import case_contact_model
from kayse import events

# The contact fields the create/edit form writes (phones and emails come as rows).
EDITABLE_FIELDS = (
    "kind",
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "organization_name",
    "date_of_birth",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "external_id",
    "source",
    "language",
    "timezone",
    "preferred_contact_method",
    "do_not_call",
    "do_not_text",
    "do_not_email",
    "calling_window_start",
    "calling_window_end",
)


def _primary_number(phones: list[dict]) -> str | None:
    return next((row["number"] for row in phones if row.get("is_primary")), phones[0]["number"] if phones else None)


def _snapshot(contact: Contact) -> dict:
    """The contact's fields and its phones/emails as the activity log compares them."""
    values = {name: getattr(contact, name) for name in EDITABLE_FIELDS}
    values["phones"] = [
        f"{p.number} ({p.kind}{', primary' if p.is_primary else ''})" for p in contact.phones.order_by("id")
    ]
    values["emails"] = [
        f"{e.email} ({e.kind}{', primary' if e.is_primary else ''})" for e in contact.emails.order_by("id")
    ]
    return values


def _replace_channels(contact: Contact, phones: list[dict], emails: list[dict]) -> None:
    """Replace the contact's phones and emails with the submitted rows (kept line types stay)."""
    known_line_types = dict(contact.phones.values_list("number", "line_type"))
    contact.phones.all().delete()
    contact.emails.all().delete()
    ContactPhone.objects.bulk_create(
        ContactPhone(
            contact=contact,
            number=row["number"],
            kind=row["kind"],
            is_primary=bool(row.get("is_primary")),
            line_type=line_type(row["number"]) or known_line_types.get(row["number"], ""),
        )
        for row in phones
    )
    ContactEmail.objects.bulk_create(
        ContactEmail(contact=contact, email=row["email"], kind=row["kind"], is_primary=bool(row.get("is_primary")))
        for row in emails
    )


def _filled_data(filled: list[Filled]) -> list[dict]:
    return [{"field": item.field, "value": item.value, "source": item.source} for item in filled]


def contact_create(*, data: dict, phones: list[dict], emails: list[dict], user) -> tuple[Contact, list[Filled]]:
    """Create a contact with its phones and emails; fill what enrichment can derive; log "Create"."""
    with transaction.atomic():
        contact = Contact(**{name: data[name] for name in EDITABLE_FIELDS if name in data})
        contact.created_by = contact.updated_by = user
        filled = enrich_contact(contact, primary_phone=_primary_number(phones))
        contact.save()
        _replace_channels(contact, phones, emails)
        record_event(
            event_type=EventType.CREATE,
            description=f"Contact {contact.display_name} created",
            contact_id=contact.pk,
            user=user,
            data={
                "phones": [row["number"] for row in phones],
                "emails": [row["email"] for row in emails],
                "filled": _filled_data(filled),
            },
        )
        events.publish(events.CONTACT_CREATED, contact_id=contact.pk)
    return contact, filled


def contact_update(
    *, contact: Contact, data: dict, phones: list[dict], emails: list[dict], user
) -> tuple[Contact, list[Filled]]:
    """Save an edit. The activity log gets an "Update" with the changed fields and, when a
    call preference changed (do-not-contact, preferred method, calling window, time zone),
    a "Compliance: Update" with before and after (activity.services.record_contact_change)."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = _snapshot(contact)
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        contact.updated_by = user
        filled = enrich_contact(contact, primary_phone=_primary_number(phones))
        contact.save()
        _replace_channels(contact, phones, emails)
        record_contact_change(contact=contact, before=before, after=_snapshot(contact), actor=user, via="staff")
        events.publish(events.CONTACT_UPDATED, contact_id=contact.pk)
    return contact, filled


def contact_enrich(*, contact: Contact, user) -> list[Filled]:
    """The profile's Enrich action: fill empty fields and phone line types from offline data."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = _snapshot(contact)
        phones = list(contact.phones.all())
        primary = next((p.number for p in phones if p.is_primary), phones[0].number if phones else None)
        filled = enrich_contact(contact, primary_phone=primary)
        for phone in phones:
            kind = line_type(phone.number)
            if kind and kind != phone.line_type:
                phone.line_type = kind
                phone.save(update_fields=["line_type"])
                filled.append(
                    Filled(f"line_type:{phone.number}", f"line type of {phone.number}", kind, "phone metadata")
                )
        if filled:
            contact.updated_by = user
            contact.save()
            record_contact_change(contact=contact, before=before, after=_snapshot(contact), actor=user, via="system")
    return filled


def contact_archive(*, contact: Contact, user) -> Contact:
    """Hide a contact from lists and searches; the record, its cases and its log stay."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.archived_at is None:
            contact.archived_at = timezone.now()
            contact.updated_by = user
            contact.save(update_fields=["archived_at", "updated_by", "updated_at"])
            record_event(
                event_type=EventType.ARCHIVE,
                description=f"Contact {contact.display_name} archived",
                contact_id=contact.pk,
                user=user,
            )
    return contact


def contact_link_case(*, contact: Contact, case, role: str, user):
    """Put a returning contact on another case."""
    with transaction.atomic():
        link = case_contact_model().objects.create(case=case, contact=contact, role=role)
        record_event(
            event_type=EventType.CASE,
            description=f"Added to case {case.number} as {link.get_role_display().lower()}",
            contact_id=contact.pk,
            case_id=case.pk,
            user=user,
            data={"case": case.number, "role": role},
        )
    return link


def task_fill(*, task, contact: Contact, response: dict, user):
    """Staff complete a task's form (status Submitted) or mark a plain task Done."""
    with transaction.atomic():
        now = timezone.now()
        if "done" in response and len(response) == 1:
            task.status = "done"
            task.completed_at = now
            what = f"Task “{task.title}” marked done"
        else:
            task.response = response
            task.status = "submitted"
            task.completed_at = now
            what = f"Form “{task.title}” filled in by staff"
        task.save(update_fields=["response", "status", "completed_at", "updated_at"])
        record_event(
            event_type=EventType.TASK,
            description=what,
            contact_id=contact.pk,
            case_id=task.case_id,
            user=user,
            data={"task": task.pk, "status": task.status},
        )
    return task


def list_preference_save(*, user, list_name: str, sort: str | None = None, columns: list[str] | None = None):
    """Remember a user's sort and/or columns for a list (not contact data: no activity event)."""
    if not user.is_authenticated:
        return None
    defaults = {}
    if sort is not None:
        defaults["sort"] = sort
    if columns is not None:
        defaults["columns"] = columns
    preference, _ = ListPreference.objects.update_or_create(user=user, list_name=list_name, defaults=defaults)
    return preference


def duplicate_dismiss(*, contact_a: Contact, contact_b: Contact, user) -> None:
    """ "Not a duplicate": stored for the pair (low id first), never suggested again."""
    contact_a, contact_b = sorted((contact_a, contact_b), key=lambda contact: contact.pk)
    try:
        with transaction.atomic():
            DuplicateDismissal.objects.get_or_create(
                contact_a=contact_a, contact_b=contact_b, defaults={"dismissed_by": user}
            )
    except IntegrityError:
        pass  # dismissed by someone else at the same moment: the outcome is the same
    DuplicateCandidate.objects.filter(contact_a=contact_a, contact_b=contact_b).delete()
