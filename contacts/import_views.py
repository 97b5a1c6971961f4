"""Settings → Import: upload, match columns, preview (dry run), run with progress, result, undo."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts.importing.forms import MappingForm, UploadForm
from contacts.importing.mapping import FIELDS_BY_KEY
from contacts.importing.readers import UnreadableFile, describe_delimiter, sample_rows
from contacts.importing.service import (
    UNDO_DAYS,
    ImportNotReady,
    UndoRefused,
    can_undo,
    import_configure,
    import_start,
    open_batch_table,
    store_upload,
    undo_import,
)
from contacts.models import ImportBatch, ImportMapping, ImportNoteKind, ImportStatus
from kayse.spreadsheet import neutralize

can_import = permission_required("contacts.import_contacts", raise_exception=True)
NOTES_SHOWN = 200
ACTIVE = (ImportStatus.PREVIEWING, ImportStatus.QUEUED, ImportStatus.RUNNING)


def _batch(pk) -> ImportBatch:
    return get_object_or_404(ImportBatch, pk=pk)


@can_import
def import_start_view(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = form.cleaned_data["saved_mapping"]
        try:
            batch = store_upload(
                form.cleaned_data["file"],
                user=request.user,
                encoding=form.cleaned_data["encoding"],
                saved_columns=saved.columns if saved else None,
            )
        except UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            return redirect("import:map", batch.pk)
    recent = ImportBatch.objects.select_related("created_by")[:10]
    return render(request, "contacts/import/start.html", {"form": form, "recent": recent, "nav": "import"})


@can_import
def import_map_view(request, pk):
    batch = _batch(pk)
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        return redirect(_next_url(batch))
    try:
        table = open_batch_table(batch)
        samples = sample_rows(table, 3)
    except UnreadableFile as error:
        table, samples = None, []
        messages.error(request, str(error))
    sheets = table.sheets if table else [batch.sheet]
    initial = {
        "encoding": batch.encoding,
        "delimiter": batch.delimiter,
        "sheet": batch.sheet,
        "duplicate_rule": batch.duplicate_rule,
        "error_mode": batch.error_mode,
        "check_dnc": batch.check_dnc,
    }
    form = MappingForm(request.POST or None, batch=batch, sheets=sheets, initial=initial)
    if request.method == "POST" and "reopen" in request.POST:
        return _reopen(request, batch)
    if request.method == "POST" and form.is_valid() and table is not None:
        data = form.cleaned_data
        import_configure(
            batch=batch,
            mapping=data["mapping"],
            duplicate_rule=data["duplicate_rule"],
            error_mode=data["error_mode"],
            check_dnc=data["check_dnc"],
        )
        if data["save_as"]:
            columns = {header: key for header, key in zip(batch.headers, batch.mapping, strict=False) if header}
            ImportMapping.objects.update_or_create(
                name=data["save_as"], defaults={"columns": columns, "created_by": request.user}
            )
        return redirect("import:progress", batch.pk)
    columns = []
    for index, bound in enumerate(form.columns()):
        columns.append({"field": bound, "samples": [row[index] for row in samples if index < len(row)]})
    context = {
        "batch": batch,
        "form": form,
        "columns": columns,
        "ignored": sum(1 for key in batch.mapping if not key),
        "delimiter_name": describe_delimiter(batch.delimiter),
        "nav": "import",
    }
    return render(request, "contacts/import/map.html", context)


def _reopen(request, batch):
    """Read the file again with the encoding, delimiter or sheet the user chose."""
    from contacts.importing.mapping import auto_map
    from contacts.importing.readers import DELIMITERS

    delimiter = request.POST.get("delimiter", batch.delimiter)
    try:
        table = open_batch_table(
            batch,
            encoding=request.POST.get("encoding", batch.encoding),
            sheet=request.POST.get("sheet", batch.sheet),
            delimiter=delimiter if delimiter in DELIMITERS else "",
        )
    except UnreadableFile as error:
        messages.error(request, str(error))
        return redirect("import:map", batch.pk)
    batch.encoding, batch.sheet, batch.delimiter = table.encoding, table.sheet, table.delimiter
    batch.headers = table.headers
    batch.mapping = auto_map(table.headers)
    batch.save()
    messages.success(request, "The file was read again with your choice.")
    return redirect("import:map", batch.pk)


def _next_url(batch) -> str:
    if batch.status in ACTIVE:
        return reverse("import:progress", args=[batch.pk])
    if batch.status == ImportStatus.PREVIEWED:
        return reverse("import:preview", args=[batch.pk])
    if batch.status == ImportStatus.UPLOADED:
        return reverse("import:map", args=[batch.pk])
    return reverse("import:result", args=[batch.pk])


def progress_figures(batch) -> dict:
    """Rows done / total, rows per second and time left, for the bar and the polling script."""
    total = batch.rows_total
    done = batch.rows_done
    started = batch.started_at if batch.status in (ImportStatus.RUNNING, ImportStatus.QUEUED) else None
    rate = None
    left = None
    if started and done:
        elapsed = max((timezone.now() - started).total_seconds(), 0.001)
        rate = done / elapsed
        if total:
            left = max(total - done, 0) / rate if rate else None
    percent = int(done * 100 / total) if total else 0
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "rate": round(rate) if rate else None,
        "seconds_left": round(left) if left is not None else None,
        "time_left": _duration(left) if left is not None else "",
        "finished": batch.status not in ACTIVE,
        "next_url": _next_url(batch),
        "cancel_requested": batch.cancel_requested,
    }


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    return str(datetime.timedelta(seconds=seconds))


@can_import
def import_progress_view(request, pk):
    batch = _batch(pk)
    if batch.status not in ACTIVE:
        return redirect(_next_url(batch))
    figures = progress_figures(batch)
    return render(request, "contacts/import/progress.html", {"batch": batch, "progress": figures, "nav": "import"})


@can_import
def import_status_view(request, pk):
    return JsonResponse(progress_figures(_batch(pk)))


@can_import
def import_preview_view(request, pk):
    batch = _batch(pk)
    if batch.status != ImportStatus.PREVIEWED:
        return redirect(_next_url(batch))
    notes = batch.notes.filter(dry_run=True)
    context = {
        "batch": batch,
        "counts": batch.preview,
        "errors": notes.filter(kind=ImportNoteKind.ERROR)[:NOTES_SHOWN],
        "duplicates": notes.filter(kind=ImportNoteKind.DUPLICATE)[:NOTES_SHOWN],
        "shown": NOTES_SHOWN,
        "mapped": [
            (header, FIELDS_BY_KEY[key].label) for header, key in zip(batch.headers, batch.mapping, strict=False) if key
        ],
        "ignored": [header for header, key in zip(batch.headers, batch.mapping, strict=False) if not key],
        "nav": "import",
    }
    return render(request, "contacts/import/preview.html", context)


@can_import
@require_POST
def import_run_view(request, pk):
    batch = _batch(pk)
    if batch.undone_at is not None:
        return HttpResponseBadRequest("This import was undone.")
    try:
        import_start(batch=batch, resume="resume" in request.POST)
    except ImportNotReady:
        return redirect(_next_url(batch))
    return redirect("import:progress", batch.pk)


@can_import
@require_POST
def import_cancel_view(request, pk):
    batch = _batch(pk)
    if batch.status in ACTIVE:
        ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)
        if batch.status == ImportStatus.PREVIEWING:
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.UPLOADED)
        elif batch.status == ImportStatus.QUEUED:
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.CANCELLED, finished_at=timezone.now(), message="Cancelled before it started."
            )
        messages.info(request, "Cancelling: rows already imported stay (you can undo them); the rest are not imported.")
    batch.refresh_from_db()
    return redirect(_next_url(batch))


@can_import
def import_result_view(request, pk):
    batch = _batch(pk)
    if batch.status in ACTIVE or batch.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        return redirect(_next_url(batch))
    notes = batch.notes.filter(dry_run=False)
    context = {
        "batch": batch,
        "errors": notes.filter(kind=ImportNoteKind.ERROR)[:NOTES_SHOWN],
        "conflicts": notes.filter(kind=ImportNoteKind.CONFLICT)[:NOTES_SHOWN],
        "shown": NOTES_SHOWN,
        "can_undo": can_undo(batch),
        "undo_days": UNDO_DAYS,
        "can_resume": bool(batch.stored_name)
        and batch.status in (ImportStatus.FAILED, ImportStatus.CANCELLED)
        and batch.undone_at is None
        and batch.rows_total != batch.rows_done,
        "contacts_url": f"{reverse('contacts:list')}?import_batch={batch.pk}",
        "nav": "import",
    }
    return render(request, "contacts/import/result.html", context)


@can_import
def import_rejected_view(request, pk):
    """The rows that were not imported, as they were in the file, with a Reason column."""
    batch = _batch(pk)
    dry_run = request.GET.get("preview") == "1"
    notes = batch.notes.filter(dry_run=dry_run, kind=ImportNoteKind.ERROR).order_by("line")

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(["Line", *batch.headers, "Reason"])
        for line, values, reason in notes.values_list("line", "values", "reason").iterator(chunk_size=2000):
            yield writer.writerow([line, *(neutralize(value) for value in values), neutralize(reason)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejected-rows.csv"'
    return response


class _Echo:
    def write(self, value):
        return value


@can_import
@require_POST
def import_undo_view(request, pk):
    batch = _batch(pk)
    try:
        count = undo_import(batch=batch, user=request.user)
    except UndoRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Import #{batch.pk} undone: {count} contact(s) removed or restored.")
    return redirect("import:result", batch.pk)
