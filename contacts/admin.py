from django import forms
from django.contrib import admin
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from contacts.exporting import record_export
from contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DuplicateDismissal,
    DuplicateModel,
    DuplicateRule,
    LoginEvent,
    MergeRecord,
    Note,
)
from contacts.resources import ContactResource


class ContactImportForm(ImportForm):
    on_duplicate = forms.ChoiceField(
        label="When a row matches an existing contact", choices=DuplicateRule.choices, initial=DuplicateRule.SKIP
    )


class ContactConfirmImportForm(ConfirmImportForm):
    on_duplicate = forms.ChoiceField(choices=DuplicateRule.choices, widget=forms.HiddenInput)


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 0


class ContactEmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 0


@admin.register(Contact)
class ContactAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [ContactResource]
    import_form_class = ContactImportForm
    confirm_form_class = ContactConfirmImportForm
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

    def has_import_permission(self, request):
        return request.user.has_perm("contacts.import_contacts")

    def has_export_permission(self, request):
        return request.user.has_perm("contacts.export_contacts")

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["on_duplicate"] = import_form.cleaned_data["on_duplicate"]
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        rule = form.cleaned_data.get("on_duplicate") if form is not None and form.is_valid() else None
        name = form.cleaned_data.get("original_file_name", "") if form is not None and form.is_valid() else ""
        return {"on_duplicate": rule or DuplicateRule.SKIP, "user": request.user, "file_name": name}

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        record_export(
            user=request.user,
            filters={"admin": request.GET.urlencode()},
            fields=[],
            row_count=None,
            file_format=type(file_format).__name__.lower(),
            request=request,
        )
        return data


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


@admin.register(DuplicateModel)
class DuplicateModelAdmin(admin.ModelAdmin):
    """Trained versions of the duplicate model: read-only (`manage.py train_duplicate_model`)."""

    list_display = ["version", "created_at", "contacts", "compared_pairs", "seconds"]
    readonly_fields = ["version", "created_at", "contacts", "compared_pairs", "seconds", "parameters"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
