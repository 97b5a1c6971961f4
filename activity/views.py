"""The contact's Activity Log tab, its compliance report, and the on-demand DNC check."""

import csv
import datetime
import functools
import uuid
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from activity.filters import ActivityFilter, start_of_day
from activity.rows import event_row, rows_html
from activity.selectors import activity_page, contact_history_ids, report_events
from activity.services import record_data_access
from contacts.form_renderer import RENDERER
from contacts.profile_header import with_profile_header
from kayse.fragments import cached_fragment
from kayse.spreadsheet import neutralize

TIMEZONE_COOKIE = "kayse_tz"  # set by static/js/activity.js from the browser's zone
REPORT_PDF_MAX_EVENTS = 2000  # the CSV has them all; a PDF of thousands of pages helps nobody


def viewer_timezone(request) -> ZoneInfo:
    """The viewer's IANA zone (from the browser, via a cookie), else the firm's."""
    name = unquote(request.COOKIES.get(TIMEZONE_COOKIE, ""))
    try:
        return ZoneInfo(name) if name else timezone.get_default_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _contact(pk):
    return get_object_or_404(apps.get_model("contacts", "Contact"), pk=pk)


def _cursor(value):
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if cursor > 0 else None


@functools.cache
def _tab_contacts():
    """Contacts with, in the same query, the profile header's phone and email and whether any
    record was merged into them (most have none: their history is their own events). Built
    once per process (each use clones it): building the subqueries cost more than running them."""
    Contact = apps.get_model("contacts", "Contact")
    merged = Contact.objects.filter(merged_into_id=OuterRef("pk"))
    return with_profile_header(Contact.objects.annotate(has_merged=Exists(merged)))


def _tab_contact(pk):
    return get_object_or_404(_tab_contacts(), pk=pk)


def contact_activity_view(request, pk):
    contact = _tab_contact(pk)
    if contact.merged_into_id:
        url = reverse("contacts:activity", args=[contact.merged_into_id])
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    zone = viewer_timezone(request)
    record_data_access(contact=contact, actor=request.user, what="activity log", request=request)
    with timezone.override(zone):
        filterset = ActivityFilter(request.GET or None)
        history_ids = contact_history_ids(contact) if contact.has_merged else [contact.pk]
        merged_ids = set(history_ids[1:])
        if filterset.is_bound and not filterset.is_valid():
            page = None
        else:
            page = activity_page(
                contact_ids=history_ids,
                filter_queryset=filterset.filter_queryset if filterset.is_bound else None,
                before=_cursor(request.GET.get("before")),
                after=_cursor(request.GET.get("after")),
            )
        today = timezone.localdate()
        context = {
            "contact": contact,
            "nav": "contacts",
            "active_tab": "activity",
            "filter": filterset,
            "page": page,
            "querystring": filterset.clean_querystring(),
            "rows_html": rows_html(event_row(event, merged_ids=merged_ids, zone=zone) for event in page.events)
            if page
            else "",
            "viewer_zone": zone.key,
        }
        if request.htmx and request.htmx.target == "activity-results":
            return render(request, "activity/partials/activity_results.html", context)
        # The forms' fields depend on nothing but these keys: drawn once per process for each.
        users = tuple(filterset.filters["user"].extra["choices"]())
        data = tuple((name, tuple(request.GET.getlist(name))) for name in filterset.filters)
        context["filter_fields"] = _fragment(
            "activity/partials/activity_filter_fields.html",
            (filterset.is_bound, data, users, get_language()),
            lambda: {"filter": filterset},
        )
        context["report_fields"] = _fragment(
            "activity/partials/activity_report_fields.html",
            (today, get_language()),
            lambda: {
                "report_form": ReportForm(
                    initial={"date_from": today - datetime.timedelta(days=365), "date_to": today}, auto_id="report_%s"
                )
            },
        )
        return render(request, "activity/contact_activity.html", context)


def _fragment(template_name: str, key: tuple, context):
    """`template_name` rendered with `context()`, once per process for each `key`: the caller's
    key holds everything the fragment shows (it reads no request, no database)."""
    return cached_fragment(
        (template_name, key),
        lambda: mark_safe(render_to_string(template_name, context()).strip()),  # noqa: S308 (rendered with autoescape)
    )


class ReportForm(forms.Form):
    default_renderer = RENDERER  # on every view of the tab: widgets written in Python

    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    compliance = forms.BooleanField(label="Compliance events only", required=False)
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("pdf", "PDF")], initial="csv")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("The report's start date is after its end date.")
        return cleaned


REPORT_COLUMNS = ["Event ID", "Timestamp", "Event Type", "Compliance", "Description", "User/System", "Contact ID"]


def _report_row(event, zone):
    return [
        event.pk,
        timezone.localtime(event.occurred_at, zone).isoformat(timespec="seconds"),
        event.label,
        "yes" if event.is_compliance else "no",
        event.description,
        event.actor,
        event.contact_id,
    ]


class _Echo:
    def write(self, value):
        return value


def compliance_report_view(request, pk):
    """A contact's events for a date range, as CSV (streamed) or PDF, for a regulator or a client."""
    contact = _contact(pk)
    form = ReportForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("contacts:activity", pk=contact.pk)
    zone = viewer_timezone(request)
    date_from, date_to, fmt = form.cleaned_data["date_from"], form.cleaned_data["date_to"], form.cleaned_data["format"]
    with timezone.override(zone):
        start, end = start_of_day(date_from), start_of_day(date_to + datetime.timedelta(days=1))
    history_ids = contact_history_ids(contact)
    events = report_events(
        contact_ids=history_ids, start=start, end=end, compliance_only=form.cleaned_data["compliance"]
    )
    what = f"compliance report {date_from:%Y-%m-%d} to {date_to:%Y-%m-%d} ({fmt.upper()})"
    record_data_access(contact=contact, actor=request.user, what=what, request=request)
    filename = f"compliance-report-contact-{contact.pk}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(REPORT_COLUMNS)
            for event in events:
                yield writer.writerow([neutralize(cell) for cell in _report_row(event, zone)])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    else:
        from weasyprint import HTML

        listed = []
        for event in events:
            if len(listed) == REPORT_PDF_MAX_EVENTS:
                break
            listed.append(event)
        with timezone.override(zone):
            html = render_to_string(
                "activity/compliance_report.html",
                {
                    "contact": contact,
                    "events": listed,
                    "truncated": len(listed) == REPORT_PDF_MAX_EVENTS,
                    "date_from": date_from,
                    "date_to": date_to,
                    "generated_at": timezone.now(),
                    "generated_by": request.user,
                    "viewer_zone": zone.key,
                    "merged_ids": history_ids[1:],
                    "compliance_only": form.cleaned_data["compliance"],
                },
            )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def dnc_check_view(request, pk):
    """Check the contact's numbers against the Do-Not-Call lists now (from the profile)."""
    from contacts.dnc import check_contact

    contact = _contact(pk)
    results = check_contact(contact=contact, actor=request.user, via="on demand")
    if not results:
        messages.error(request, "This contact has no phone number to check.")
    for result in results:
        (messages.warning if result.listed else messages.success)(request, result.summary)
    return redirect("contacts:activity", pk=contact.pk)


class RegistryImportForm(forms.Form):
    file = forms.FileField(label="Registry file (CSV or TXT)", help_text="One number a line, or “area code,number”.")
    file_date = forms.DateField(
        label="Date of the file", widget=forms.DateInput(attrs={"type": "date"}), help_text="The file's version."
    )

    def clean_file_date(self):
        file_date = self.cleaned_data["file_date"]
        if file_date > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(
                "The file's date is in the future: enter the date printed on the registry file."
            )
        return file_date


class InternalNumberForm(forms.Form):
    number = forms.CharField(label="Phone number", max_length=40)
    reason = forms.CharField(label="Reason", max_length=300, required=False)


class CheckNumberForm(forms.Form):
    number = forms.CharField(label="Phone number", max_length=40)


def _keep_upload(upload) -> Path:
    """Copy an uploaded registry file to private storage for the background import."""
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "dnc"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.txt"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return path


def dnc_lists_view(request):
    """The Do-Not-Call lists: versions in use, importing a registry file, the firm's own list."""
    from activity.models import ActivityEvent, DncNumber, DncRegistryKind, DncRegistryVersion
    from activity.tasks import import_dnc_registry_task
    from contacts import dnc

    can_manage = request.user.has_perm("activity.add_dncregistryversion")
    import_form, internal_form, check_form, checked = (
        RegistryImportForm(),
        InternalNumberForm(),
        CheckNumberForm(),
        None,
    )
    if request.method == "POST":
        if not can_manage:
            # Settings are read-only for Staff (checking a number is a GET).
            raise PermissionDenied("Only an Admin can change the Do-Not-Call lists.")
        if request.POST.get("action") == "import":
            import_form = RegistryImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                path = _keep_upload(import_form.cleaned_data["file"])
                job = {
                    "path": str(path),
                    "file_date": import_form.cleaned_data["file_date"].isoformat(),
                    "file_name": import_form.cleaned_data["file"].name[:255],
                    "user_id": request.user.pk,
                }
                transaction.on_commit(lambda: import_dnc_registry_task.delay(**job))
                messages.success(
                    request,
                    "The registry file is being imported in the background (about a minute per million "
                    "numbers): it shows below as the current version when done.",
                )
                return redirect("settings:dnc")
        else:
            internal_form = InternalNumberForm(request.POST)
            if internal_form.is_valid():
                try:
                    entry = dnc.add_to_internal_list(
                        number=internal_form.cleaned_data["number"],
                        reason=internal_form.cleaned_data["reason"],
                        actor=request.user,
                    )
                except dnc.DncImportError as error:
                    internal_form.add_error("number", str(error))
                else:
                    messages.success(request, f"{entry.number} is on the internal Do-Not-Call list.")
                    return redirect("settings:dnc")
    elif "number" in request.GET:
        check_form = CheckNumberForm(request.GET)
        if check_form.is_valid():
            if dnc.normalize_registry_number(check_form.cleaned_data["number"]) is None:
                check_form.add_error("number", "This is not a phone number.")
            else:
                checked = dnc.check_number(number=check_form.cleaned_data["number"], actor=request.user)
    context = {
        "nav": "settings",
        "section": "dnc",
        "can_change": can_manage,
        "versions": DncRegistryVersion.objects.select_related("imported_by").order_by("-is_current", "-imported_at")[
            :20
        ],
        "internal_numbers": DncNumber.objects.filter(
            registry__kind=DncRegistryKind.INTERNAL, registry__is_current=True
        ).order_by("-added_at")[:50],
        "list_changes": ActivityEvent.objects.filter(contact_id__isnull=True, event_type="dnc_check")
        .select_related("actor_user")
        .order_by("-id")[:10],
        "import_form": import_form,
        "internal_form": internal_form,
        "check_form": check_form,
        "checked": checked,
        "can_manage": can_manage,
    }
    return render(request, "activity/dnc_lists.html", context)
