"""An empty file says so, naming the file; nothing of the upload is stored."""

import pytest
from django.urls import reverse

from contacts.models import Note
from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import Document
from documents.tests.factories import PDF_BYTES, upload

pytestmark = pytest.mark.django_db

EMPTY = "“report.pdf” is empty (0 bytes); choose the file again."


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="nora"))
    return client


def test_an_empty_file_on_the_documents_tab_is_named(staff_client):
    contact = ContactFactory()
    url = reverse("documents:contact_documents", args=[contact.pk])
    response = staff_client.post(url, {"files": [upload("report.pdf", b"")]}, follow=True)
    page = response.content.decode()
    assert "report.pdf” is empty (0 bytes); choose the file again." in page
    assert "Choose at least one file" not in page
    assert not Document.objects.exists()


def test_an_empty_file_among_good_ones_stores_none_of_them(staff_client):
    contact = ContactFactory()
    url = reverse("documents:contact_documents", args=[contact.pk])
    files = [upload("scan.pdf", PDF_BYTES), upload("report.pdf", b"")]
    response = staff_client.post(url, {"files": files}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json() == {"ok": False, "error": EMPTY}
    assert not Document.objects.exists()


def test_no_file_at_all_still_asks_for_one(staff_client):
    contact = ContactFactory()
    url = reverse("documents:contact_documents", args=[contact.pk])
    response = staff_client.post(url, {}, follow=True)
    assert "Choose at least one file to upload." in response.content.decode()


def test_an_empty_note_attachment_is_named_and_the_note_not_saved(staff_client):
    contact = ContactFactory()
    response = staff_client.post(
        reverse("documents:contact_notes", args=[contact.pk]),
        {"body_html": "<p>See attached</p>", "attachments": [upload("report.pdf", b"")]},
    )
    assert response.status_code == 400
    assert "report.pdf” is empty (0 bytes); choose the file again." in response.content.decode()
    assert not Note.objects.exists() and not Document.objects.exists()
