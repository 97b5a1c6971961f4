from django.contrib import admin

from contacts.models import Contact, ContactEmail, ContactPhone, DuplicateDismissal, LoginEvent, MergeRecord, Note


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 0


class ContactEmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "external_id",
        "login_source",
        "do_not_call",
        "do_not_text",
        "do_not_email",
        "created_at",
    ]
    list_filter = ["login_source", "kind", "do_not_call", "do_not_text", "do_not_email", "sentiment_label"]
    search_fields = ["search_name", "external_id", "phones__number", "emails__email"]
    readonly_fields = [
        "login_source",
        "web_last_login_at",
        "mobile_last_login_at",
        "merged_into",
        "archived_at",
        "created_at",
        "updated_at",
    ]
    inlines = [ContactPhoneInline, ContactEmailInline]
    show_full_result_count = False
    list_per_page = 50


@admin.register(ContactPhone)
class ContactPhoneAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "line_type", "is_primary", "contact"]
    list_filter = ["kind", "line_type", "is_primary"]
    search_fields = ["number"]
    raw_id_fields = ["contact"]
    show_full_result_count = False


@admin.register(ContactEmail)
class ContactEmailAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "is_primary", "contact"]
    list_filter = ["kind", "is_primary"]
    search_fields = ["email"]
    raw_id_fields = ["contact"]
    show_full_result_count = False


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["contact", "channel", "occurred_at", "user_agent"]
    list_filter = ["channel"]
    raw_id_fields = ["contact"]
    show_full_result_count = False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "contact", "author", "is_pinned", "created_at"]
    list_filter = ["is_pinned"]
    search_fields = ["body_html"]
    raw_id_fields = ["contact"]


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "merged_at", "undone_at"]
    raw_id_fields = ["survivor"]


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "dismissed_by", "dismissed_at"]
    raw_id_fields = ["contact_a", "contact_b"]
