import socket
import threading

import pytest
from django.urls import reverse

from activity.models import ActivityEvent, EventType
from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import Document
from documents.services import upload_documents
from documents.tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, office_package, upload
from documents.validation import UploadRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="paula", first_name="Paula", last_name="Legal")
    client.force_login(user)
    client.user = user
    return client


def post_files(client, contact, *files, json=False, **data):
    url = reverse("documents:contact_documents", args=[contact.pk])
    headers = {"Accept": "application/json"} if json else {}
    return client.post(url, {"files": list(files), **data}, headers=headers)


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("scan.pdf", PDF_BYTES, "application/pdf"),
        ("photo.PNG", PNG_BYTES, "image/png"),
        ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
        ("notes.txt", "Café receipt, paid €12\n".encode(), "text/plain"),
        (
            "letter.docx",
            office_package("word"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("costs.xlsx", office_package("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_upload_stores_allowed_types_under_a_random_name_with_hash(staff_client, name, content, mime):
    contact = ContactFactory()
    response = post_files(staff_client, contact, upload(name, content, "text/html"))
    assert response.status_code == 302
    document = Document.objects.get(contact=contact)
    assert document.content_type == mime  # from the bytes, not the browser's claim
    assert document.original_name == name
    assert document.size == len(content)
    assert len(document.sha256) == 64
    assert name.split(".")[0] not in document.file.name
    assert document.uploaded_by == staff_client.user
    with document.file.open("rb") as stored:
        assert stored.read() == content
    event = ActivityEvent.objects.get(contact_id=contact.pk, event_type=EventType.DOCUMENT)
    assert name in event.description


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML, SVG"),
        ("drawing.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "HTML, SVG"),
        ("page.txt", b"hello <script>alert(1)</script>", "HTML, SVG"),
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "Programs"),
        ("tool.sh", b"#!/bin/sh\nrm -rf /\n", "Programs"),
        ("photo.pdf", PNG_BYTES, "ends in .pdf but the file is a PNG image"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 100, "ZIP archives"),
        ("letter.docx", b"PK\x03\x04not really a zip" + b"\x00" * 100, "ZIP archives"),
        ("song.mp3", b"ID3\x03\x00\x00\x00" + b"\x00" * 300, "isn't accepted"),
    ],
)
def test_dangerous_or_mismatching_files_are_refused_with_a_reason(staff_client, name, content, reason):
    contact = ContactFactory()
    response = post_files(staff_client, contact, upload(name, content), json=True)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert name in response.json()["error"]
    assert not Document.objects.exists()


def test_an_oversize_file_is_refused(staff_client, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    contact = ContactFactory()
    response = post_files(staff_client, contact, upload("big.txt", b"a" * 1001))
    page = staff_client.get(response["Location"]).content.decode()
    assert "“big.txt” is 1001\xa0bytes; files can be at most 1000\xa0bytes." in page
    assert not Document.objects.exists()


def test_a_request_over_the_total_limit_is_refused_before_reading_it(staff_client, settings):
    settings.DOCUMENT_MAX_REQUEST_BYTES = 10_000
    contact = ContactFactory()
    files = [upload(f"part{i}.txt", b"b" * 40_000) for i in range(3)]
    response = post_files(staff_client, contact, *files, json=True)
    assert response.status_code == 413
    assert "smaller groups" in response.json()["error"]
    assert not Document.objects.exists()


def test_one_refused_file_stores_none_of_the_group(staff_client):
    contact = ContactFactory()
    response = post_files(
        staff_client, contact, upload("ok.pdf", PDF_BYTES), upload("bad.html", b"<html></html>"), json=True
    )
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_several_files_and_a_case_in_one_upload(staff_client):
    link = CaseContactFactory()
    response = post_files(
        staff_client, link.contact, upload("a.pdf", PDF_BYTES), upload("b.png", PNG_BYTES), json=True, case=link.case.pk
    )
    assert response.status_code == 200
    assert [d["name"] for d in response.json()["documents"]] == ["a.pdf", "b.png"]
    assert set(Document.objects.values_list("case_id", flat=True)) == {link.case.pk}


def test_a_case_the_contact_is_not_on_is_refused(staff_client):
    contact = ContactFactory()
    other_case = CaseFactory()
    response = post_files(staff_client, contact, upload("a.pdf", PDF_BYTES), json=True, case=other_case.pk)
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_path_traversal_names_are_harmless(staff_client, settings):
    contact = ContactFactory()
    post_files(staff_client, contact, upload("../../../etc/passwd.txt", b"root:x:0:0"))
    document = Document.objects.get()
    assert document.original_name == "passwd.txt"
    path = document.file.path
    assert path.startswith(str(settings.PRIVATE_STORAGE_ROOT))
    assert ".." not in document.file.name


class FakeClamd:
    """A clamd speaking the INSTREAM protocol on a real socket: finds EICAR, else OK."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.address = f"tcp:127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\0\0\0\0"):
                    data += conn.recv(65536)
                reply = b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0"
                conn.sendall(reply)


def test_the_virus_scanner_refuses_an_infected_file(settings):
    clamd = FakeClamd()
    settings.CLAMD_ADDRESS = clamd.address
    contact = ContactFactory()
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with pytest.raises(UploadRefused, match="looks infected \\(Eicar-Test-Signature\\)"):
        upload_documents(contact=contact, files=[upload("eicar.txt", eicar)])
    upload_documents(contact=contact, files=[upload("clean.txt", b"clean text")])
    assert list(Document.objects.values_list("original_name", flat=True)) == ["clean.txt"]


def test_an_unreachable_scanner_refuses_rather_than_skipping(settings):
    settings.CLAMD_ADDRESS = "tcp:127.0.0.1:1"
    with pytest.raises(UploadRefused, match="could not be reached"):
        upload_documents(contact=ContactFactory(), files=[upload("a.txt", b"text")])
