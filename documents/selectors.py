"""Reading documents, notes and bundles: every lookup is scoped to its contact."""

from datetime import timedelta

from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from contacts.models import Contact, Note
from documents.models import Document, DownloadBundle

DOCUMENT_SORTS = {
    "name": ("original_name", "pk"),
    "-name": ("-original_name", "-pk"),
    "size": ("size", "pk"),
    "-size": ("-size", "-pk"),
    "date": ("created_at", "pk"),
    "-date": ("-created_at", "-pk"),
    "type": ("content_type", "-created_at"),
    "-type": ("-content_type", "-created_at"),
}
DEFAULT_SORT = "-date"


def live_documents() -> QuerySet:
    return Document.objects.filter(deleted_at__isnull=True)


def contact_documents(*, contact: Contact, search: str = "", sort: str = DEFAULT_SORT) -> QuerySet:
    """A contact's documents with what a list row shows, in one query."""
    queryset = live_documents().filter(contact=contact).select_related("case", "uploaded_by", "note")
    if search.strip():
        queryset = queryset.filter(original_name__icontains=search.strip())
    return queryset.order_by(*DOCUMENT_SORTS.get(sort, DOCUMENT_SORTS[DEFAULT_SORT]))


def get_contact_document(*, contact_id: int, document_id: int) -> Document:
    """The document only if it belongs to this contact and is not deleted (else 404)."""
    return get_object_or_404(live_documents().select_related("contact"), pk=document_id, contact_id=contact_id)


def case_own_documents(*, case, search: str = "", sort: str = DEFAULT_SORT) -> QuerySet:
    """The case's own documents (no contact), with what a list row shows, in one query."""
    queryset = live_documents().filter(case=case, contact__isnull=True).select_related("case", "uploaded_by")
    if search.strip():
        queryset = queryset.filter(original_name__icontains=search.strip())
    return queryset.order_by(*DOCUMENT_SORTS.get(sort, DOCUMENT_SORTS[DEFAULT_SORT]))


def get_case_document(*, case_id: int, document_id: int) -> Document:
    """One of the case's own documents, not deleted (else 404): a contact's document is not the case's."""
    return get_object_or_404(
        live_documents().select_related("case"), pk=document_id, case_id=case_id, contact__isnull=True
    )


def get_user_case_bundle(*, case_id: int, bundle_id: int, user) -> DownloadBundle:
    """A case's bundle belongs to the case and to the person who asked for it; anything else is a 404."""
    return get_object_or_404(
        DownloadBundle.objects.select_related("case"), pk=bundle_id, case_id=case_id, requested_by=user
    )


def case_contact_documents(*, case) -> QuerySet:
    """Documents of every contact on the case, grouped by contact (for the Contact Documents tab)."""
    return (
        live_documents()
        .filter(contact__case_links__case=case)
        .select_related("contact", "case", "uploaded_by", "note")
        .order_by("contact__sort_name", "contact_id", "-created_at", "-pk")
    )


def contact_notes(*, contact: Contact, search: str = "") -> QuerySet:
    """Live notes, pinned first then newest, with author and live attachments in two queries."""
    queryset = (
        Note.objects.filter(contact=contact, deleted_at__isnull=True)
        .select_related("author")
        .annotate(
            is_edited=Case(
                When(updated_at__gt=F("created_at") + timedelta(minutes=1), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .prefetch_related(Prefetch("attachments", queryset=live_documents().order_by("pk"), to_attr="live_attachments"))
        .order_by("-is_pinned", "-created_at", "-pk")
    )
    for word in search.split():
        queryset = queryset.filter(Q(body_html__icontains=word))
    return queryset


def get_contact_note(*, contact_id: int, note_id: int) -> Note:
    notes = Note.objects.select_related("contact").filter(deleted_at__isnull=True)
    return get_object_or_404(notes, pk=note_id, contact_id=contact_id)


def get_user_bundle(*, contact_id: int, bundle_id: int, user) -> DownloadBundle:
    """A bundle belongs to the contact and to the person who asked for it; anything else is a 404."""
    return get_object_or_404(
        DownloadBundle.objects.select_related("contact"), pk=bundle_id, contact_id=contact_id, requested_by=user
    )
