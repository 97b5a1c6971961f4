"""The append-only, hash-chained activity log.

Events know contacts and cases only by id: a merge never rewrites history, and the
log outlives the rows it describes.
"""

from django.conf import settings
from django.db import models

from activity.append_only import AppendOnlyModel


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
    SETTINGS = "settings", "Settings"


# A dict, not EventType(value).label: the tab labels fifty rows a view, and the enum's
# `values` is a new list each time it is read.
_EVENT_TYPE_LABELS = dict(EventType.choices)


class ActivityEvent(AppendOnlyModel):
    contact_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    is_compliance = models.BooleanField(default=False)
    description = models.CharField(max_length=500)
    # PROTECT: the user id is part of the event's hash; deactivate users instead of deleting them.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="System, Portal: <contact>, Import #12…")
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    prev_hash = models.CharField(max_length=64)
    # Not indexed: the chain (each event names its predecessor's hash) is what proves the log
    # whole, and a unique index on random hashes was the dearest part of writing an event.
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["contact_id", "-id"], name="activity_contact_recent"),
            models.Index(fields=["case_id", "-id"], name="activity_case_recent"),
            models.Index(fields=["contact_id", "event_type", "-id"], name="activity_contact_type"),
            models.Index(fields=["contact_id", "is_compliance", "-id"], name="activity_contact_compliance"),
            models.Index(fields=["contact_id", "actor_user", "-id"], name="activity_contact_user"),
        ]

    def __str__(self):
        return f"{self.label}: {self.description}"

    @property
    def label(self) -> str:
        name = _EVENT_TYPE_LABELS.get(self.event_type, self.event_type)
        return f"Compliance: {name}" if self.is_compliance else name

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field, before, after) of an update event, as staff read them."""
        from activity.labels import display_value, field_label

        before, after = self.data.get("before") or {}, self.data.get("after") or {}
        return [
            (field_label(key), display_value(key, before.get(key)), display_value(key, after.get(key)))
            for key in dict.fromkeys([*before, *after])
        ]

    @property
    def actor(self) -> str:
        if self.actor_label:
            return self.actor_label
        if self.actor_user_id:
            return self.actor_user.get_full_name() or self.actor_user.get_username()
        return "System"


class DataAccessTally(models.Model):
    """How often one user looked at one thing inside a "Compliance: Data Access" event's window.

    The event itself is immutable (it is part of the hash chain); repeated views within the
    coalescing window only bump this counter, so a refresh does not flood the log.
    """

    event = models.OneToOneField(ActivityEvent, primary_key=True, on_delete=models.PROTECT, related_name="tally")
    contact_id = models.BigIntegerField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    what = models.CharField(max_length=300)
    count = models.PositiveIntegerField(default=1)
    last_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["contact_id", "user", "what", "-event"], name="access_tally_lookup")]

    def __str__(self):
        return f"{self.what} x{self.count}"


class DncRegistryKind(models.TextChoices):
    INTERNAL = "internal", "Firm's internal Do-Not-Call list"
    NATIONAL = "national", "National Do-Not-Call registry"


class DncRegistryVersion(models.Model):
    """One imported file of a Do-Not-Call registry, versioned by the date of the file.

    The firm's internal list is a single, ever-growing version with no file date.
    """

    kind = models.CharField(max_length=10, choices=DncRegistryKind.choices)
    file_date = models.DateField(null=True, blank=True, help_text="Date of the registry file (its version).")
    file_name = models.CharField(max_length=255, blank=True)
    number_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_current=True), name="one_current_dnc_registry"
            )
        ]

    def __str__(self):
        return self.version_label

    @property
    def version_label(self) -> str:
        if self.kind == DncRegistryKind.INTERNAL:
            return "internal list"
        return f"national registry of {self.file_date:%Y-%m-%d}"


class DncNumber(models.Model):
    registry = models.ForeignKey(DncRegistryVersion, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField("number (E.164)", max_length=20)
    reason = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["number", "registry"], name="unique_dnc_number_per_registry")]

    def __str__(self):
        return self.number
