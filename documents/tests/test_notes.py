from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEvent, EventType
from contacts.models import Note
from contacts.rich_text import sanitize_note_html
from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import Document
from documents.services import create_note
from documents.tests.factories import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="nora", first_name="Nora", last_name="Notes")
    client.force_login(user)
    client.user = user
    return client


def notes_url(contact):
    return reverse("documents:contact_notes", args=[contact.pk])


def test_script_and_event_handlers_are_stripped_from_a_note(staff_client):
    contact = ContactFactory()
    body = (
        "<h2>Call</h2><p><strong>Client</strong> <em>called</em>"
        '<img src=x onerror="alert(1)"><script>alert(document.cookie)</script></p>'
        '<ul><li>one</li></ul><blockquote>quote</blockquote><a href="javascript:alert(1)">bad</a>'
        '<a href="https://example.com/x" onclick="steal()">site</a><p style="color:red">styled</p>'
    )
    response = staff_client.post(notes_url(contact), {"body_html": body})
    assert response.status_code == 302
    stored = Note.objects.get(contact=contact).body_html
    assert "<script" not in stored and "alert" not in stored and "onerror" not in stored
    assert "onclick" not in stored and "javascript:" not in stored and "style=" not in stored and "<img" not in stored
    assert "<h2>Call</h2>" in stored and "<strong>Client</strong>" in stored and "<em>called</em>" in stored
    assert "<ul><li>one</li></ul>" in stored and "<blockquote>quote</blockquote>" in stored
    assert '<a href="https://example.com/x" rel="noopener noreferrer">site</a>' in stored
    page = staff_client.get(notes_url(contact)).content.decode()
    assert "<strong>Client</strong>" in page and "<script>alert" not in page


def test_sanitizer_allowlist():
    assert sanitize_note_html('<iframe src="https://evil"></iframe><b>ok</b>') == "<b>ok</b>"
    assert sanitize_note_html("<svg><script>x</script></svg>text") == "text"


def test_an_empty_note_is_refused(staff_client):
    contact = ContactFactory()
    response = staff_client.post(notes_url(contact), {"body_html": "<script>alert(1)</script>  "})
    assert response.status_code == 400
    assert "Write something" in response.content.decode()
    assert not Note.objects.exists()


def test_note_attachments_are_documents_of_the_contact(staff_client):
    contact = ContactFactory()
    staff_client.post(
        notes_url(contact), {"body_html": "<p>See the scan</p>", "attachments": [upload("scan.pdf", PDF_BYTES)]}
    )
    note = Note.objects.get()
    document = Document.objects.get()
    assert document.note == note and document.contact == contact and document.original_name == "scan.pdf"
    assert "scan.pdf" in staff_client.get(notes_url(contact)).content.decode()
    documents_tab = staff_client.get(reverse("documents:contact_documents", args=[contact.pk])).content.decode()
    assert "scan.pdf" in documents_tab and "Note attachment" in documents_tab


def test_a_refused_attachment_keeps_the_note_unsaved(staff_client):
    contact = ContactFactory()
    response = staff_client.post(
        notes_url(contact), {"body_html": "<p>text</p>", "attachments": [upload("x.html", b"<html></html>")]}
    )
    assert response.status_code == 400
    assert "HTML, SVG" in response.content.decode()
    assert not Note.objects.exists() and not Document.objects.exists()


def test_adding_editing_pinning_and_deleting_notes_are_audited(staff_client):
    contact = ContactFactory()
    staff_client.post(notes_url(contact), {"body_html": "<p>first</p>"})
    note = Note.objects.get()
    edit = reverse("documents:note_edit", args=[contact.pk, note.pk])
    assert staff_client.post(edit, {"body_html": "<p>second <script>x</script></p>"}).status_code == 302
    note.refresh_from_db()
    assert note.body_html == "<p>second </p>"
    staff_client.post(reverse("documents:note_pin", args=[contact.pk, note.pk]))
    staff_client.post(reverse("documents:note_delete", args=[contact.pk, note.pk]))
    note.refresh_from_db()
    assert note.is_pinned and note.deleted_at is not None
    descriptions = list(
        ActivityEvent.objects.filter(contact_id=contact.pk, event_type=EventType.NOTE)
        .order_by("id")
        .values_list("description", flat=True)
    )
    assert descriptions == ["Added a note", "Edited a note", "Pinned a note", "Deleted a note"]
    assert "second" not in staff_client.get(notes_url(contact)).content.decode()


def test_another_contacts_note_is_a_404(staff_client):
    note = create_note(contact=ContactFactory(), user=None, body_html="<p>private</p>")
    other = ContactFactory()
    assert staff_client.get(reverse("documents:note_edit", args=[other.pk, note.pk])).status_code == 404
    assert staff_client.post(reverse("documents:note_delete", args=[other.pk, note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.deleted_at is None


def test_notes_are_pinned_first_then_newest_with_search_and_edited_marker(staff_client, django_assert_max_num_queries):
    contact = ContactFactory()
    old = create_note(contact=contact, user=staff_client.user, body_html="<p>old pinned about the settlement</p>")
    Note.objects.filter(pk=old.pk).update(
        is_pinned=True, created_at=timezone.now() - timedelta(days=3), updated_at=timezone.now()
    )
    create_note(contact=contact, user=staff_client.user, body_html="<p>gamma-note</p>")
    create_note(contact=contact, user=staff_client.user, body_html="<p>delta-note</p>")
    # Session, user, contact, the header's phones, emails and two permission lookups,
    # then the tab's own count and rows: a fixed number, whatever the rows.
    with django_assert_max_num_queries(10):
        page = staff_client.get(notes_url(contact)).content.decode()
    assert page.index("old pinned") < page.index("delta-note") < page.index("gamma-note")
    assert page.count("edited") == 1 and "Nora Notes" in page
    found = staff_client.get(notes_url(contact), {"q": "settlement"}).content.decode()
    assert "old pinned" in found and "delta-note" not in found


def test_profile_pdf_has_the_summary_notes_and_activity(staff_client):
    contact = ContactFactory(first_name="Pia", last_name="Printed")
    create_note(contact=contact, user=staff_client.user, body_html="<p><strong>Pinned fact</strong> for the file</p>")
    response = staff_client.get(reverse("documents:profile_pdf", args=[contact.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith('attachment; filename="Pia Printed profile.pdf"')
    assert ActivityEvent.objects.filter(contact_id=contact.pk, event_type=EventType.DATA_ACCESS).exists()


def test_profile_pdf_content(staff_client):
    from django.template.loader import render_to_string

    from documents.pdf import contact_profile_pdf  # noqa: F401  (the view renders this template)
    from documents.selectors import contact_notes

    contact = ContactFactory(first_name="Pia", last_name="Printed")
    create_note(contact=contact, user=staff_client.user, body_html="<p><strong>Pinned fact</strong></p>")
    html = render_to_string(
        "documents/profile_pdf.html",
        {"contact": contact, "notes": list(contact_notes(contact=contact)), "events": ActivityEvent.objects.all()},
    )
    assert "Pia Printed" in html and "<strong>Pinned fact</strong>" in html and "Added a note" in html


@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
def test_a_note_request_over_the_total_limit_is_refused_and_nothing_changes(staff_client, settings, editing):
    contact = ContactFactory()
    staff_client.post(notes_url(contact), {"body_html": "<p>kept</p>"})
    note = Note.objects.get()
    settings.DOCUMENT_MAX_REQUEST_BYTES = 10_000
    url = reverse("documents:note_edit", args=[contact.pk, note.pk]) if editing else notes_url(contact)
    files = [upload(f"part{i}.txt", b"b" * 40_000) for i in range(3)]
    response = staff_client.post(url, {"body_html": "<p>changed</p>", "attachments": files}, follow=True)
    assert "smaller groups" in response.content.decode()
    assert list(Note.objects.values_list("body_html", flat=True)) == ["<p>kept</p>"]
    assert not Document.objects.exists()
