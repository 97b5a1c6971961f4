"""The Django admin's import/export of contacts: same Resource, mapping and duplicate rule."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEvent, EventType
from contacts.models import Contact, ImportBatch
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, UserFactory, admin_user
from contacts.tests.import_helpers import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Mobile Phone", "City"]
FILE = csv_bytes([HEADER, ["Ann", "Lee", "312 555 0101", "Chicago"], ["Bo", "Ray", "312 555 0102", ""]])


@pytest.fixture
def admin_client(client):
    user = admin_user(username="ada")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def csv_format_value(page: str) -> str:
    match = re.search(r'<option value="(\d+)"[^>]*>csv</option>', page)
    return match.group(1)


def upload(client, content, rule):
    url = reverse("admin:contacts_contact_import")
    page = client.get(url).content.decode()
    assert "When a row matches an existing contact" in page
    data = {"import_file": SimpleUploadedFile("people.csv", content), "format": csv_format_value(page)}
    return client.post(url, data | {"on_duplicate": rule})


def test_admin_import_uses_the_duplicate_rule_and_confirms_before_writing(admin_client):
    ann = ContactFactory(first_name="Ann", last_name="Lee", city="")
    ContactPhoneFactory(contact=ann, number="+13125550101")
    response = upload(admin_client, FILE, "merge")
    confirm = response.content.decode()
    assert "Confirm import" in confirm
    assert Contact.objects.count() == 1 and not ImportBatch.objects.exists()  # the dry run wrote nothing
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', confirm))
    assert fields["on_duplicate"] == "merge"
    response = admin_client.post(
        reverse("admin:contacts_contact_process_import"),
        {key: fields.get(key, "") for key in ("import_file_name", "original_file_name", "format", "on_duplicate")},
    )
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.city == "Chicago"  # merged into the existing contact
    assert Contact.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert (batch.new_count, batch.merged_count, batch.original_name) == (1, 1, "people.csv")
    assert ActivityEvent.objects.filter(event_type=EventType.IMPORT).count() == 2


def test_admin_import_shows_row_errors_and_writes_nothing(admin_client):
    content = csv_bytes([HEADER, ["Ann", "Lee", "312 555 0101", ""], ["Cy", "", "12", ""]])
    page = upload(admin_client, content, "skip").content.decode()
    assert "Some rows failed to validate" in page and "bad phone “12”" in page
    assert not Contact.objects.exists() and not ImportBatch.objects.exists()


def test_admin_import_is_for_admins_only(client):
    user = UserFactory(username="sam")
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:contacts_contact_import")).status_code == 403


def test_admin_export_uses_the_export_table_and_is_audited(admin_client):
    ContactFactory(first_name="=cmd", last_name="Lee")
    url = reverse("admin:contacts_contact_export")
    page = admin_client.get(url).content.decode()
    data = {"format": csv_format_value(page)}
    for key in ("first_name", "last_name"):
        data[f"contactresource_{key}"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200, response.content[:2000]
    text = response.content.decode("utf-8-sig")
    assert "'=cmd" in text
    assert ActivityEvent.objects.filter(event_type=EventType.DATA_ACCESS).count() == 1
