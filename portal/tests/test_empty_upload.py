"""An empty file sent from the portal says so, naming the file, in the contact's language."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.tests.factories import TaskFactory
from documents.models import Document
from portal.tests.factories import contact_on_case, issued_link

pytestmark = pytest.mark.django_db


def signed_in(client, **contact_fields):
    contact, case = contact_on_case(**contact_fields)
    _link, token = issued_link(contact, case=case)
    assert client.post(f"/p/{token}/").status_code == 302
    return contact, case


def test_an_empty_photo_on_the_upload_page_is_named(client):
    signed_in(client)
    response = client.post("/portal/documents/", {"files": [SimpleUploadedFile("report.pdf", b"")]})
    assert response.status_code == 400
    assert "report.pdf” is empty (0 bytes); choose the file again." in response.content.decode()
    assert not Document.objects.exists()


def test_the_message_is_in_spanish_for_a_spanish_speaking_contact(client):
    signed_in(client, language="es")
    response = client.post("/portal/documents/", {"files": [SimpleUploadedFile("recibo.pdf", b"")]})
    assert "recibo.pdf” está vacío (0 bytes); vuelva a elegir el archivo." in response.content.decode()


def test_an_empty_file_in_a_form_task_is_named(client):
    contact, case = signed_in(client)
    task = TaskFactory(
        case=case,
        contact=contact,
        kind="form",
        title="Photo ID",
        form_fields=[{"name": "id_photo", "label": "Photo of your ID", "type": "file", "required": True}],
    )
    response = client.post(
        f"/portal/tasks/{task.pk}/", {"action": "submit", "id_photo": SimpleUploadedFile("report.pdf", b"")}
    )
    assert response.status_code == 200
    assert "report.pdf” is empty (0 bytes); choose the file again." in response.content.decode()
    assert not Document.objects.exists()
