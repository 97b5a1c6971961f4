from django.contrib import admin

from portal.models import PortalLink


@admin.register(PortalLink)
class PortalLinkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "channel", "sent_to", "expires_at", "first_used_at", "revoked_at"]
    list_filter = ["purpose", "channel"]
    raw_id_fields = ["contact", "case", "task"]
    readonly_fields = ["token_hash"]
