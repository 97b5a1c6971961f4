"""Exporting contacts: the list's filters, the field picker, CSV/XLSX, formula neutralization,
the audit event, and the round trip through import."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEvent, EventType
from contacts.exporting import EXPORT_FIELDS, clean_fields, csv_chunks
from contacts.importing.mapping import auto_map
from contacts.importing.service import run_import
from contacts.models import Contact, ContactPhone, ExportPreference
from contacts.tests.factories import (
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    UserFactory,
    admin_user,
)
from contacts.tests.import_helpers import batch_from_bytes
from kayse.spreadsheet import neutralize

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter_client(client):
    """An Admin: exporting is theirs (test_export_permission covers who else may)."""
    client.force_login(admin_user(username="ada"))
    return client


def rows_of(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralized(text):
    assert neutralize(text) == "'" + text
    assert neutralize("plain") == "plain"


def test_export_with_a_login_source_filter_and_chosen_fields(exporter_client):
    web = ContactFactory(first_name="Wendy", last_name="Web", web_last_login_at=timezone.now())
    ContactPhoneFactory(contact=web, number="+13125550101")
    ContactPhoneFactory(contact=web, number="+13125550102", is_primary=False)
    ContactFactory(first_name="Nora", last_name="None")
    data = {"login_source": "web", "fields": ["first_name", "phones", "login_source"], "format": "csv"}
    response = exporter_client.post(reverse("contacts:export"), data)
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert rows_of(response) == [
        ["First name", "Phones", "Login Source"],
        ["Wendy", "'+13125550101; +13125550102", "Web"],
    ]
    event = ActivityEvent.objects.get(event_type=EventType.DATA_ACCESS)
    assert event.is_compliance
    assert event.data["filters"] == {"login_source": "web"}
    assert event.data["fields"] == ["first_name", "phones", "login_source"] and event.data["rows"] == 1
    assert ExportPreference.objects.get().fields == ["first_name", "phones", "login_source"]


def test_the_field_picker_remembers_the_last_choice(exporter_client):
    exporter_client.post(reverse("contacts:export"), {"fields": ["last_name"], "format": "xlsx"})
    page = exporter_client.get(reverse("contacts:export")).content.decode()
    assert 'value="last_name" checked' in page and 'value="first_name" checked' not in page
    assert 'value="xlsx" checked' in page


def test_xlsx_export_neutralizes_formulas(exporter_client):
    ContactFactory(first_name='=HYPERLINK("http://evil")', last_name="@Lee")
    response = exporter_client.post(
        reverse("contacts:export"), {"fields": ["first_name", "last_name"], "format": "xlsx"}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows == [("First name", "Last name"), ('\'=HYPERLINK("http://evil")', "'@Lee")]


def test_export_needs_the_export_permission(client):
    user = UserFactory(username="nobody", role="Nobody")
    client.force_login(user)
    assert client.post(reverse("contacts:export"), {"fields": ["first_name"]}).status_code == 403


def test_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="Unknown export field"):
        clean_fields(["first_name", "password"])


def test_every_importable_export_column_maps_back_to_its_field():
    headers = [field.label for field in EXPORT_FIELDS]
    mapping = dict(zip(headers, auto_map(headers), strict=True))
    assert mapping["Kayse id"] == "kayse_id" and mapping["Phones"] == "phones" and mapping["ZIP"] == "postal_code"
    assert mapping["Login Source"] == "" and mapping["Created"] == ""


def test_export_then_reimport_with_update_changes_nothing():
    for n in range(5):
        contact = ContactFactory(
            first_name=f"Pat{n}", last_name="O'Hara-Smith", city="Chicago", date_of_birth="1980-01-0" + str(n + 1),
            do_not_text=bool(n % 2), external_id=f"X{n}" if n % 2 else "", preferred_contact_method="sms",
        )  # fmt: skip
        ContactPhoneFactory(contact=contact, number=f"+1312555{1000 + n}")
        ContactEmailFactory(contact=contact, email=f"pat{n}@example.com")
    ContactFactory(first_name="-Dash", last_name="", organization_name="=Org")  # no phone or email at all
    fields = [field.key for field in EXPORT_FIELDS]
    content = "".join(csv_chunks(Contact.objects.all(), fields)).encode("utf-8")
    before = list(Contact.objects.order_by("pk").values())
    phones_before = sorted(ContactPhone.objects.values_list("contact_id", "number", "is_primary"))
    batch = batch_from_bytes(content, duplicate_rule="update")
    counts = run_import(batch)
    assert counts == {"new": 0, "updated": 0, "skipped": 6, "merged": 0, "errors": 0}
    assert list(Contact.objects.order_by("pk").values()) == before
    assert sorted(ContactPhone.objects.values_list("contact_id", "number", "is_primary")) == phones_before
