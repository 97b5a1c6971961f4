"""Documents of contacts (private files) and Download All bundles."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import Case
from contacts.models import Contact, Note
from documents.storage import private_storage, random_bundle_name, random_upload_name


class Document(models.Model):
    """A private file: a contact's (optionally filed under one of their cases), or a case's own
    (no contact: the case's Case Documents). Like every document, a case's own is kept for the
    record (its row and file) if the case is ever deleted; no page lists it then."""

    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=random_upload_name, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the file's bytes.")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_portal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="document_contact_recent"),
            models.Index(
                fields=["case", "-created_at"],
                condition=models.Q(contact__isnull=True),
                name="document_case_own_recent",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def type(self):
        from documents.validation import document_type

        return document_type(self.content_type)

    @property
    def uploader_label(self) -> str:
        if self.via_portal:
            return "Portal"
        if self.uploaded_by_id:
            return self.uploaded_by.get_full_name() or self.uploaded_by.get_username()
        return "System"


class BundleStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class DownloadBundle(models.Model):
    """A zip of all a contact's documents, or of a case's own documents, built once by Celery,
    downloadable for 24 hours."""

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="download_bundles"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="download_bundles")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=BundleStatus.choices, default=BundleStatus.PENDING)
    fingerprint = models.CharField(max_length=64, help_text="Hash of the document set the bundle holds.")
    file = models.FileField(storage=private_storage, upload_to=random_bundle_name, blank=True, max_length=200)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact", "fingerprint"], name="bundle_contact_fingerprint")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, case__isnull=True)
                | models.Q(contact__isnull=True, case__isnull=False),
                name="bundle_of_a_contact_or_a_case",
            )
        ]

    def __str__(self):
        return f"Bundle #{self.pk} ({self.get_status_display()})"

    @property
    def owner_name(self) -> str:
        """Whose documents: the contact's name, or the case's number."""
        return self.contact.display_name if self.contact_id else self.case.number

    def documents(self):
        """The live documents the bundle holds."""
        if self.contact_id:
            return Document.objects.filter(contact_id=self.contact_id, deleted_at__isnull=True)
        return Document.objects.filter(case_id=self.case_id, contact__isnull=True, deleted_at__isnull=True)

    @property
    def is_expired(self) -> bool:
        return self.status == BundleStatus.EXPIRED or self.expires_at <= timezone.now()
