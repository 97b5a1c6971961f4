"""Contacts → Export: the list's filters, a field picker remembered per user, CSV or XLSX."""

import re
import tempfile

from celery.result import AsyncResult
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from contacts.exporting import (
    BACKGROUND_THRESHOLD,
    DEFAULT_FIELDS,
    EXPORT_FIELDS,
    UnknownField,
    clean_fields,
    csv_chunks,
    export_count_at_most,
    export_filename,
    export_folder,
    record_export,
    write_xlsx,
)
from contacts.filters import ContactFilter
from contacts.models import Contact, ExportPreference
from contacts.tasks import export_contacts_task

can_export = permission_required("contacts.export_contacts", raise_exception=True)
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)"}
_JOB_ID = re.compile(r"^[0-9a-f-]{36}$")


def _filter_values(filterset) -> dict:
    """The filters the user chose, as plain values (for the audit event and a background job)."""
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    values = {}
    for name in filterset.filters:
        value = data.get(name)
        if value not in (None, "", [], (), False):  # an unticked box is no filter
            values[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return values


@can_export
def export_view(request):
    data = request.POST if request.method == "POST" else request.GET
    filterset = ContactFilter(data, queryset=Contact.objects.all())
    preference = ExportPreference.objects.filter(user=request.user).first()
    chosen = data.getlist("fields") if request.method == "POST" else (preference.fields if preference else [])
    file_format = data.get("format") or (preference.file_format if preference else "csv")
    error = ""
    try:
        fields = clean_fields(chosen)
    except UnknownField as problem:
        fields, error = DEFAULT_FIELDS, str(problem)
    if file_format not in FORMATS:
        file_format, error = "csv", "Choose CSV or Excel."
    if request.method == "POST" and not error:
        if request.POST.get("fields") is None:
            error = "Choose at least one field to export."
        else:
            ExportPreference.objects.update_or_create(
                user=request.user, defaults={"fields": fields, "file_format": file_format}
            )
            filters = _filter_values(filterset)
            count = export_count_at_most(filterset.qs, BACKGROUND_THRESHOLD)
            if count > BACKGROUND_THRESHOLD:
                job = export_contacts_task.delay(request.user.pk, filters, fields, file_format)
                return redirect("contacts:export_job", job.id)
            record_export(
                user=request.user,
                filters=filters,
                fields=fields,
                row_count=count,
                file_format=file_format,
                request=request,
            )
            return _download(filterset.qs, fields, file_format)
    context = {
        "filter": filterset,
        "export_fields": EXPORT_FIELDS,
        "chosen": set(fields),
        "formats": FORMATS,
        "file_format": file_format,
        "threshold": BACKGROUND_THRESHOLD,
        "error": error,
        "nav": "contacts",
    }
    return render(request, "contacts/export/export.html", context, status=400 if error else 200)


def _download(queryset, fields, file_format):
    filename = export_filename(file_format)
    if file_format == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(handle, queryset, fields)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(csv_chunks(queryset, fields), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _job_file(request, job_id):
    if not _JOB_ID.match(job_id):
        raise Http404
    folder = export_folder(request.user.pk)
    for file_format in FORMATS:
        path = folder / f"{job_id}.{file_format}"
        if path.exists():
            return path, file_format
    return None, None


@can_export
def export_job_view(request, job_id):
    """A background export's progress; its file is only ever looked for in the user's own folder."""
    path, _format = _job_file(request, job_id)
    result = AsyncResult(job_id)
    info = result.info if isinstance(result.info, dict) else {}
    state = {
        "ready": path is not None,
        "failed": result.state == "FAILURE",
        "done": info.get("done", 0),
        "download_url": reverse("contacts:export_download", args=[job_id]),
    }
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(state)
    return render(request, "contacts/export/job.html", {"job": state, "job_id": job_id, "nav": "contacts"})


@can_export
def export_download_view(request, job_id):
    path, file_format = _job_file(request, job_id)
    if path is None:
        raise Http404("No such export, or it is not finished yet.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"contacts-export.{file_format}")
