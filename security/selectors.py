"""Reading the security log: a page at a time on the id, never counting the table."""

from dataclasses import dataclass

from security.models import SecurityEvent

PAGE_SIZE = 50


@dataclass
class SecurityLogPage:
    events: list
    older_cursor: int | None = None
    newer_cursor: int | None = None


def security_log_page(*, queryset=None, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE):
    """Newest first; `before` goes to older events, `after` back to newer ones (keyset on id)."""
    queryset = SecurityEvent.objects.all() if queryset is None else queryset
    if after is not None and before is None:
        rows = list(queryset.filter(id__gt=after).order_by("id")[: size + 1])
        more = len(rows) > size
        rows = sorted(rows[:size], key=lambda event: event.pk, reverse=True)
        return SecurityLogPage(
            events=rows, older_cursor=rows[-1].pk if rows else None, newer_cursor=rows[0].pk if rows and more else None
        )
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    rows = list(queryset.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return SecurityLogPage(
        events=rows,
        older_cursor=rows[-1].pk if rows and more else None,
        newer_cursor=rows[0].pk if rows and before is not None else None,
    )
