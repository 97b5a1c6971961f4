"""Background work on contacts: thin, idempotent wrappers around services."""

from celery import shared_task


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
