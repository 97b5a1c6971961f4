"""Writing an import's activity events in bulk: one per imported row, chained exactly as
`activity.services.record_event` chains them, in the caller's transaction."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from activity.models import ActivityEvent
from activity.services import GENESIS_HASH, DigestChain, canonical_json
from contacts.importing.bulk import Prepared, insert_rows

# Same key as activity.services: the advisory lock that serializes writers of the chain.
_CHAIN_LOCK_KEY = 0x6B61797365


def record_events_bulk(events: list[dict], *, user=None, actor_label: str = "") -> int:
    """Append events ({event_type, description, contact_id, data}) to the chain in one insert.

    An event marked `json_ready` holds only JSON's own types in `data` (no dates to encode)."""
    if not events:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    prev_hash = ActivityEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    occurred_at = timezone.now()
    chain = DigestChain(prev_hash, actor_user_id=user_id, actor_label=actor_label, occurred_at=occurred_at)
    rows = []
    for event in events:
        data = event.get("data") or {}
        if not event.get("json_ready"):
            # As record_event does: dates and the like become JSON's own types, so the digest
            # computed here is the one verify_chain computes from the stored row.
            data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        # One text, the digest's own, is stored too (JSON reads back the same whatever the layout).
        text = canonical_json(data)
        contact_id, case_id, event_type = event.get("contact_id"), event.get("case_id"), event["event_type"]
        is_compliance, description = event.get("is_compliance", False), event["description"][:500]
        prev_hash = chain.prev_hash
        rows.append(
            {
                "contact_id": contact_id,
                "case_id": case_id,
                "event_type": event_type,
                "is_compliance": is_compliance,
                "description": description,
                "actor_label": actor_label,
                "data": Prepared(text),  # JSON text made once, not again by the insert
                "occurred_at": occurred_at,
                "actor_user_id": user_id,
                "prev_hash": prev_hash,
                "hash": chain.add(contact_id, case_id, event_type, is_compliance, description, text),
            }
        )
    insert_rows(ActivityEvent, rows)
    return len(rows)
