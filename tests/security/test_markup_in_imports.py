"""Markup in an imported file is text wherever it shows: names on the list and the profile,
notes on the Notes tab (sanitized like any note), and refused rows on the result page."""

import pytest

from contacts.importing.service import run_import
from contacts.models import Contact, ImportNoteKind
from contacts.tests.factories import UserFactory, admin_user
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Email", "Notes"]
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


def assert_inert(page: str):
    for payload in (SCRIPT, IMAGE, "<script>alert", "<img src=x"):
        assert payload not in page, payload


def test_imported_names_and_notes_show_as_text(client):
    rows = [["Ann" + SCRIPT, "Lee" + IMAGE, "ann@example.com", "<p>Kept text</p>" + SCRIPT + IMAGE]]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=admin_user())
    run_import(batch)
    contact = Contact.objects.get()
    assert contact.first_name == "Ann" + SCRIPT  # stored as typed, shown as text
    client.force_login(UserFactory())

    for path in ("/contacts/", f"/contacts/{contact.pk}/", f"/contacts/{contact.pk}/notes/"):
        page = client.get(path).content.decode()
        assert "Ann&lt;script&gt;" in page or "Kept text" in page, path
        assert_inert(page)


def test_a_refused_rows_markup_is_text_on_the_result_page(client):
    rows = [[SCRIPT, IMAGE, "not an email " + SCRIPT, ""]]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=admin_user(), error_mode="valid_rows")
    run_import(batch)
    batch.refresh_from_db()
    assert batch.notes.filter(kind=ImportNoteKind.ERROR).exists()
    client.force_login(admin_user(username="ada"))
    page = client.get(f"/settings/import/{batch.pk}/result/").content.decode()
    assert page and "&lt;script&gt;" in page
    assert_inert(page)
