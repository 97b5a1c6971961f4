"""Domain events that other systems may want to hear of (webhooks, api/webhooks.py).

Services call `publish(...)` inside their transaction; receivers hear of it only once the
transaction commits, so a rolled-back change is never announced. The project package is
the lowest floor: any app may publish without knowing who listens."""

from django.db import transaction
from django.dispatch import Signal

CONTACT_CREATED = "contact.created"
CONTACT_UPDATED = "contact.updated"
CONTACT_MERGED = "contact.merged"
IMPORT_FINISHED = "import.finished"
PORTAL_FORM_SUBMITTED = "portal.form_submitted"

# sender: the event name; data: a small JSON-ready dict of ids and facts.
domain_event = Signal()


def publish(event: str, **data) -> None:
    transaction.on_commit(lambda: domain_event.send(sender=event, data=data), robust=True)
