from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("contacts/<int:contact_id>/documents/", views.contact_documents_view, name="contact_documents"),
    path(
        "contacts/<int:contact_id>/documents/<int:document_id>/download/",
        views.document_download_view,
        name="download",
    ),
    path("contacts/<int:contact_id>/documents/<int:document_id>/preview/", views.document_preview_view, name="preview"),
    path("contacts/<int:contact_id>/documents/<int:document_id>/delete/", views.document_delete_view, name="delete"),
    path("contacts/<int:contact_id>/documents/download-all/", views.download_all_view, name="download_all"),
    path("contacts/<int:contact_id>/documents/bundles/<int:bundle_id>/", views.bundle_view, name="bundle"),
    path(
        "contacts/<int:contact_id>/documents/bundles/<int:bundle_id>/download/",
        views.bundle_download_view,
        name="bundle_download",
    ),
    path("documents/bundle-link/<str:token>/", views.bundle_link_view, name="bundle_link"),
    # Case → Documents: Case Documents (the case's own files) and Contact Documents.
    path("cases/<int:case_id>/documents/", views.case_documents_view, name="case_documents"),
    path("cases/<int:case_id>/documents/contacts/", views.case_contact_documents_view, name="case_contact_documents"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/download/",
        views.case_document_download_view,
        name="case_download",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/preview/",
        views.case_document_preview_view,
        name="case_preview",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/delete/", views.case_document_delete_view, name="case_delete"
    ),
    path("cases/<int:case_id>/documents/download-all/", views.case_download_all_view, name="case_download_all"),
    path("cases/<int:case_id>/documents/bundles/<int:bundle_id>/", views.case_bundle_view, name="case_bundle"),
    path(
        "cases/<int:case_id>/documents/bundles/<int:bundle_id>/download/",
        views.case_bundle_download_view,
        name="case_bundle_download",
    ),
    path("contacts/<int:contact_id>/profile.pdf", views.contact_profile_pdf_view, name="profile_pdf"),
    path("contacts/<int:contact_id>/notes/", views.contact_notes_view, name="contact_notes"),
    path("contacts/<int:contact_id>/notes/<int:note_id>/edit/", views.note_edit_view, name="note_edit"),
    path("contacts/<int:contact_id>/notes/<int:note_id>/delete/", views.note_delete_view, name="note_delete"),
    path("contacts/<int:contact_id>/notes/<int:note_id>/pin/", views.note_pin_view, name="note_pin"),
]
