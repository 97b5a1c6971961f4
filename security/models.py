"""The security log: sign-ins, lockouts, second factors, role changes and exports.

Append-only like the activity log (the same mixin and database trigger). It is the firm's
record of who got into the system and what they could do there, so it names users by id
and by the username typed, and outlives the accounts it describes.
"""

from django.conf import settings
from django.db import models

from activity.append_only import AppendOnlyModel


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKOUT = "lockout", "Locked out"
    LOCKOUT_RESET = "lockout_reset", "Lockout lifted"
    SIGN_OUT = "sign_out", "Signed out"
    SESSION_EXPIRED = "session_expired", "Session expired"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor sign-in turned on"
    TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor sign-in turned off"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Recovery codes replaced"
    TWO_FACTOR_VERIFIED = "two_factor_verified", "Second factor verified"
    TWO_FACTOR_FAILED = "two_factor_failed", "Second factor refused"
    ROLE_CHANGED = "role_changed", "Role changed"
    EXPORT = "export", "Export"
    API_TOKEN = "api_token", "API token"


class SecurityEvent(AppendOnlyModel):
    kind = models.CharField(max_length=40, choices=SecurityEventKind.choices)
    # The account the event is about. No database constraint and no cascade: deleting a user
    # must neither fail on their history nor rewrite it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # The account's username, or what was typed on the sign-in form: the log's filter reads it.
    username = models.CharField(max_length=150, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["created_at"], name="security_event_time"),
            models.Index(fields=["kind", "-id"], name="security_event_kind"),
            models.Index(fields=["username", "-id"], name="security_event_username"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.username or self.user_id or '-'}"

    @property
    def detail_items(self) -> list[tuple[str, str]]:
        """The details as an admin reads them: "added: Admin, Staff", "is_staff: no → yes"."""
        return [(key.replace("_", " "), _display(value)) for key, value in self.details.items()]


def _display(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and len(value) == 2 and all(isinstance(item, bool) for item in value):
        return f"{_display(value[0])} → {_display(value[1])}"
    if isinstance(value, list):
        return ", ".join(_display(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={_display(item)}" for key, item in value.items()) or "none"
    return "" if value is None else str(value)
