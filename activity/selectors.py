"""Reading the activity log: a contact's history (with the records merged into it), keyset-paged."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections

from activity.models import ActivityEvent

PAGE_SIZE = 50
# More merged records than this are read with one IN query instead of one query each.
_PER_CONTACT_QUERY_LIMIT = 6


def contact_history_ids(contact) -> list[int]:
    """The contact's id and the ids of every record merged into it (through earlier merges too)."""
    Contact = apps.get_model("contacts", "Contact")
    ids, frontier = [contact.pk], [contact.pk]
    for _depth in range(10):
        frontier = list(
            Contact.objects.filter(merged_into_id__in=frontier).order_by().values_list("pk", flat=True)[:1000]
        )
        if not frontier:
            break
        ids.extend(pk for pk in frontier if pk not in ids)
    return ids


@dataclass
class ActivityPage:
    events: list = field(default_factory=list)
    older_cursor: int | None = None  # pass as ?before= for the next (older) page
    newer_cursor: int | None = None  # pass as ?after= for the previous (newer) page


def _events(queryset):
    return queryset.select_related("actor_user", "tally")


def activity_page(*, contact_ids, filter_queryset=None, before=None, after=None, size=PAGE_SIZE) -> ActivityPage:
    """One page of events of these contacts, newest first, after the keyset cursor.

    Each contact's events are read on the (contact_id, …, id) indexes and merged here, so
    the page costs the same with ten events or ten million.
    """
    filter_queryset = filter_queryset or (lambda queryset: queryset)
    ascending = after is not None and before is None
    order = "id" if ascending else "-id"

    def bounded(queryset):
        if ascending:
            return queryset.filter(id__gt=after)
        if before is not None:
            return queryset.filter(id__lt=before)
        return queryset

    if len(contact_ids) <= _PER_CONTACT_QUERY_LIMIT:
        querysets = [ActivityEvent.objects.filter(contact_id=contact_id) for contact_id in contact_ids]
    else:
        querysets = [ActivityEvent.objects.filter(contact_id__in=contact_ids)]
    picked = [bounded(filter_queryset(queryset)).order_by(order).values("id")[: size + 1] for queryset in querysets]
    if len(picked) == 1 or connections[ActivityEvent.objects.db].features.supports_slicing_ordering_in_compound:
        # The ids on the indexes (index-only scans in a subquery, one per contact joined by
        # UNION ALL where the database allows each its own LIMIT), their rows in the same query.
        ids = picked[0].union(*picked[1:], all=True) if len(picked) > 1 else picked[0]
        rows = list(_events(ActivityEvent.objects.filter(id__in=ids)).order_by(order)[: size + 1])
        more = len(rows) > size
        rows = sorted(rows[:size], key=lambda event: event.pk, reverse=True)
    else:  # SQLite: no LIMIT inside a compound query
        # Each contact's ids first (index-only scans), then the page's rows in one query.
        ids = [row["id"] for queryset in picked for row in queryset]
        ids.sort(reverse=not ascending)
        more = len(ids) > size
        ids = sorted(ids[:size], reverse=True)
        by_id = {event.pk: event for event in _events(ActivityEvent.objects.filter(id__in=ids))} if ids else {}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    if ascending:
        page = ActivityPage(events=rows, older_cursor=rows[-1].pk if rows else None)
        page.newer_cursor = rows[0].pk if rows and more else None
        return page
    page = ActivityPage(events=rows, older_cursor=rows[-1].pk if rows and more else None)
    page.newer_cursor = rows[0].pk if rows and before is not None else None
    return page


def report_events(*, contact_ids, start, end, compliance_only=False):
    """Every event of these contacts in [start, end), oldest first, streamed."""
    queryset = ActivityEvent.objects.filter(contact_id__in=contact_ids, occurred_at__gte=start, occurred_at__lt=end)
    if compliance_only:
        queryset = queryset.filter(is_compliance=True)
    return _events(queryset).order_by("id").iterator(chunk_size=2000)
