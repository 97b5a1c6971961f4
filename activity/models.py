"""The append-only, hash-chained activity log.

Events know contacts and cases only by id: a merge never rewrites history, and the
log outlives the rows it describes.
"""

from django.conf import settings
from django.db import models


class EventType(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    ARCHIVE = "archive", "Archive"
    MERGE = "merge", "Merge"
    UNMERGE = "unmerge", "Undo merge"
    IMPORT = "import", "Import"
    EXPORT = "export", "Export"
    NOTE = "note", "Note"
    DOCUMENT = "document", "Document"
    PORTAL_LINK = "portal_link", "Portal link"
    PORTAL_VISIT = "portal_visit", "Portal visit"
    MESSAGE = "message", "Message"
    TASK = "task", "Task"
    CASE = "case", "Case"
    DNC_CHECK = "dnc_check", "DNC Check"
    DATA_ACCESS = "data_access", "Data Access"
    SYSTEM = "system", "System"


class ActivityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Activity events are append-only.")

    def delete(self):
        raise PermissionError("Activity events are append-only.")


class ActivityEvent(models.Model):
    contact_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    is_compliance = models.BooleanField(default=False)
    description = models.CharField(max_length=500)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="System, Portal: <contact>, Import #12…")
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["contact_id", "-id"], name="activity_contact_recent"),
            models.Index(fields=["case_id", "-id"], name="activity_case_recent"),
            models.Index(fields=["contact_id", "event_type", "-id"], name="activity_contact_type"),
        ]

    def __str__(self):
        return f"{self.label}: {self.description}"

    @property
    def label(self) -> str:
        name = EventType(self.event_type).label if self.event_type in EventType.values else self.event_type
        return f"Compliance: {name}" if self.is_compliance else name

    @property
    def actor(self) -> str:
        if self.actor_label:
            return self.actor_label
        if self.actor_user_id:
            return self.actor_user.get_full_name() or self.actor_user.get_username()
        return "System"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Activity events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Activity events are append-only.")
