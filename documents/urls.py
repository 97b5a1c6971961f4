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
    path("cases/<int:case_id>/documents/", views.case_documents_view, name="case_documents"),
    path("contacts/<int:contact_id>/profile.pdf", views.contact_profile_pdf_view, name="profile_pdf"),
    path("contacts/<int:contact_id>/notes/", views.contact_notes_view, name="contact_notes"),
    path("contacts/<int:contact_id>/notes/<int:note_id>/edit/", views.note_edit_view, name="note_edit"),
    path("contacts/<int:contact_id>/notes/<int:note_id>/delete/", views.note_delete_view, name="note_delete"),
    path("contacts/<int:contact_id>/notes/<int:note_id>/pin/", views.note_pin_view, name="note_pin"),
]
