"""Writing the activity log. Every service that changes data calls record_event in its
own transaction, so a change and its trace commit or roll back together."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from activity.models import ActivityEvent

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_KEY = 0x6B61797365  # any constant; names the advisory lock of the chain


def event_digest(
    *,
    prev_hash: str,
    contact_id,
    case_id,
    event_type,
    is_compliance,
    description,
    actor_user_id,
    actor_label,
    data,
    occurred_at,
) -> str:
    """The SHA-256 of an event's content chained to the previous event's hash."""
    payload = json.dumps(
        {
            "prev": prev_hash,
            "contact": contact_id,
            "case": case_id,
            "type": event_type,
            "compliance": bool(is_compliance),
            "description": description,
            "user": actor_user_id,
            "label": actor_label,
            "data": data,
            "at": occurred_at.isoformat(),
        },
        sort_keys=True,
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    """Serialize writers of the chain. SQLite's IMMEDIATE transactions already do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def record_event(
    *,
    event_type: str,
    description: str,
    contact_id=None,
    case_id=None,
    user=None,
    actor_label: str = "",
    is_compliance: bool = False,
    data: dict | None = None,
) -> ActivityEvent:
    """Append one event to the log, chained to the one before it."""
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    user_id = user.pk if user is not None and user.is_authenticated else None
    with transaction.atomic():
        _lock_chain()
        prev_hash = ActivityEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        occurred_at = timezone.now()
        fields = dict(
            contact_id=contact_id,
            case_id=case_id,
            event_type=event_type,
            is_compliance=is_compliance,
            description=description[:500],
            actor_label=actor_label,
            data=data,
            occurred_at=occurred_at,
        )
        digest = event_digest(prev_hash=prev_hash, actor_user_id=user_id, **fields)
        return ActivityEvent.objects.create(actor_user_id=user_id, prev_hash=prev_hash, hash=digest, **fields)


def verify_chain() -> ActivityEvent | None:
    """Re-compute the chain in id order; return the first event that does not match, else None."""
    prev_hash = GENESIS_HASH
    for event in ActivityEvent.objects.order_by("id").iterator(chunk_size=5000):
        expected = event_digest(
            prev_hash=prev_hash,
            contact_id=event.contact_id,
            case_id=event.case_id,
            event_type=event.event_type,
            is_compliance=event.is_compliance,
            description=event.description,
            actor_user_id=event.actor_user_id,
            actor_label=event.actor_label,
            data=event.data,
            occurred_at=event.occurred_at,
        )
        if event.prev_hash != prev_hash or event.hash != expected:
            return event
        prev_hash = event.hash
    return None
