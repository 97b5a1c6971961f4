"""Celery tasks of documents: thin, idempotent wrappers around services."""

from celery import shared_task

from documents import services


@shared_task(name="documents.build_bundle", acks_late=True)
def build_bundle_task(bundle_id: int, base_url: str) -> dict:
    bundle = services.build_bundle(bundle_id=bundle_id, base_url=base_url)
    return {"bundle": bundle.pk, "status": bundle.status, "files": bundle.files_total}


# Scheduled hourly by CELERY_BEAT_SCHEDULE in settings.
@shared_task(name="documents.delete_expired_bundles")
def delete_expired_bundles_task() -> int:
    return services.delete_expired_bundles()
