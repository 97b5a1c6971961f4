"""What one row of the Activity Log tab shows, prepared in Python: the tab renders fifty of
them per request, and plain attributes keep the template cheap at any table size."""

import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

# Names as strftime writes them (%b, %B, %A), read once: formatting a datetime through
# strftime per part was most of a row's cost.
_MONTH_ABBR = ("", *(datetime.date(2000, month, 1).strftime("%b") for month in range(1, 13)))
_MONTH = ("", *(datetime.date(2000, month, 1).strftime("%B") for month in range(1, 13)))
_WEEKDAY = tuple(datetime.date(2000, 1, 3 + day).strftime("%A") for day in range(7))  # Monday first


def _time_text(local) -> str:
    hour, noon = local.hour % 12 or 12, "AM" if local.hour < 12 else "PM"
    return f"{_MONTH_ABBR[local.month]} {local.day}, {local.year} {hour}:{local.minute:02d} {noon}"


def _time_title(local) -> str:
    offset = local.strftime("%z")
    return (
        f"{_WEEKDAY[local.weekday()]}, {_MONTH[local.month]} {local.day}, {local.year},"
        f" {local.hour:02d}:{local.minute:02d}:{local.second:02d}.{local.microsecond:06d}"
        f" {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
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


def event_row(event, *, merged_ids=(), zone=None) -> EventRow:
    """The row of one event, with times in `zone`, else the active (viewer's) time zone."""
    local = timezone.localtime(event.occurred_at, zone)
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
        last = timezone.localtime(tally.last_at, zone)
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


def _row_html(row: EventRow) -> str:
    """One row exactly as the template wrote it (activity/partials/activity_results.html)."""
    compliance = " event-compliance" if row.is_compliance else ""
    merged = " event-merged" if row.merged_from else ""
    label_class = " badge badge-compliance" if row.is_compliance else ""
    badge = (
        f'<span class="badge badge-merged" title="Recorded on contact #{row.merged_from} before it was merged into'
        f' this one">From merged record #{row.merged_from}</span>'
        if row.merged_from
        else ""
    )
    tally = f' <span class="badge">×{row.tally_count}</span>' if row.tally_count > 1 else ""
    changes = (
        '<dt>Changes</dt><dd><table class="changes"><thead><tr><th scope="col">Field</th><th scope="col">Before</th>'
        '<th scope="col">After</th></tr></thead><tbody>'
        + "".join(
            f'<tr><th scope="row">{escape(key)}</th><td>{escape(before)}</td><td>{escape(after)}</td></tr>'
            for key, before, after in row.changes
        )
        + "</tbody></table></dd>"
        if row.changes
        else ""
    )
    details = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in row.details)
    return (
        f'\n    <tr class="event{compliance}{merged}" id="event-{row.pk}">'
        f'\n      <td class="event-type"><span class="event-label{label_class}">{escape(row.label)}</span>{badge}</td>'
        f'\n      <td class="event-description"><details><summary>{escape(row.description)}{tally}</summary>'
        '\n        <dl class="event-details">'
        f"\n          {changes}"
        f"\n          {details}"
        f"\n          <dt>Event</dt><dd>#{row.pk} · hash <code>{escape(row.hash_prefix)}…</code></dd>"
        "\n        </dl></details></td>"
        f'\n      <td class="event-actor">{escape(row.actor)}</td>'
        f'\n      <td class="event-time"><time datetime="{escape(row.time_iso)}" title="{escape(row.time_title)}">'
        f"{escape(row.time_text)}</time></td>"
        "\n    </tr>\n    "
    )


def rows_html(rows) -> SafeString:
    """The table body's rows, written in Python: the template language spent about a third of
    the tab's time on fifty rows. test_activity_rows.py pins the HTML."""
    return mark_safe("".join(_row_html(row) for row in rows))  # noqa: S308 (every value escaped above)
