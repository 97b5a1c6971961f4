"""A note's HTML is sanitized on every way in (the admin, services, bulk inserts) and again
on every way out (the Notes tab, the edit form, the profile PDF), so old rows are safe too."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Note
from contacts.tests.factories import ContactFactory, UserFactory
from documents.pdf import contact_profile_html

pytestmark = pytest.mark.django_db

PAYLOADS = '<p>Kept text</p><img src=x onerror=alert(1)><script>alert(1)</script><a href="javascript:alert(1)">x</a>'


def assert_clean(html: str):
    assert "Kept text" in html
    for leak in ("onerror", "alert(1)", "javascript:", "<img", "<script>"):
        assert leak not in html, leak


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "correct horse battery")
    client.force_login(user)
    return client


def notes_tab(client, contact) -> str:
    return client.get(reverse("documents:contact_notes", args=[contact.pk])).content.decode()


def test_a_note_added_in_the_admin_is_stored_and_shown_without_the_payloads(superuser_client):
    contact = ContactFactory()
    response = superuser_client.post(
        reverse("admin:contacts_note_add"), {"contact": contact.pk, "body_html": PAYLOADS, "is_pinned": ""}
    )
    assert response.status_code == 302
    note = Note.objects.get(contact=contact)
    assert_clean(note.body_html)
    assert_clean(notes_tab(superuser_client, contact))
    assert_clean(contact_profile_html(contact=contact))


def test_a_note_changed_in_the_admin_is_stored_without_the_payloads(superuser_client):
    contact = ContactFactory()
    note = Note.objects.create(contact=contact, body_html="<p>first</p>")
    response = superuser_client.post(
        reverse("admin:contacts_note_change", args=[note.pk]),
        {"contact": contact.pk, "body_html": PAYLOADS, "is_pinned": "on"},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert_clean(note.body_html)
    assert_clean(notes_tab(superuser_client, contact))


def test_bulk_inserted_notes_are_sanitized_too():
    contact = ContactFactory()
    Note.objects.bulk_create([Note(contact=contact, body_html=PAYLOADS)])
    assert_clean(Note.objects.get(contact=contact).body_html)


def test_raw_html_already_in_the_database_is_shown_clean(client):
    user = UserFactory(username="nora")
    client.force_login(user)
    contact = ContactFactory()
    note = Note.objects.create(contact=contact, body_html="<p>placeholder</p>")
    Note.objects.filter(pk=note.pk).update(body_html=PAYLOADS)  # as an old row or a raw fix would be
    assert "onerror" in Note.objects.get(pk=note.pk).body_html

    assert_clean(notes_tab(client, contact))
    assert_clean(contact_profile_html(contact=contact))
    edit_form = client.get(reverse("documents:note_edit", args=[contact.pk, note.pk])).content.decode()
    assert "onerror" not in edit_form and "alert(1)" not in edit_form


def test_no_project_template_marks_stored_text_safe():
    """Stored HTML is shown through |sanitized_html, never trusted with |safe (every template
    folder of the project, a new app's too)."""
    ours = [Path(config.path) for config in apps.get_app_configs() if "site-packages" not in config.path]
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]] + [path / "templates" for path in ours]
    assert Path(settings.BASE_DIR) / "security" / "templates" in folders
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for folder in folders
        for path in folder.rglob("*.html")
        if "|safe" in path.read_text() or "autoescape off" in path.read_text()
    ]
    assert offenders == []


def test_a_refused_note_is_shown_again_without_the_payloads(client):
    client.force_login(UserFactory(username="nora"))
    contact = ContactFactory()
    response = client.post(
        reverse("documents:contact_notes", args=[contact.pk]),
        {"body_html": PAYLOADS, "attachments": [SimpleUploadedFile("page.html", b"<html></html>")]},
    )
    assert response.status_code == 400 and not Note.objects.exists()
    assert_clean(response.content.decode())
