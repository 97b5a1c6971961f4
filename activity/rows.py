"""What one row of the Activity Log tab shows, prepared in Python: the tab renders fifty of
them per request, and plain attributes keep the template cheap at any table size."""

from dataclasses import dataclass, field

from django.utils import timezone


def _time_text(local) -> str:
    hour = local.hour % 12 or 12
    return f"{local:%b} {local.day}, {local.year} {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


def _time_title(local) -> str:
    offset = local.strftime("%z")
    return (
        f"{local:%A, %B} {local.day}, {local:%Y, %H:%M:%S}.{local:%f} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
    )


@dataclass
class EventRow:
    pk: int
    label: str
    is_compliance: bool
    merged_from: int | None
    description: str
    actor: str
    time_iso: str
    time_text: str
    time_title: str
    hash_prefix: str
    tally_count: int = 0
    changes: list = field(default_factory=list)
    details: list = field(default_factory=list)  # (term, text)


def event_row(event, *, merged_ids=()) -> EventRow:
    """The row of one event, with times in the active (viewer's) time zone."""
    local = timezone.localtime(event.occurred_at)
    data = event.data or {}
    details = []
    if data.get("via"):
        details.append(("How", f"via {data['via']}"))
    if data.get("who"):
        details.append(("Who", data["who"]))
    if data.get("reason"):
        details.append(("Reason", data["reason"]))
    if data.get("number"):
        details.append(("Number", data["number"]))
    if "checked" in data:
        details.append(("Lists checked", ", ".join(item["list"] for item in data["checked"]) or "none imported yet"))
    if data.get("result"):
        details.append(("Result", data["result"]))
    if data.get("what"):
        details.append(("What", data["what"]))
    tally = getattr(event, "tally", None)  # select_related: no query, None when absent
    if tally is not None:
        last = timezone.localtime(tally.last_at)
        details.append(("Accesses", f"{tally.count}, the last at {_time_title(last)}"))
    source = data.get("source")
    if isinstance(source, dict):
        text = f"{source.get('method', '')} {source.get('path', '')} from {source.get('ip') or 'unknown address'}"
        if source.get("user_agent"):
            text += f" ({source['user_agent']})"
        details.append(("Request", text.strip()))
    if event.case_id:
        details.append(("Case", f"#{event.case_id}"))
    return EventRow(
        pk=event.pk,
        label=event.label,
        is_compliance=event.is_compliance,
        merged_from=event.contact_id if event.contact_id in merged_ids else None,
        description=event.description,
        actor=event.actor,
        time_iso=local.isoformat(),
        time_text=_time_text(local),
        time_title=_time_title(local),
        hash_prefix=event.hash[:16],
        tally_count=tally.count if tally is not None else 0,
        changes=event.change_rows if ("before" in data or "after" in data) else [],
        details=details,
    )
