from django.contrib import admin

from cases.models import Appointment, Case, CaseContact, FormTemplate, Message, Task


class CaseContactInline(admin.TabularInline):
    model = CaseContact
    raw_id_fields = ["contact"]
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "practice_area", "stage", "opened_on"]
    list_filter = ["practice_area", "stage"]
    search_fields = ["number", "title"]
    inlines = [CaseContactInline]


@admin.register(CaseContact)
class CaseContactAdmin(admin.ModelAdmin):
    list_display = ["case", "contact", "role"]
    list_filter = ["role"]
    raw_id_fields = ["case", "contact"]


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "due_on", "case", "contact"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["case", "contact"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "location", "case", "contact"]
    search_fields = ["title", "location"]
    raw_id_fields = ["case", "contact"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "channel", "direction", "contact", "case", "sent_at"]
    list_filter = ["channel", "direction"]
    search_fields = ["body"]
    raw_id_fields = ["case", "contact"]
