from django.contrib import admin

from security.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ["created_at", "kind", "username", "client_ip", "user_agent"]
    list_filter = ["kind"]
    search_fields = ["=username", "=client_ip"]
    show_full_result_count = False
    readonly_fields = ["kind", "user", "username", "client_ip", "user_agent", "details", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
