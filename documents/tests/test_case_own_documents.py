"""Case → Documents → Case Documents: files of the case itself, private like every document."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from activity.models import ActivityEvent, EventType
from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import Document, DownloadBundle
from documents.services import build_bundle, upload_documents
from documents.tests.factories import PDF_BYTES, PNG_BYTES, make_document, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="paula", first_name="Paula", last_name="Legal", email="paula@firm.example")
    client.force_login(user)
    client.user = user
    return client


def case_url(case, name="documents:case_documents", *args):
    return reverse(name, args=[case.pk, *args])


def case_document(case, name="police-report.pdf", content=PDF_BYTES, user=None):
    return upload_documents(contact=None, case=case, files=[upload(name, content)], user=user)[0]


def test_an_upload_is_a_document_of_the_case_itself(staff_client):
    case = CaseFactory(number="PI-200")
    response = staff_client.post(case_url(case), {"files": [upload("police-report.pdf", PDF_BYTES)]})
    assert response.status_code == 302 and response["Location"] == case_url(case)
    document = Document.objects.get()
    assert (document.contact_id, document.case_id, document.uploaded_by) == (None, case.pk, staff_client.user)
    assert not document.file.name.endswith("police-report.pdf")  # stored under a random name
    page = staff_client.get(case_url(case)).content.decode()
    assert "Uploaded police-report.pdf." in page and "police-report.pdf" in page
    event = ActivityEvent.objects.get(event_type=EventType.DOCUMENT)
    assert (event.contact_id, event.case_id) == (None, case.pk)
    assert event.description == "Uploaded “police-report.pdf” to case PI-200"


def test_the_drag_and_drop_script_gets_json_and_the_list_alone(staff_client):
    case = CaseFactory()
    response = staff_client.post(
        case_url(case), {"files": [upload("scan.png", PNG_BYTES)]}, headers={"Accept": "application/json"}
    )
    assert response.json() == {"ok": True, "documents": [{"id": Document.objects.get().pk, "name": "scan.png"}]}
    listing = staff_client.get(case_url(case), headers={"HX-Request": "true"})
    assert [t.name for t in listing.templates][0] == "documents/partials/document_list.html"
    tab = staff_client.get(case_url(case), headers={"HX-Request": "true", "HX-Target": "case-body"})
    assert [t.name for t in tab.templates][0] == "documents/case_documents.html"


def test_the_case_documents_subtab_lists_only_the_cases_own_files(staff_client, django_assert_max_num_queries):
    case = CaseFactory()
    contact = CaseContactFactory(case=case).contact
    for n in range(6):
        case_document(case, name=f"pleading-{n}.pdf", content=PDF_BYTES + str(n).encode(), user=staff_client.user)
    make_document(contact, name="client-id.pdf", case=case)
    case_document(CaseFactory(), name="other-case.pdf")
    with django_assert_max_num_queries(8):
        page = staff_client.get(case_url(case)).content.decode()
    assert page.count("pleading-") >= 6 and "client-id.pdf" not in page and "other-case.pdf" not in page
    assert (
        'aria-current="page">Case Documents</a>' in page and case_url(case, "documents:case_contact_documents") in page
    )


def test_an_empty_file_is_named_as_on_the_contacts_documents_tab(staff_client):
    case = CaseFactory()
    response = staff_client.post(case_url(case), {"files": [upload("report.pdf", b"")]}, follow=True)
    assert "“report.pdf” is empty (0 bytes); choose the file again." in response.content.decode()
    assert not Document.objects.exists()


def test_a_refused_type_and_an_oversized_file_are_refused_in_plain_words(staff_client, settings):
    case = CaseFactory()
    page = staff_client.post(case_url(case), {"files": [upload("page.html", b"<html><script>x</script>")]}, follow=True)
    assert "HTML, SVG and other web pages can" in page.content.decode()
    settings.DOCUMENT_MAX_BYTES = 10
    response = staff_client.post(
        case_url(case), {"files": [upload("big.pdf", PDF_BYTES)]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400 and "big.pdf" in response.json()["error"]
    assert not Document.objects.exists()


def test_no_file_at_all_asks_for_one(staff_client):
    response = staff_client.post(case_url(CaseFactory()), {}, follow=True)
    assert "Choose at least one file to upload." in response.content.decode()


def test_download_is_private_and_logged_on_the_case(staff_client):
    case = CaseFactory()
    document = case_document(case)
    response = staff_client.get(case_url(case, "documents:case_download", document.pk))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment; ") and response["X-Content-Type-Options"] == "nosniff"
    )
    assert b"".join(response.streaming_content) == PDF_BYTES
    access = ActivityEvent.objects.get(event_type=EventType.DATA_ACCESS)
    assert access.is_compliance and access.case_id == case.pk and access.contact_id is None


def test_another_cases_document_or_a_contacts_document_is_a_404_here(staff_client):
    case, other = CaseFactory(), CaseFactory()
    theirs = case_document(other)
    contact = CaseContactFactory(case=case).contact
    contacts_document = make_document(contact, case=case)
    for document in (theirs, contacts_document):
        assert staff_client.get(case_url(case, "documents:case_download", document.pk)).status_code == 404
        assert staff_client.get(case_url(case, "documents:case_preview", document.pk)).status_code == 404
        assert staff_client.post(case_url(case, "documents:case_delete", document.pk)).status_code == 404
    assert Document.objects.filter(deleted_at__isnull=True).count() == 2


def test_a_case_document_is_not_reachable_through_a_contact(staff_client):
    case = CaseFactory()
    contact = CaseContactFactory(case=case).contact
    document = case_document(case)
    assert staff_client.get(reverse("documents:download", args=[contact.pk, document.pk])).status_code == 404


def test_delete_keeps_the_row_and_leaves_the_list(staff_client):
    case = CaseFactory()
    document = case_document(case, name="draft.pdf")
    response = staff_client.post(case_url(case, "documents:case_delete", document.pk), follow=True)
    assert "Deleted “draft.pdf”." in response.content.decode()
    document.refresh_from_db()
    assert document.deleted_at is not None
    assert "draft.pdf</a>" not in staff_client.get(case_url(case)).content.decode()


def test_download_all_zips_the_cases_own_documents(staff_client):
    case = CaseFactory(number="PI-300", title="Slip and fall")
    contact = CaseContactFactory(case=case).contact
    case_document(case, name="complaint.pdf", user=staff_client.user)
    case_document(case, name="photo.png", content=PNG_BYTES, user=staff_client.user)
    make_document(contact, name="client-id.pdf", case=case)
    response = staff_client.post(case_url(case, "documents:case_download_all"))
    bundle = DownloadBundle.objects.get()
    assert (bundle.case_id, bundle.contact_id, bundle.files_total) == (case.pk, None, 2)
    assert response["Location"] == case_url(case, "documents:case_bundle", bundle.pk)
    assert "Preparing 2 documents" in staff_client.get(response["Location"]).content.decode()

    build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")  # what the worker does
    state = staff_client.get(response["Location"], {"format": "json"}).json()
    assert state["status"] == "ready" and state["download_url"] == case_url(
        case, "documents:case_bundle_download", bundle.pk
    )
    download = staff_client.get(state["download_url"])
    assert "PI-300 documents" in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "PI-300 Slip and fall/complaint.pdf",
        "PI-300 Slip and fall/photo.png",
        "index.csv",
    ]
    assert mail.outbox[-1].subject == "Documents of PI-300 are ready to download"
    assert "/documents/bundle-link/" in mail.outbox[-1].body and "of the case" in mail.outbox[-1].body
    assert Path(settings.PRIVATE_STORAGE_ROOT, bundle.__class__.objects.get().file.name).exists()
    assert ActivityEvent.objects.filter(event_type=EventType.EXPORT, case_id=case.pk).exists()


def test_someone_elses_case_bundle_is_a_404(staff_client):
    case = CaseFactory()
    case_document(case)
    bundle = DownloadBundle.objects.create(
        case=case, requested_by=UserFactory(), fingerprint="x", expires_at=case.created_at
    )
    assert staff_client.get(case_url(case, "documents:case_bundle", bundle.pk)).status_code == 404
    assert staff_client.get(case_url(case, "documents:case_bundle_download", bundle.pk)).status_code == 404
    assert staff_client.get(case_url(CaseFactory(), "documents:case_bundle", bundle.pk)).status_code == 404


def test_an_unknown_case_is_a_404(staff_client):
    assert staff_client.get(reverse("documents:case_documents", args=[10**9])).status_code == 404
    assert staff_client.post(reverse("documents:case_download_all", args=[10**9])).status_code == 404


def test_the_contact_documents_subtab_still_shows_the_contacts_files(staff_client):
    case = CaseFactory()
    contact = CaseContactFactory(case=case, contact=ContactFactory(first_name="Rosa", last_name="Diaz")).contact
    make_document(contact, name="rosa-license.pdf")
    page = staff_client.get(case_url(case, "documents:case_contact_documents")).content.decode()
    assert "Rosa Diaz" in page and "rosa-license.pdf" in page
    assert 'aria-current="page">Contact Documents</a>' in page
