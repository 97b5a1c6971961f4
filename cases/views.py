from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from cases.models import Case
from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.selectors import (
    DEFAULT_COLUMNS,
    annotate_calling_status,
    bounded_count,
    case_contacts,
    contact_page,
    page_number,
)

# The modal is narrower than the Contacts page: the columns that matter on a case.
MODAL_COLUMNS = ["phone", "email", "login_source", "contact_method", "local_time"]
MODAL_PAGE_SIZE = 20


def case_list_view(request):
    cases = Case.objects.order_by("-id")[:50]
    return render(request, "cases/case_list.html", {"cases": cases, "nav": "cases"})


def _case_contacts_context(request, case):
    """The case's contacts filtered like the main list (same FilterSet, same Login Source control)."""
    filterset = ContactFilter(request.GET, queryset=Contact.objects.all())
    filtered = filterset.qs if filterset.is_valid() else Contact.objects.none()
    contacts = case_contacts(case=case, filterset_queryset=filtered)
    page = contact_page(contacts, page_number(request.GET.get("page")), size=MODAL_PAGE_SIZE)
    annotate_calling_status(page.object_list)
    return {
        "case": case,
        "filter": filterset,
        "page": page,
        "count": bounded_count(contacts),
        "columns": [column for column in MODAL_COLUMNS if column in DEFAULT_COLUMNS],
    }


@require_GET
def case_detail_view(request, pk):
    case = get_object_or_404(Case, pk=pk)
    links = case.case_contacts.select_related("contact").order_by("contact__sort_name")[:10]
    tasks = case.tasks.select_related("contact").order_by("due_on", "id")[:50]
    context = {
        "links": links,
        "contact_total": case.case_contacts.count(),
        "tasks": tasks,
        "nav": "cases",
        **_case_contacts_context(request, case),
    }
    return render(request, "cases/case_detail.html", context)


@require_GET
def case_contacts_view(request, pk):
    """The modal's list (htmx, never pushed to the URL); without JavaScript, a page of its own."""
    case = get_object_or_404(Case, pk=pk)
    context = {**_case_contacts_context(request, case), "nav": "cases"}
    if request.htmx:
        return render(request, "cases/partials/case_contacts_results.html", context)
    return render(request, "cases/case_contacts.html", context)
