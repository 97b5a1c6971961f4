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


class PortalLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


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

    objects = PortalLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_purpose_display()} link for contact #{self.contact_id}"

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
