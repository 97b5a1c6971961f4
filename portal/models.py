"""Secure expiring links that open the contact's no-account portal."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import Case, Task
from contacts.models import Contact


class LinkPurpose(models.TextChoices):
    CASE = "case", "Case status"
    TASK = "task", "Task or form"
    UPLOAD = "upload", "Document upload"
    MESSAGES = "messages", "Messages"


class LinkChannel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    COPY = "copy", "Copied link"


class SecondFactor(models.TextChoices):
    NONE = "", "None"
    PHONE_LAST4 = "phone_last4", "Last four digits of the phone on file"
    DATE_OF_BIRTH = "dob", "Date of birth"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class PortalLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            contact__merged_into__isnull=True,
            contact__archived_at__isnull=True,
        )


class PortalLink(models.Model):
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the token; the token is never stored."
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="portal_links")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="portal_links")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="portal_links")
    purpose = models.CharField(max_length=10, choices=LinkPurpose.choices, default=LinkPurpose.CASE)
    channel = models.CharField(max_length=10, choices=LinkChannel.choices)
    sent_to = models.CharField(max_length=254, blank=True)
    expires_at = models.DateTimeField()
    first_used_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    second_factor = models.CharField(max_length=12, choices=SecondFactor.choices, blank=True)
    message_template = models.TextField(
        blank=True, help_text="The text sent, with {link} where the link goes; the token itself is never stored."
    )
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    delivery_error = models.CharField(max_length=300, blank=True)
    send_after = models.DateTimeField(null=True, blank=True, help_text="Held until the contact's calling window opens.")
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = PortalLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="portal_link_case_recent"),
            models.Index(fields=["contact", "-created_at"], name="portal_link_contact_recent"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} link for contact #{self.contact_id}"

    @property
    def is_usable(self) -> bool:
        return not self.revoked_at and self.expires_at > timezone.now() and not self.contact_is_gone

    @property
    def contact_is_gone(self) -> bool:
        return bool(self.contact.merged_into_id or self.contact.archived_at)

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        if self.task_id and self.task.status in ("submitted", "done"):
            return "completed"
        if self.first_used_at:
            return "opened"
        return "sent"


class PortalSession(models.Model):
    """A contact's visit that started from a link. The cookie holds a random key; only its
    SHA-256 is stored. Revoking the link ends its sessions; idle ones end on their own."""

    key_hash = models.CharField(max_length=64, unique=True)
    link = models.ForeignKey(PortalLink, on_delete=models.CASCADE, related_name="sessions")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="portal_sessions")
    channel = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Portal session of contact #{self.contact_id}"
