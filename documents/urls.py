from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("contacts/<int:contact_id>/documents/", views.contact_documents_view, name="contact_documents"),
    path("contacts/<int:contact_id>/notes/", views.contact_notes_view, name="contact_notes"),
]
