"""A request body larger than any upload the app takes is refused before anything reads it
(Django's CSRF check would otherwise read it, files and all, before the view's own limit)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client

from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

TWO_MEGABYTES = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)


@pytest.fixture
def small_limits(settings, monkeypatch):
    settings.DOCUMENT_MAX_REQUEST_BYTES = 10_000
    settings.IMPORT_MAX_UPLOAD_BYTES = 10_000  # so the largest body is 10 kB + 1 MB of form

    def never_read(self):
        raise AssertionError("the oversized body was read")

    monkeypatch.setattr(MultiPartParser, "parse", never_read)


def csrf_client() -> tuple[Client, str]:
    """A client holding a CSRF cookie, as anyone who opened the sign-in page does."""
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    return client, client.cookies["csrftoken"].value


def test_an_oversized_post_to_the_sign_in_page_is_refused_unread(small_limits):
    client, token = csrf_client()
    form = {"username": "x", "file": SimpleUploadedFile("big.pdf", TWO_MEGABYTES)}
    response = client.post("/login/", form, headers={"X-CSRFToken": token})
    assert response.status_code == 413
    assert "Upload too large" in response.text and "1.0\xa0MB" in response.text
    assert response["X-Frame-Options"] == "DENY" and "default-src 'self'" in response["Content-Security-Policy"]


def test_the_uploader_gets_its_answer_as_json(small_limits):
    client, token = csrf_client()
    client.force_login(UserFactory())
    contact = ContactFactory()
    response = client.post(
        f"/contacts/{contact.pk}/documents/",
        {"files": SimpleUploadedFile("big.pdf", TWO_MEGABYTES)},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {"ok": False, "error": "That upload is larger than 1.0\xa0MB in total."}


def test_a_body_within_the_limit_is_read_as_usual(settings):
    settings.DOCUMENT_MAX_REQUEST_BYTES = 10_000
    UserFactory(username="pat")
    client, token = csrf_client()
    response = client.post(
        "/login/", {"username": "pat", "password": "correct horse battery", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
