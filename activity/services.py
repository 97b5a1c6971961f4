"""Writing the activity log. Every service that changes data calls record_event in its
own transaction, so a change and its trace commit or roll back together."""

import datetime
import hashlib
import json
from json.encoder import encode_basestring_ascii

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from activity.labels import display_value, field_label
from activity.models import ActivityEvent, DataAccessTally, EventType
from kayse.client_ip import client_ip

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
    data_text: str | None = None,
) -> str:
    """The SHA-256 of an event's content chained to the previous event's hash.

    `data_text`, when given, is `canonical_json(data)` already made (bulk writers store it).

    The content is the compact JSON, keys sorted, of {"at", "case", "compliance", "contact",
    "data", "description", "label", "prev", "type", "user"}. It is laid out here field by
    field (the keys in sorted order), which is the same text as `json.dumps(...,
    sort_keys=True, separators=(",", ":"))` of that object at a third of the cost: imports
    chain a hundred thousand events at a time, and verifying reads millions.
    """
    chain = DigestChain(prev_hash, actor_user_id=actor_user_id, actor_label=actor_label, occurred_at=occurred_at)
    text = canonical_json(data) if data_text is None else data_text
    return chain.add(contact_id, case_id, event_type, is_compliance, description, text)


_DIGEST_LAYOUT = (
    '{"at":%s,"case":%s,"compliance":%s,"contact":%s,"data":%s,'
    '"description":%s,"label":%s,"prev":%s,"type":%s,"user":%s}'
)
_string = encode_basestring_ascii  # json.dumps of a string, in C


class DigestChain:
    """The digests of events written together (one actor, one moment), each chained to the
    one before: `event_digest`'s text, with what the events share encoded once."""

    def __init__(self, prev_hash: str, *, actor_user_id, actor_label: str, occurred_at):
        self.prev_hash = prev_hash
        self._at = _string(occurred_at.isoformat())
        self._label = _string(actor_label)
        self._user = _number(actor_user_id)

    def add(self, contact_id, case_id, event_type, is_compliance, description, data_text: str) -> str:
        """The next event's digest (it becomes `prev_hash`); `data_text` is canonical_json(data)."""
        payload = _DIGEST_LAYOUT % (
            self._at,
            _number(case_id),
            "true" if is_compliance else "false",
            _number(contact_id),
            data_text,
            _string(description),
            self._label,
            _string(self.prev_hash),
            _string(event_type),
            self._user,
        )
        self.prev_hash = hashlib.sha256(payload.encode()).hexdigest()
        return self.prev_hash


def _number(value) -> str:
    """json.dumps of an id (an int, or None)."""
    if value is None:
        return "null"
    return int.__repr__(value) if type(value) is int else json.dumps(value)


# The compact JSON with sorted keys an event's data takes in its digest.
canonical_json = DjangoJSONEncoder(sort_keys=True, separators=(",", ":")).encode


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
    request=None,
) -> ActivityEvent:
    """Append one event to the log, chained to the one before it.

    With `request`, the request's source (address, browser, page) is kept in the event's data.
    """
    data = dict(data or {})
    if request is not None and "source" not in data:
        data["source"] = request_source(request)
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
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


def request_source(request) -> dict:
    """Where a request came from, for the event's details: address, browser and page."""
    return {
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        "path": request.get_full_path()[:300],
        "method": request.method,
    }


def _actor_kwargs(actor) -> dict:
    """`actor` is a user, a label such as "Portal: Jane Doe" / "Import #12", or None (System)."""
    if actor is None:
        return {}
    if isinstance(actor, str):
        return {"actor_label": actor}
    if getattr(actor, "is_authenticated", False):
        return {"user": actor}
    return {}


def _actor_name(actor) -> str:
    if isinstance(actor, str):
        return actor
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.get_full_name() or actor.get_username()
    return "System"


# Fields whose change is a "Compliance: Update": how, when and whether a contact may be reached.
CALL_PREFERENCE_FIELDS = (
    "do_not_call",
    "do_not_text",
    "do_not_email",
    "preferred_contact_method",
    "calling_window_start",
    "calling_window_end",
    "timezone",
)

CHANGE_VIA = {
    "staff": "by staff",
    "import": "by an import",
    "portal": "by the contact in the portal",
    "merge": "by a merge",
    "dnc": "by a Do-Not-Call check",
    "system": "by the system",
}


def _describe(keys, before, after) -> str:
    parts = [
        f"{field_label(key)} changed from {display_value(key, before.get(key))} to {display_value(key, after.get(key))}"
        for key in keys
    ]
    text = "; ".join(parts)
    return text if len(text) <= 500 else text[:499] + "…"


def preference_change_event(*, contact_id, before: dict, after: dict, who: str, via: str, reason: str = ""):
    """The "Compliance: Update" for the call preferences that differ between before and after,
    as keyword arguments of record_event (bulk writers such as the import use it too), or None."""
    keys = [key for key in CALL_PREFERENCE_FIELDS if key in {*before, *after} and before.get(key) != after.get(key)]
    if not keys:
        return None
    how = CHANGE_VIA.get(via, f"via {via}")
    data = {
        "before": {key: before.get(key) for key in keys},
        "after": {key: after.get(key) for key in keys},
        "via": via,
        "who": who,
        **({"reason": reason} if reason else {}),
    }
    return {
        "event_type": EventType.UPDATE,
        "is_compliance": True,
        "contact_id": contact_id,
        "description": (
            f"Call preferences changed {how} ({who}): "
            + _describe(keys, before, after)
            + (f". Reason: {reason}" if reason else "")
        )[:500],
        "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    }


def record_contact_change(*, contact, before: dict, after: dict, actor=None, via: str = "staff", reason: str = ""):
    """Record what changed on a contact: one "Update" event and, when a call preference
    changed, a "Compliance: Update" event saying who changed it and how.

    `before`/`after` map field names (or labels such as "phone:mobile") to values; only
    keys whose value differs are recorded. `actor` is a user, a label ("Import #12",
    "Portal: Jane Doe") or None for the system; `via` is staff, import, portal, merge or dnc;
    `reason` (optional) says why, e.g. the registry a number was found on.
    Returns the list of events written (empty when nothing changed). Call it inside the
    transaction that saves the change.
    """
    changed = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    if not changed:
        return []
    actor_kwargs = _actor_kwargs(actor)
    events = []
    with transaction.atomic():
        events.append(
            record_event(
                event_type=EventType.UPDATE,
                description=_describe(changed, before, after),
                contact_id=contact.pk,
                data={
                    "before": {key: before.get(key) for key in changed},
                    "after": {key: after.get(key) for key in changed},
                    "via": via,
                },
                **actor_kwargs,
            )
        )
        compliance = preference_change_event(
            contact_id=contact.pk, before=before, after=after, who=_actor_name(actor), via=via, reason=reason
        )
        if compliance is not None:
            events.append(record_event(**compliance, **actor_kwargs))
    return events


DATA_ACCESS_COALESCE_WINDOW = datetime.timedelta(minutes=15)


def record_data_access(*, contact, actor, what: str, request=None, case_id=None) -> ActivityEvent:
    """Record a "Compliance: Data Access" event: who looked at or took what.

    Repeated access by the same actor to the same thing of the same contact within
    DATA_ACCESS_COALESCE_WINDOW of the first one writes no new event: the event's tally
    (count, last time) is bumped instead, so a refresh does not flood the log.
    `contact` may be None (an export of many contacts, a case's own document).
    """
    contact_id = contact.pk if contact is not None else None
    actor_kwargs = _actor_kwargs(actor)
    user = actor_kwargs.get("user")
    label = actor_kwargs.get("actor_label", "")
    what = what[:300]
    now = timezone.now()
    tally = (
        DataAccessTally.objects.filter(
            contact_id=contact_id,
            user=user,
            actor_label=label,
            what=what,
            event__occurred_at__gte=now - DATA_ACCESS_COALESCE_WINDOW,
        )
        .select_related("event")
        .order_by("-event")
        .first()
    )
    if tally is not None:
        # One statement, atomic by itself (concurrent views each add their one): no transaction,
        # so no round trips to open and close one, on the path nearly every page view takes.
        DataAccessTally.objects.filter(pk=tally.pk).update(count=models.F("count") + 1, last_at=now)
        return tally.event
    with transaction.atomic():
        event = record_event(
            event_type=EventType.DATA_ACCESS,
            is_compliance=True,
            description=f"{_actor_name(actor)} accessed {what}",
            contact_id=contact_id,
            case_id=case_id,
            data={"what": what},
            request=request,
            **actor_kwargs,
        )
        DataAccessTally.objects.create(
            event=event, contact_id=contact_id, user=user, actor_label=label, what=what, last_at=event.occurred_at
        )
        return event


_CHAIN_FIELDS = (
    "id",
    "contact_id",
    "case_id",
    "event_type",
    "is_compliance",
    "description",
    "actor_user_id",
    "actor_label",
    "data",
    "occurred_at",
    "prev_hash",
    "hash",
)


def verify_chain(*, progress=None) -> ActivityEvent | None:
    """Re-compute the chain in id order; return the first event that does not match, else None.

    Reads plain tuples (no model instances), so ten million events take minutes, not hours.
    `progress(count)` is called every 100,000 events.
    """
    prev_hash = GENESIS_HASH
    rows = ActivityEvent.objects.order_by("id").values_list(*_CHAIN_FIELDS).iterator(chunk_size=5000)
    for count, row in enumerate(rows, start=1):
        pk, *content, stored_prev, stored_hash = row
        fields = dict(zip(_CHAIN_FIELDS[1:-2], content, strict=True))
        if stored_prev != prev_hash or stored_hash != event_digest(prev_hash=prev_hash, **fields):
            return ActivityEvent.objects.get(pk=pk)
        prev_hash = stored_hash
        if progress is not None and count % 100_000 == 0:
            progress(count)
    return None
