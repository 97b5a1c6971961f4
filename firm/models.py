"""The firm's settings changed in Settings: one row per setting that overrides its
environment default (kayse/settings.py). No row: the environment's value applies."""

from django.conf import settings
from django.db import models


class FirmSetting(models.Model):
    name = models.CharField(max_length=60, unique=True, help_text="The setting's name, e.g. PORTAL_LINK_TTL.")
    value = models.JSONField(help_text="The value as firm.registry stores it.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        permissions = [("manage_users", "Can change users' roles and deactivate them")]

    def __str__(self):
        return self.name
