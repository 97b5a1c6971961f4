"""Reading the activity log: a contact's history (with the records merged into it), keyset-paged."""

from dataclasses import dataclass, field

from django.apps import apps

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
    if len(querysets) == 1:
        # The ids on the index (an index-only scan, in a subquery), their rows in the same query.
        ids = bounded(filter_queryset(querysets[0])).order_by(order).values("id")[: size + 1]
        rows = list(_events(ActivityEvent.objects.filter(id__in=ids)).order_by(order))
        more = len(rows) > size
        rows = sorted(rows[:size], key=lambda event: event.pk, reverse=True)
    else:
        # Each contact's ids first (index-only scans), then the page's rows in one query.
        ids = []
        for queryset in querysets:
            ids.extend(bounded(filter_queryset(queryset)).order_by(order).values_list("id", flat=True)[: size + 1])
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
