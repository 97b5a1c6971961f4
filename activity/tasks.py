"""Background work on compliance records: thin wrappers around contacts.dnc."""

import datetime
from pathlib import Path

from celery import shared_task


@shared_task(name="activity.import_dnc_registry")
def import_dnc_registry_task(*, path: str, file_date: str, file_name: str, user_id: int | None) -> dict:
    """Import an uploaded national registry file; a refused file is recorded as an event."""
    from django.contrib.auth import get_user_model

    from activity.models import EventType
    from activity.services import record_event
    from contacts.dnc import DncImportError, import_national_registry

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    source = Path(path)
    if not source.exists():  # already imported by an earlier delivery of this task
        return {"status": "gone"}
    try:
        with source.open("rb") as file:
            version = import_national_registry(
                file=file, file_date=datetime.date.fromisoformat(file_date), file_name=file_name, actor=user
            )
    except DncImportError as error:
        record_event(
            event_type=EventType.DNC_CHECK,
            is_compliance=True,
            description=f"National Do-Not-Call registry file {file_name} was not imported: {error}",
            data={"file_name": file_name, "file_date": file_date, "error": str(error)},
            user=user,
        )
        return {"status": "refused", "error": str(error)}
    finally:
        source.unlink(missing_ok=True)
    return {"status": "imported", "version": version.pk, "numbers": version.number_count}
