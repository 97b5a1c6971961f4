"""Reads of the portal. Everything a contact sees is scoped to the session's contact and,
when the link names a case, to that case: another contact's id is simply not found."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import Appointment, Case, Message, Task, TaskKind, TaskStatus
from portal.models import PortalLink, PortalSession

OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


def session_case_ids(session: PortalSession) -> list[int]:
    if session.link.case_id:
        return [session.link.case_id]
    return list(session.contact.case_links.values_list("case_id", flat=True)[:200])


def portal_cases(session: PortalSession):
    return Case.objects.filter(pk__in=session_case_ids(session), case_contacts__contact=session.contact).order_by(
        "-opened_on", "-id"
    )


def portal_case(session: PortalSession, pk: int) -> Case:
    return get_object_or_404(portal_cases(session), pk=pk)


def portal_tasks(session: PortalSession):
    return (
        Task.objects.filter(contact=session.contact, case_id__in=session_case_ids(session))
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("case")
        .order_by("status", "due_on", "id")
    )


def portal_task(session: PortalSession, pk: int) -> Task:
    return get_object_or_404(portal_tasks(session), pk=pk)


def open_task_count(session: PortalSession) -> int:
    return portal_tasks(session).filter(status__in=OPEN_STATUSES).count()


def portal_appointments(session: PortalSession):
    return Appointment.objects.filter(contact=session.contact, case_id__in=session_case_ids(session)).select_related(
        "case"
    )


def portal_appointment(session: PortalSession, pk: int) -> Appointment:
    return get_object_or_404(portal_appointments(session), pk=pk)


def upcoming_and_past_appointments(session: PortalSession, *, limit: int = 20):
    now = timezone.now()
    base = portal_appointments(session)
    upcoming = list(base.filter(ends_at__gte=now).order_by("starts_at")[:limit])
    past = list(base.filter(ends_at__lt=now).order_by("-starts_at")[:limit])
    return upcoming, past


def portal_messages(session: PortalSession, *, limit: int = 50):
    """The newest messages of the thread, oldest first for reading."""
    case_ids = session_case_ids(session)
    newest = (
        Message.objects.filter(contact=session.contact)
        .filter(case_id__in=case_ids)
        .select_related("author")
        .order_by("-sent_at", "-id")[:limit]
    )
    return list(reversed(newest))


def portal_documents(session: PortalSession, *, limit: int = 20):
    from documents.models import Document

    return list(
        Document.objects.filter(contact=session.contact, via_portal=True, deleted_at__isnull=True).order_by(
            "-created_at"
        )[:limit]
    )


def case_links(case: Case, *, limit: int = 50):
    """The links sent on a case, newest first, for the staff case page."""
    return list(
        PortalLink.objects.filter(case=case)
        .select_related("contact", "task", "created_by")
        .order_by("-created_at")[:limit]
    )


def case_links_context(case: Case) -> dict:
    """The links list of a case, and whether any is still on its way (the list refreshes)."""
    links = case_links(case)
    return {"case": case, "links": links, "sending": any(link.delivery_status == "queued" for link in links)}


def shareable_tasks(case: Case):
    return Task.objects.filter(case=case, contact__isnull=False).select_related("contact").order_by("kind", "id")


def form_tasks_first(tasks):
    return sorted(tasks, key=lambda task: (task.kind != TaskKind.FORM, task.id))
