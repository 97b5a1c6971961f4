from django.contrib import admin

from activity.models import ActivityEvent, DncNumber, DncRegistryVersion


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ["occurred_at", "label", "description", "contact_id", "case_id", "actor"]
    list_filter = ["event_type", "is_compliance", "occurred_at"]
    search_fields = ["description", "actor_label"]
    list_select_related = ["actor_user"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Compliance records change only through contacts.dnc (which logs each change)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DncRegistryVersion)
class DncRegistryVersionAdmin(ReadOnlyAdmin):
    list_display = ["version_label", "file_name", "number_count", "rejected_count", "is_current", "imported_at"]
    list_filter = ["kind", "is_current"]


@admin.register(DncNumber)
class DncNumberAdmin(ReadOnlyAdmin):
    list_display = ["number", "registry", "reason", "added_at"]
    list_select_related = ["registry"]
    search_fields = ["=number"]
    show_full_result_count = False
