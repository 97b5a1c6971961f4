"""The label columns of Google's and Outlook's exports ("Phone 1 - Label" = Mobile) give the
kind of the phone or email beside them, so an imported mobile is a mobile."""

import pytest
from django.urls import reverse

from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.importing.mapping import auto_map
from contacts.importing.service import run_import
from contacts.importing.validation import validate_row
from contacts.models import Contact
from contacts.tests.factories import UserFactory, admin_user
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

GOOGLE = ["First Name", "Last Name", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
          "E-mail 1 - Label", "E-mail 1 - Value"]  # fmt: skip


def parsed(headers, cells):
    return validate_row(2, cells, auto_map(headers))


def test_the_label_and_numbered_columns_are_matched():
    headers = [*GOOGLE, "Phone 4 - Label", "Phone 4 - Value", "E-mail 3 - Type", "E-mail 3 - Value"]
    assert auto_map(headers) == [
        "first_name", "last_name", "phone_label", "phone", "phone_label", "phone", "email_label", "email",
        "phone_label", "phone", "email_label", "email",
    ]  # fmt: skip


def test_a_label_sets_the_kind_of_the_phone_beside_it():
    row = parsed(GOOGLE, ["Rosa", "Diaz", "Mobile", "(312) 555-0101", "Work", "312-555-0102", "Home", "rosa@x.example"])
    assert row.phones == [("+13125550101", "mobile"), ("+13125550102", "work")]
    assert row.emails == [("rosa@x.example", "home")]


@pytest.mark.parametrize(
    "label, kind",
    [
        ("* Mobile", "mobile"),  # Google marks the primary with a star
        ("Cell", "mobile"),
        ("iPhone", "mobile"),
        ("Home", "home"),
        ("Business", "work"),
        ("Work Fax", "other"),  # a fax takes no texts
        ("Main", "other"),  # not a kind we know: the column's own
        ("", "other"),
        ("Mobile ::: Work", "mobile"),
    ],
)
def test_what_each_label_means(label, kind):
    row = parsed(GOOGLE[:4], ["Rosa", "Diaz", label, "(312) 555-0101"])
    assert row.phones == [("+13125550101", kind)]


def test_several_numbers_under_one_label_all_get_it():
    row = parsed(GOOGLE[:4], ["Rosa", "Diaz", "Mobile", "(312) 555-0101 ::: (312) 555-0109"])
    assert row.phones == [("+13125550101", "mobile"), ("+13125550109", "mobile")]


def test_a_label_after_its_value_counts_too():
    headers = ["Name", "Phone", "Phone Type"]
    assert auto_map(headers) == ["full_name", "phone", "phone_label"]
    assert parsed(headers, ["Rosa Diaz", "(312) 555-0101", "Cell"]).phones == [("+13125550101", "mobile")]


def test_without_a_label_column_a_phone_stays_other():
    assert parsed(["Name", "Phone"], ["Rosa Diaz", "(312) 555-0101"]).phones == [("+13125550101", "other")]


@pytest.mark.django_db
def test_an_imported_mobile_lets_share_link_pick_sms_and_a_home_phone_does_not(client):
    rows = [
        GOOGLE,
        ["Rosa", "Diaz", "Mobile", "(312) 555-0101", "", "", "Home", "rosa@x.example"],
        ["Omar", "Reyes", "Home", "(312) 555-0201", "", "", "Work", "omar@x.example"],
    ]
    run_import(batch_from_bytes(csv_bytes(rows), user=admin_user()))
    rosa, omar = Contact.objects.get(first_name="Rosa"), Contact.objects.get(first_name="Omar")
    assert rosa.phones.get().kind == "mobile" and omar.phones.get().kind == "home"

    case = CaseFactory()
    CaseContactFactory(case=case, contact=rosa)
    CaseContactFactory(case=case, contact=omar)
    client.force_login(UserFactory())
    rosa_dialog = client.get(reverse("portal:share", args=[case.pk, rosa.pk])).content.decode()
    omar_dialog = client.get(reverse("portal:share", args=[case.pk, omar.pk])).content.decode()
    assert f'value="sms:{rosa.phones.get().pk}" data-send-label' in rosa_dialog
    assert checked_option(rosa_dialog) == f"sms:{rosa.phones.get().pk}"
    assert checked_option(omar_dialog) == f"email:{omar.emails.get().pk}"


def checked_option(dialog: str) -> str:
    radio = next(tag for tag in dialog.split("<input")[1:] if 'name="destination"' in tag and " checked" in tag)
    return radio.split('value="')[1].split('"')[0]
