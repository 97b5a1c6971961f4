"""The import_contacts and export_contacts commands."""

import csv

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityEvent, EventType
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, ContactPhoneFactory
from contacts.tests.import_helpers import csv_bytes

pytestmark = pytest.mark.django_db


def test_import_contacts_prints_the_counts(tmp_path, capsys):
    existing = ContactFactory(first_name="Ann", last_name="Lee")
    ContactPhoneFactory(contact=existing, number="+13125550101")
    path = tmp_path / "people.csv"
    rows = [["Given Name", "Family Name", "Phone"], ["Ann", "Lee", "312-555-0101"], ["Bo", "Ray", "312-555-0102"],
            ["Cy", "", "bad"]]  # fmt: skip
    path.write_bytes(csv_bytes(rows))
    call_command("import_contacts", str(path), "--on-duplicate", "merge", "--dry-run")
    assert capsys.readouterr().out.strip() == "new 1, updated 0, skipped 0, merged 1, errors 1"
    assert Contact.objects.count() == 1
    call_command("import_contacts", str(path), "--on-duplicate", "skip")
    assert capsys.readouterr().out.startswith("new 1, updated 0, skipped 1, merged 0, errors 1")
    assert Contact.objects.count() == 2


def test_import_contacts_refuses_an_unreadable_file(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(CommandError, match="binary data"):
        call_command("import_contacts", str(path))


def test_export_contacts_with_login_source_and_fields(tmp_path):
    ContactFactory(first_name="Wendy", last_name="Web", web_last_login_at=timezone.now())
    ContactFactory(first_name="Nora", last_name="None")
    path = tmp_path / "out.csv"
    call_command("export_contacts", "-o", str(path), "--login-source", "web", "--fields", "first_name,last_name")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows == [["First name", "Last name"], ["Wendy", "Web"]]
    event = ActivityEvent.objects.get(event_type=EventType.DATA_ACCESS)
    assert event.data["rows"] == 1 and event.data["filters"] == {"login_source": "web"}


def test_export_contacts_to_xlsx_by_search(tmp_path):
    import openpyxl

    ContactFactory(first_name="Zed", last_name="Quill")
    ContactFactory(first_name="Amy", last_name="Other")
    path = tmp_path / "out.xlsx"
    call_command("export_contacts", "-o", str(path), "--q", "quill", "--fields", "last_name")
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows == [("Last name",), ("Quill",)]


def test_export_contacts_refuses_unknown_fields(tmp_path):
    with pytest.raises(CommandError, match="Unknown export field"):
        call_command("export_contacts", "-o", str(tmp_path / "x.csv"), "--fields", "secret")


def test_an_import_can_check_numbers_against_the_do_not_call_lists(tmp_path, capsys, settings):
    from contacts.dnc import add_to_internal_list

    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    add_to_internal_list(number="+13125550177", reason="asked us not to call")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([["First Name", "Last Name", "Phone"], ["Dee", "Listed", "312-555-0177"],
                                ["Eve", "Free", "312-555-0178"]]))  # fmt: skip
    call_command("import_contacts", str(path), "--check-dnc")
    listed, free = Contact.objects.get(last_name="Listed"), Contact.objects.get(last_name="Free")
    assert listed.do_not_call is True and free.do_not_call is False
    checks = ActivityEvent.objects.filter(event_type=EventType.DNC_CHECK, contact_id__isnull=False)
    assert set(checks.values_list("contact_id", flat=True)) == {listed.pk, free.pk}


def test_an_import_without_the_option_runs_no_do_not_call_checks(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([["First Name", "Last Name", "Phone"], ["Eve", "Free", "312-555-0178"]]))
    call_command("import_contacts", str(path))
    assert not ActivityEvent.objects.filter(event_type=EventType.DNC_CHECK).exists()
