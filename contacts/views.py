from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.selectors import contact_list

PAGE_SIZE = 25


def contact_list_view(request):
    filterset = ContactFilter(request.GET, queryset=Contact.objects.all())
    contacts = contact_list(filterset_queryset=filterset.qs)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "nav": "contacts"}
    template = "contacts/partials/contact_table.html" if request.htmx else "contacts/contact_list.html"
    return render(request, template, context)


def contact_detail_view(request, pk):
    contact = get_object_or_404(Contact.objects.prefetch_related("phones", "emails"), pk=pk)
    if contact.merged_into_id:
        return redirect(contact.merged_into)
    return render(
        request, "contacts/contact_detail.html", {"contact": contact, "nav": "contacts", "active_tab": "overview"}
    )


def _placeholder_tab(name, text):
    def view(request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        context = {"contact": contact, "nav": "contacts", "active_tab": name, "text": text}
        return render(request, "contacts/tab_placeholder.html", context)

    return view


contact_cases_view = _placeholder_tab("cases", "Cases this contact is linked to.")
contact_tasks_view = _placeholder_tab("tasks", "Tasks and forms from every linked case.")
contact_activity_view = _placeholder_tab("activity", "Everything that happened to this contact.")


def duplicates_view(request):
    return render(
        request,
        "placeholder.html",
        {
            "nav": "duplicates",
            "heading": "Possible duplicates",
            "text": "The duplicates queue lists pairs of contacts that may be the same person.",
        },
    )


def import_view(request):
    return render(
        request,
        "placeholder.html",
        {
            "nav": "import",
            "heading": "Import contacts",
            "text": f"Import CSV or Excel files of contacts into {settings.FIRM_NAME}.",
        },
    )
