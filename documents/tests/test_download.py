from urllib.parse import quote

import pytest
from django.urls import reverse

from activity.models import ActivityEvent, EventType
from contacts.tests.factories import ContactFactory, UserFactory
from documents.http import content_disposition
from documents.services import delete_document
from documents.tests.factories import PDF_BYTES, PNG_BYTES, make_document, office_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="dana")
    client.force_login(user)
    client.user = user
    return client


def download_url(document, contact_id=None):
    return reverse("documents:download", args=[contact_id or document.contact_id, document.pk])


def test_download_is_an_attachment_with_safe_headers(staff_client):
    document = make_document(ContactFactory(), name="Déclaration “finale” d'accident.pdf")
    response = staff_client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''" + quote("Déclaration “finale” d'accident.pdf", safe="") in disposition
    assert 'filename="Declaration "finale"' not in disposition  # quotes never break out of the fallback
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_fallback_filename_is_plain_ascii_without_quotes_and_long_names_are_kept_whole():
    long_name = "Ñandú " + "x" * 300 + ".pdf"
    header = content_disposition(long_name)
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".pdf") and len(fallback) <= 150
    assert header.endswith(quote(long_name, safe=""))
    assert content_disposition('a"b\\c;.pdf').startswith('attachment; filename="a_b_c_.pdf"')


def test_every_download_writes_a_compliance_data_access_event(staff_client):
    document = make_document(ContactFactory(), name="id.pdf")
    staff_client.get(download_url(document))
    event = ActivityEvent.objects.get(contact_id=document.contact_id, event_type=EventType.DATA_ACCESS)
    assert event.is_compliance
    assert event.actor_user == staff_client.user
    assert "id.pdf" in event.description


def test_another_contacts_document_is_a_404(staff_client):
    document = make_document(ContactFactory())
    someone_else = ContactFactory()
    assert staff_client.get(download_url(document, contact_id=someone_else.pk)).status_code == 404
    preview = reverse("documents:preview", args=[someone_else.pk, document.pk])
    assert staff_client.get(preview).status_code == 404
    delete = reverse("documents:delete", args=[someone_else.pk, document.pk])
    assert staff_client.post(delete).status_code == 404
    assert not ActivityEvent.objects.filter(event_type=EventType.DATA_ACCESS).exists()


def test_signed_out_visitors_get_nothing(client):
    document = make_document(ContactFactory())
    response = client.get(download_url(document))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_soft_deleted_document_leaves_the_list_and_cannot_be_downloaded(staff_client):
    document = make_document(ContactFactory(), name="old.pdf")
    response = staff_client.post(reverse("documents:delete", args=[document.contact_id, document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is not None
    assert document.file.storage.exists(document.file.name)  # kept for the record
    assert staff_client.get(download_url(document)).status_code == 404
    listing = staff_client.get(reverse("documents:contact_documents", args=[document.contact_id]))
    assert "old.pdf" not in listing.content.decode()
    assert ActivityEvent.objects.filter(event_type=EventType.DOCUMENT, description="Deleted “old.pdf”").exists()


def test_images_and_pdfs_preview_inline_under_a_restrictive_policy(staff_client):
    document = make_document(ContactFactory(), name="photo.png", content=PNG_BYTES)
    response = staff_client.get(reverse("documents:preview", args=[document.contact_id, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_office_files_have_no_inline_preview(staff_client):
    document = make_document(ContactFactory(), name="letter.docx", content=office_package("word"))
    response = staff_client.get(reverse("documents:preview", args=[document.contact_id, document.pk]))
    assert response.status_code == 404


def test_documents_tab_lists_sorts_and_searches_in_few_queries(staff_client, django_assert_max_num_queries):
    contact = ContactFactory()
    user = UserFactory(username="uploader", first_name="Uma", last_name="Upload")
    for index in range(12):
        make_document(contact, name=f"doc-{index:02d}.pdf", user=user)
    make_document(contact, name="from-phone.png", content=PNG_BYTES, via_portal=True)
    delete_document(document=make_document(contact, name="gone.pdf"), user=user)
    url = reverse("documents:contact_documents", args=[contact.pk])
    # Session, user, contact, the header's phones, emails and two permission lookups,
    # then the tab's own count and rows: a fixed number, whatever the rows.
    with django_assert_max_num_queries(10):
        page = staff_client.get(url, {"sort": "name"}).content.decode()
    assert page.index("doc-00.pdf") < page.index("doc-11.pdf") < page.index("from-phone.png")
    assert "Uma Upload" in page and ">Portal<" in page and "gone.pdf" not in page
    found = staff_client.get(url, {"q": "phone"}).content.decode()
    assert "from-phone.png" in found and "doc-00.pdf" not in found


def test_a_merged_contacts_tabs_lead_to_the_survivor(staff_client):
    survivor = ContactFactory()
    merged = ContactFactory(merged_into=survivor)
    documents = staff_client.get(reverse("documents:contact_documents", args=[merged.pk]))
    assert documents["Location"] == reverse("documents:contact_documents", args=[survivor.pk])
    notes = staff_client.get(reverse("documents:contact_notes", args=[merged.pk]))
    assert notes["Location"] == reverse("documents:contact_notes", args=[survivor.pk])
