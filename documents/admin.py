from django.contrib import admin

from documents.models import Document, DownloadBundle


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "content_type",
        "size",
        "contact",
        "case",
        "via_portal",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["content_type", "via_portal"]
    search_fields = ["original_name", "sha256"]
    raw_id_fields = ["contact", "case", "note"]
    readonly_fields = ["file", "sha256", "size", "content_type"]


@admin.register(DownloadBundle)
class DownloadBundleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "contact", "case", "status", "files_done", "files_total", "expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["contact", "case"]
    readonly_fields = ["token_hash", "fingerprint", "file"]
