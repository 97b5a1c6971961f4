"""The case page: a tab per URL (Overview, Tasks, Forms, Messages, Activity here; Documents in
documents, Portal links in portal), each a whole page that htmx swaps in place."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from activity.views import viewer_timezone
from cases.models import Case, CaseRole, TaskKind
from cases.selectors import case_events, case_messages, case_tasks, stage_timeline, task_counts
from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.selectors import (
    DEFAULT_COLUMNS,
    add_row_columns,
    bounded_count,
    case_contacts,
    contact_page,
    page_number,
)

# The modal is narrower than the Contacts page: the columns that matter on a case.
MODAL_COLUMNS = ["phone", "email", "login_source", "contact_method", "local_time"]
MODAL_PAGE_SIZE = 20
OVERVIEW_CONTACTS = 10
REPLY_CONTACTS = 20


def case_list_view(request):
    cases = Case.objects.order_by("-id")[:50]
    return render(request, "cases/case_list.html", {"cases": cases, "nav": "cases"})


def _case(pk) -> Case:
    return get_object_or_404(Case, pk=pk)


def tab_context(case: Case, tab: str) -> dict:
    """What cases/case_base.html needs: the case and which tab is open."""
    return {"case": case, "nav": "cases", "active_tab": tab}


def _case_contacts_context(request, case):
    """The case's contacts filtered like the main list (same FilterSet, same Login Source control)."""
    filterset = ContactFilter(request.GET, queryset=Contact.objects.all())
    filtered = filterset.qs if filterset.is_valid() else Contact.objects.none()
    contacts = case_contacts(case=case, filterset_queryset=filtered)
    page = contact_page(contacts, page_number(request.GET.get("page")), size=MODAL_PAGE_SIZE)
    add_row_columns(page.object_list)
    return {
        "case": case,
        "filter": filterset,
        "page": page,
        "count": bounded_count(contacts),
        "columns": [column for column in MODAL_COLUMNS if column in DEFAULT_COLUMNS],
    }


@require_GET
def case_detail_view(request, pk):
    """Overview: the status timeline, the contacts with their roles, and the Contacts modal."""
    case = _case(pk)
    links = case.case_contacts.select_related("contact").order_by("contact__sort_name")[:OVERVIEW_CONTACTS]
    context = {
        **_case_contacts_context(request, case),
        **tab_context(case, "overview"),
        "links": links,
        "contact_total": case.case_contacts.count(),
        "timeline": stage_timeline(case),
        "counts": task_counts(case=case),
    }
    return render(request, "cases/case_detail.html", context)


@require_GET
def case_contacts_view(request, pk):
    """The modal's list (htmx, never pushed to the URL); without JavaScript, a page of its own."""
    case = _case(pk)
    context = {**_case_contacts_context(request, case), "nav": "cases"}
    if request.htmx:
        return render(request, "cases/partials/case_contacts_results.html", context)
    return render(request, "cases/case_contacts.html", context)


def _tasks_tab(request, pk, kind: str):
    case = _case(pk)
    tab = "forms" if kind == TaskKind.FORM else "tasks"
    context = {**tab_context(case, tab), "tasks": list(case_tasks(case=case, kind=kind)), "kind": kind}
    return render(request, "cases/case_tasks.html", context)


@require_GET
def case_tasks_view(request, pk):
    """Tasks: each with its status, due date, contact, Fill and Share Link."""
    return _tasks_tab(request, pk, TaskKind.TASK)


@require_GET
def case_forms_view(request, pk):
    """Forms: the same rows for the case's forms."""
    return _tasks_tab(request, pk, TaskKind.FORM)


@require_GET
def case_messages_view(request, pk):
    """Messages: the case's thread (portal, SMS, email) with a reply box per contact."""
    case = _case(pk)
    thread = case_messages(case=case)
    # A reply box for each contact in the thread; before anyone wrote, for the case's clients.
    in_thread = {message.contact_id for message in thread}
    reply_to = case.case_contacts.select_related("contact").order_by("contact__sort_name")
    reply_to = reply_to.filter(contact_id__in=in_thread) if in_thread else reply_to.filter(role=CaseRole.CLIENT)
    context = {**tab_context(case, "messages"), "thread": thread, "reply_to": reply_to[:REPLY_CONTACTS]}
    return render(request, "cases/case_messages.html", context)


def _cursor(value) -> int | None:
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if cursor > 0 else None


@require_GET
def case_activity_view(request, pk):
    """Activity: the case's events, newest first, 50 a page, in the viewer's time zone."""
    case = _case(pk)
    events, next_before = case_events(case=case, before=_cursor(request.GET.get("before")))
    names = {
        contact.pk: contact.display_name for contact in Contact.objects.filter(pk__in={e.contact_id for e in events})
    }
    rows = [{"event": event, "contact_name": names.get(event.contact_id, "")} for event in events]
    zone = viewer_timezone(request)
    with timezone.override(zone):
        context = {
            **tab_context(case, "activity"),
            "rows": rows,
            "next_before": next_before,
            "first_page": request.GET.get("before") is None,
            "zone": zone.key,
        }
        return render(request, "cases/case_activity.html", context)
