from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from activity.services import record_data_access
from contacts import services
from contacts.duplicates import possible_duplicates_for
from contacts.enrichment import suggested_timezone
from contacts.filters import ContactFilter
from contacts.forms import (
    ContactForm,
    LinkCaseForm,
    TaskFillForm,
    TaskListFilterForm,
    confirm_duplicate_field,
    email_formset,
    phone_formset,
)
from contacts.models import Contact
from contacts.profile_header import header_phone_and_email
from contacts.selectors import (
    COLUMNS,
    DEFAULT_COLUMNS,
    DEFAULT_SORT,
    SORTS,
    add_row_columns,
    annotate_calling_status,
    bounded_count,
    contact_case_links,
    contact_list,
    contact_page,
    contact_tasks,
    estimated_count,
    list_preference,
    live_contacts,
    name_search_results,
    page_number,
)

CONTACT_LIST = "contacts"
TASK_LIST = "contact_tasks"
TASK_COLUMNS = {"kind": "Kind", "case": "Case", "status": "Status", "due": "Due", "assigned": "Assigned to"}


def _list_settings(request, list_name, default_sort, sorts, default_columns):
    """The user's sort (the URL's wins and is remembered) and columns for a list."""
    preference = list_preference(user=request.user, list_name=list_name)
    sort = request.GET.get("sort", "")
    if sort in sorts:
        if preference is None or preference.sort != sort:
            services.list_preference_save(user=request.user, list_name=list_name, sort=sort)
    else:
        sort = preference.sort if preference and preference.sort in sorts else default_sort
    columns = [c for c in preference.columns if c in default_columns] if preference and preference.columns else None
    return sort, columns if columns is not None else list(default_columns)


@require_GET
def contact_list_view(request):
    filterset = ContactFilter(request.GET, queryset=Contact.objects.all())
    sort, columns = _list_settings(request, CONTACT_LIST, DEFAULT_SORT, SORTS, DEFAULT_COLUMNS)
    valid = filterset.is_valid()
    filtered = filterset.qs if valid else Contact.objects.none()
    number = page_number(request.GET.get("page"))
    found = name_search_results(filterset, sort=sort, number=number) if valid else None
    if found:
        page, count = found
    else:
        page = contact_page(contact_list(filterset_queryset=filtered, sort=sort), number)
        count = bounded_count(live_contacts(filtered))
    add_row_columns(page.object_list)
    context = {
        "filter": filterset,
        "page": page,
        "count": count,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "columns": columns,
        "column_choices": COLUMNS.items(),
        "nav": "contacts",
    }
    partial = request.htmx and not request.htmx.history_restore_request and not request.htmx.boosted
    template = "contacts/partials/contact_results.html" if partial else "contacts/contact_list.html"
    return render(request, template, context)


@require_GET
def contact_count_view(request):
    """The "about N contacts" of a big result, loaded after the page so the page never waits for it."""
    filterset = ContactFilter(request.GET, queryset=Contact.objects.all())
    if not filterset.is_valid():
        return HttpResponse("")
    filters = filterset.form.data.copy()
    for param in ("page", "sort"):
        filters.pop(param, None)
    key = "contact-count:" + filters.urlencode()
    indexed = {"login_source", "created_after", "created_before"}
    indexed_only = not any(value for name, value in filterset.form.cleaned_data.items() if name not in indexed)
    count = estimated_count(filterset.qs, cache_key=key[:250], indexed_only=indexed_only)
    return render(request, "contacts/partials/result_count.html", {"count": count})


def _redirect_back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def contact_columns_view(request):
    """Save the columns chosen for the contacts list or a Tasks tab."""
    list_name = request.POST.get("list")
    available = {CONTACT_LIST: COLUMNS, TASK_LIST: TASK_COLUMNS}.get(list_name)
    if available is None:
        raise Http404
    columns = [c for c in request.POST.getlist("columns") if c in available]
    services.list_preference_save(user=request.user, list_name=list_name, columns=columns)
    return _redirect_back(request, reverse("contacts:list"))


def _live_contact(pk):
    """The contact, or a redirect to the survivor when it was merged away."""
    contact = get_object_or_404(Contact.objects.prefetch_related("phones", "emails"), pk=pk)
    return contact


def _profile_context(contact, active_tab, **extra):
    phones = list(contact.phones.all())
    emails = list(contact.emails.all())
    primary_phone, primary_email = header_phone_and_email(contact)
    contact.primary_phone_number = primary_phone.number if primary_phone else None
    annotate_calling_status([contact])
    return {
        "contact": contact,
        "phones": phones,
        "emails": emails,
        "primary_phone": primary_phone,
        "primary_email": primary_email,
        "nav": "contacts",
        "active_tab": active_tab,
        **extra,
    }


@require_GET
def contact_detail_view(request, pk):
    contact = _live_contact(pk)
    if contact.merged_into_id:
        return redirect(contact.merged_into)
    record_data_access(contact=contact, actor=request.user, what="profile", request=request)
    return render(request, "contacts/contact_detail.html", _profile_context(contact, "overview"))


@require_GET
def contact_cases_view(request, pk):
    contact = _live_contact(pk)
    if contact.merged_into_id:
        return redirect(reverse("contacts:cases", args=[contact.merged_into_id]))
    links = contact_case_links(contact=contact)
    context = _profile_context(contact, "cases", links=links, link_form=LinkCaseForm())
    return render(request, "contacts/contact_cases.html", context)


@permission_required("cases.add_casecontact", raise_exception=True)
@require_POST
def contact_link_case_view(request, pk):
    contact = get_object_or_404(Contact.objects.live(), pk=pk)
    form = LinkCaseForm(request.POST, contact=contact)
    if form.is_valid():
        services.contact_link_case(
            contact=contact, case=form.cleaned_data["case"], role=form.cleaned_data["role"], user=request.user
        )
        messages.success(request, f"{contact.display_name} is now on case {form.cleaned_data['case'].number}.")
        return redirect("contacts:cases", pk=contact.pk)
    contact = _live_contact(pk)
    context = _profile_context(contact, "cases", links=contact_case_links(contact=contact), link_form=form)
    return render(request, "contacts/contact_cases.html", context, status=400)


@require_GET
def contact_tasks_view(request, pk):
    contact = _live_contact(pk)
    if contact.merged_into_id:
        return redirect(reverse("contacts:tasks", args=[contact.merged_into_id]))
    form = TaskListFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = contact_tasks(
        contact=contact,
        search=filters.get("q", ""),
        status=filters.get("status", ""),
        due=filters.get("due", ""),
        today=timezone.localdate(),
    )
    preference = list_preference(user=request.user, list_name=TASK_LIST)
    columns = [c for c in preference.columns if c in TASK_COLUMNS] if preference and preference.columns else None
    context = _profile_context(
        contact,
        "tasks",
        tasks=tasks[:500],
        task_filter=form,
        columns=columns if columns is not None else list(TASK_COLUMNS),
        column_choices=TASK_COLUMNS.items(),
        today=timezone.localdate(),
    )
    return render(request, "contacts/contact_tasks.html", context)


def _contact_task(contact, task_id):
    """A task of one of the contact's cases; any other task is a 404."""
    task = contact_tasks(contact=contact).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


@permission_required("cases.change_task", raise_exception=True)
def contact_task_fill_view(request, pk, task_id):
    """Staff complete a task's form (or mark a plain task done) for the contact."""
    contact = get_object_or_404(Contact.objects.live(), pk=pk)
    task = _contact_task(contact, task_id)
    form = TaskFillForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        services.task_fill(task=task, contact=contact, response=form.response(), user=request.user)
        messages.success(request, f"“{task.title}” saved.")
        return redirect("contacts:tasks", pk=contact.pk)
    context = {"contact": contact, "task": task, "form": form, "nav": "contacts"}
    return render(request, "contacts/task_fill.html", context, status=400 if form.errors else 200)


def _edit_forms(request, contact=None):
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, instance=contact)
    return form, phone_formset(data, contact=contact), email_formset(data, contact=contact)


@permission_required("contacts.add_contact", raise_exception=True)
def contact_create_view(request):
    form, phones_form, emails_form = _edit_forms(request)
    duplicates = []
    if request.method == "POST" and form.is_valid() and phones_form.is_valid() and emails_form.is_valid():
        phones, emails = phones_form.rows, emails_form.rows
        # The duplicates engine: same phone or email, the same or a very similar name.
        duplicates = possible_duplicates_for(
            {
                **form.cleaned_data,
                "phones": [row["number"] for row in phones],
                "emails": [row["email"] for row in emails],
            }
        )
        if not duplicates or request.POST.get(confirm_duplicate_field) == "yes":
            contact, filled = services.contact_create(
                data=form.cleaned_data, phones=phones, emails=emails, user=request.user
            )
            messages.success(request, f"{contact.display_name} created.{_filled_text(filled)}")
            return redirect(contact)
    context = {
        "form": form,
        "phone_formset": phones_form,
        "email_formset": emails_form,
        "duplicates": duplicates,
        "confirm_duplicate_field": confirm_duplicate_field,
        "nav": "contacts",
        "creating": True,
    }
    status = 400 if request.method == "POST" and not duplicates else 200
    return render(request, "contacts/contact_form.html", context, status=status)


def _filled_text(filled) -> str:
    if not filled:
        return ""
    parts = [f"{item.label} {item.value} (from {item.source})" for item in filled]
    return " Filled in: " + "; ".join(parts) + "."


@permission_required("contacts.change_contact", raise_exception=True)
def contact_edit_view(request, pk):
    contact = get_object_or_404(Contact.objects.live(), pk=pk)
    form, phones_form, emails_form = _edit_forms(request, contact)
    if request.method == "POST" and form.is_valid() and phones_form.is_valid() and emails_form.is_valid():
        _, filled = services.contact_update(
            contact=contact, data=form.cleaned_data, phones=phones_form.rows, emails=emails_form.rows, user=request.user
        )
        messages.success(request, f"{contact.display_name} saved.{_filled_text(filled)}")
        return redirect(contact)
    suggestion = None
    if not contact.timezone:
        primary = next((p.number for p in contact.phones.all() if p.is_primary), "")
        suggestion = suggested_timezone(postal_code=contact.postal_code, phone=primary)
    context = {
        "form": form,
        "phone_formset": phones_form,
        "email_formset": emails_form,
        "contact": contact,
        "timezone_suggestion": suggestion,
        "nav": "contacts",
        "creating": False,
    }
    return render(request, "contacts/contact_form.html", context, status=400 if request.method == "POST" else 200)


@permission_required("contacts.change_contact", raise_exception=True)
@require_POST
def contact_enrich_view(request, pk):
    contact = get_object_or_404(Contact.objects.live(), pk=pk)
    filled = services.contact_enrich(contact=contact, user=request.user)
    if filled:
        messages.success(request, f"Enriched.{_filled_text(filled)}")
    else:
        messages.info(request, "Nothing new could be filled in from the phone number or ZIP code.")
    return redirect(contact)


@permission_required("contacts.change_contact", raise_exception=True)
@require_POST
def contact_archive_view(request, pk):
    contact = get_object_or_404(Contact.objects.live(), pk=pk)
    services.contact_archive(contact=contact, user=request.user)
    messages.success(request, f"{contact.display_name} archived. They no longer appear in lists.")
    return redirect("contacts:list")
