from django.contrib import admin

from portal.models import PortalLink, PortalSession


@admin.register(PortalLink)
class PortalLinkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "channel", "sent_to", "delivery_status", "expires_at", "first_used_at", "revoked_at"]
    list_filter = ["purpose", "channel", "delivery_status"]
    raw_id_fields = ["contact", "case", "task", "created_by"]
    readonly_fields = ["token_hash"]


@admin.register(PortalSession)
class PortalSessionAdmin(admin.ModelAdmin):
    """Read only: sessions are started by contacts and ended by revoking their link."""

    list_display = ["__str__", "channel", "created_at", "last_seen_at", "ended_at"]
    list_filter = ["channel"]
    raw_id_fields = ["link", "contact"]
    readonly_fields = ["key_hash", "link", "contact", "channel", "created_at", "last_seen_at", "ended_at"]

    def has_add_permission(self, request):
        return False
