"""Background work on contacts: thin, idempotent wrappers around services."""

import logging
import threading

from celery import shared_task
from django.db import transaction


@shared_task(name="contacts.preview_import")
def preview_import_task(batch_id: int) -> dict:
    """Dry run of an uploaded file: counts, row errors and duplicates, nothing written."""
    from contacts.importing.service import preview_import
    from contacts.models import ImportBatch, ImportStatus

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWING, ImportStatus.PREVIEWED):
        return {}
    return preview_import(batch)


@shared_task(name="contacts.run_import")
def run_import_task(batch_id: int) -> dict:
    """Import a file in atomic chunks; a redelivered task resumes after the committed rows."""
    from contacts.importing.service import batch_counts, run_import
    from contacts.models import ImportBatch, ImportStatus

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return {}
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return batch_counts(batch)
    return run_import(batch)


@shared_task(name="contacts.purge_import_files")
def purge_import_files_task() -> int:
    """Daily: delete uploaded import files no import needs any more."""
    from contacts.importing.service import purge_import_files

    return purge_import_files()


@shared_task(name="contacts.export_contacts", bind=True)
def export_contacts_task(self, user_id: int, filters: dict, fields: list, file_format: str) -> dict:
    """A large export written to the user's private folder, then an email with the link."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.urls import reverse

    from contacts.exporting import run_background_export

    user = get_user_model().objects.get(pk=user_id)
    job_id = self.request.id or "local"

    def progress(done):
        if self.request.id:
            self.update_state(state="PROGRESS", meta={"done": done})

    _path, count = run_background_export(
        user=user, filters=filters, fields=fields, file_format=file_format, job_id=job_id, progress=progress
    )
    if user.email:
        # The site's public address (settings.PORTAL_BASE_URL): an email needs an absolute link.
        link = f"{settings.PORTAL_BASE_URL}{reverse('contacts:export_download', args=[job_id])}"
        send_mail(
            "Your contacts export is ready",
            f"Your export of {count} contacts is ready. Download it (signed in) at {link}",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    return {"done": count, "file_format": file_format}


@shared_task(name="contacts.scan_duplicates")
def scan_duplicates_task(scan_id: int) -> dict:
    """Full duplicate scan for the queue (idempotent: a rerun rewrites the same pairs)."""
    from contacts.duplicates import run_full_scan
    from contacts.models import DuplicateScan

    if not DuplicateScan.objects.filter(pk=scan_id).exclude(status=DuplicateScan.Status.DONE).exists():
        return {}
    stats = run_full_scan(scan_id)
    return {"contacts": stats.contacts, "pairs": stats.found}


@shared_task(name="contacts.scheduled_duplicate_scan")
def scheduled_duplicate_scan_task() -> dict:
    """Daily full scan (celery beat): catches what no save signalled, such as bulk imports."""
    from contacts.models import DuplicateScan

    active = [DuplicateScan.Status.PENDING, DuplicateScan.Status.RUNNING]
    if DuplicateScan.objects.filter(status__in=active).exists():
        return {}
    return scan_duplicates_task(DuplicateScan.objects.create().pk)


@shared_task(name="contacts.train_duplicate_model")
def train_duplicate_model_task() -> dict:
    """Re-estimate the duplicate model (weekly, and after a large import); the next scan and
    every check use the new version."""
    from contacts.duplicates import train_and_store

    stored = train_and_store()
    return {"version": stored.version, "contacts": stored.contacts}


@shared_task(name="contacts.refresh_duplicates")
def refresh_duplicates_task(contact_ids: list[int]) -> dict:
    """Re-check changed contacts so the queue follows edits without a full scan."""
    from contacts.duplicates import refresh_candidates_for

    return {"pairs": refresh_candidates_for(contact_ids)}


# A refresh of more contacts than this at once (a big import) runs one full scan instead.
REFRESH_MAX_CONTACTS = 5000
_pending_refresh = threading.local()


def _send_refresh(ids: list[int]) -> None:
    from contacts.models import DuplicateScan

    try:
        if len(ids) > REFRESH_MAX_CONTACTS:
            active = [DuplicateScan.Status.PENDING, DuplicateScan.Status.RUNNING]
            if not DuplicateScan.objects.filter(status__in=active).exists():
                scan = DuplicateScan.objects.create()
                scan_duplicates_task.apply_async(args=[scan.pk], retry=False)
        else:
            refresh_duplicates_task.apply_async(args=[ids], retry=False)
    except Exception:  # the broker being down must not fail a contact's save
        logging.getLogger(__name__).warning("Could not queue the duplicate refresh of %s contacts", len(ids))


def _flush_refresh() -> None:
    ids = getattr(_pending_refresh, "ids", None)
    _pending_refresh.ids = None
    if ids:
        _send_refresh(sorted(ids))


def schedule_duplicate_refresh(contact_ids) -> None:
    """After the current transaction commits, re-check these contacts in the background.

    All contacts changed in one transaction go in one task (an import chunk is one task, not
    one per row). Never blocks or breaks the save that asked for it: a broker that is down
    only delays the queue until the next full scan."""
    from django.db import connection

    from firm.selectors import firm_setting

    ids = {int(pk) for pk in contact_ids if pk}
    if not ids or not firm_setting("DUPLICATE_AUTO_REFRESH"):
        return
    if not connection.in_atomic_block:
        _send_refresh(sorted(ids))
        return
    pending = getattr(_pending_refresh, "ids", None)
    registered = any(entry[1] is _flush_refresh for entry in connection.run_on_commit)
    if pending is None or not registered:  # none yet, or its transaction was rolled back
        _pending_refresh.ids = set(ids)
        transaction.on_commit(_flush_refresh)
    else:
        pending.update(ids)
