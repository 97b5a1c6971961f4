"""Reading a case for its tabs: each selector is one or two queries, whatever the case holds."""

from django.db import models
from django.db.models import Count, F, Q, Value, When

from cases.models import Case, CaseStage, Message, Task, TaskKind, TaskStatus

TASKS_SHOWN = 200
MESSAGES_SHOWN = 50
EVENTS_PER_PAGE = 50

# Open work first, then what came back, then what is finished.
_STATUS_ORDER = models.Case(
    When(status=TaskStatus.OPEN, then=Value(0)),
    When(status=TaskStatus.IN_PROGRESS, then=Value(1)),
    When(status=TaskStatus.SUBMITTED, then=Value(2)),
    When(status=TaskStatus.DONE, then=Value(3)),
    default=Value(4),
    output_field=models.IntegerField(),
)


def stage_timeline(case: Case) -> list[dict]:
    """Every stage in order, marked done, current or to come (closed cases end at Closed)."""
    stages = list(CaseStage)
    current = stages.index(case.stage) if case.stage in CaseStage.values else 0
    return [
        {
            "value": stage.value,
            "label": stage.label,
            "state": "done" if i < current else "now" if i == current else "next",
        }
        for i, stage in enumerate(stages)
    ]


def case_tasks(*, case: Case, kind: str):
    """The case's tasks or forms with their contact: open ones first, then by due date."""
    return (
        Task.objects.filter(case=case, kind=kind)
        .select_related("contact")
        .annotate(status_rank=_STATUS_ORDER)
        .order_by("status_rank", F("due_on").asc(nulls_last=True), "id")[:TASKS_SHOWN]
    )


def task_counts(*, case: Case) -> dict:
    """How many tasks and forms the case has, and how many are still open, in one query."""
    open_statuses = [TaskStatus.OPEN, TaskStatus.IN_PROGRESS]
    counts = Task.objects.filter(case=case).aggregate(
        tasks=Count("id", filter=Q(kind=TaskKind.TASK)),
        open_tasks=Count("id", filter=Q(kind=TaskKind.TASK, status__in=open_statuses)),
        forms=Count("id", filter=Q(kind=TaskKind.FORM)),
        open_forms=Count("id", filter=Q(kind=TaskKind.FORM, status__in=open_statuses)),
        submitted_forms=Count("id", filter=Q(kind=TaskKind.FORM, status=TaskStatus.SUBMITTED)),
    )
    return counts


def case_messages(*, case: Case, limit: int = MESSAGES_SHOWN) -> list:
    """The case's newest messages (portal, SMS, email), oldest first for reading."""
    newest = Message.objects.filter(case=case).select_related("contact", "author").order_by("-sent_at", "-id")[:limit]
    return list(reversed(newest))


def case_events(*, case: Case, before: int | None = None, limit: int = EVENTS_PER_PAGE) -> tuple[list, int | None]:
    """A page of the case's activity, newest first, and the id to ask for the next page from
    (keyset paging on the (case_id, -id) index: no OFFSET, no count)."""
    from activity.models import ActivityEvent

    events = ActivityEvent.objects.filter(case_id=case.pk)
    if before is not None:
        events = events.filter(id__lt=before)
    page = list(events.select_related("actor_user").order_by("-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].pk if more else None)
