from django.contrib import admin

from activity.models import ActivityEvent


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
