"""The duplicate engine's batch API the import uses: exact keys for a whole chunk of rows."""

import datetime

import pytest

from contacts.duplicates import exact_keys, exact_rules, match_rows
from contacts.importing.service import run_import
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann():
    contact = ContactFactory(
        first_name="Ann", last_name="Lée", external_id="EXT-1", date_of_birth=datetime.date(1985, 3, 12)
    )
    ContactPhoneFactory(contact=contact, number="+13125550101", is_primary=True)
    ContactEmailFactory(contact=contact, email="ann@example.org", is_primary=True)
    return contact


def test_each_rule_finds_the_contact_with_its_reason(ann, django_assert_max_num_queries):
    rows = [
        {"phones": ["+13125550101"]},
        {"emails": ["ann@example.org"]},
        {"external_id": "EXT-1"},
        {"kayse_id": ann.pk},
        {"first_name": "LEE", "last_name": "ann", "date_of_birth": datetime.date(1985, 3, 12)},
        {"first_name": "Ann", "last_name": "Lee", "date_of_birth": datetime.date(1985, 3, 13)},
        {"phones": ["+13125550199"], "emails": ["other@example.org"]},
    ]
    with django_assert_max_num_queries(8):
        results = match_rows(rows)
    reasons = [[(match.contact_id, match.reasons) for match in found] for found in results]
    assert reasons == [
        [(ann.pk, ("same phone",))],
        [(ann.pk, ("same email",))],
        [(ann.pk, ("same external id",))],
        [(ann.pk, ("same Kayse id",))],
        [(ann.pk, ("same name and date of birth",))],
        [],
        [],
    ]


def test_all_matching_keys_are_reasons_first_key_first(ann):
    other = ContactFactory(first_name="Bo", last_name="Ray")
    ContactPhoneFactory(contact=other, number="+13125550177", is_primary=True)
    [found] = match_rows([{"external_id": "EXT-1", "phones": ["+13125550177", "+13125550101"]}])
    assert [match.contact_id for match in found] == [ann.pk, other.pk]
    assert found[0].reasons == ("same external id", "same phone") and found[0].rule == "external_id"
    assert found[1].reasons == ("same phone",)


def test_merged_away_and_archived_contacts_never_match(ann):
    survivor = ContactFactory()
    ann.merged_into = survivor
    ann.save()
    gone = ContactFactory(archived_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    ContactPhoneFactory(contact=gone, number="+13125550102", is_primary=True)
    assert match_rows([{"phones": ["+13125550101"]}, {"phones": ["+13125550102"]}]) == [[], []]


def test_switched_off_rules_are_switched_off_for_the_import_too(ann, settings):
    settings.DUPLICATE_RULES = ["email", "fuzzy"]
    assert exact_rules() == {"kayse_id", "external_id", "email"}
    row = {"phones": ["+13125550101"], "first_name": "Ann", "last_name": "Lee", "date_of_birth": ann.date_of_birth}
    assert exact_keys(**row) == []
    assert match_rows([row]) == [[]]
    assert [m.contact_id for m in match_rows([{"emails": ["ann@example.org"]}])[0]] == [ann.pk]


def test_the_import_follows_the_switches(ann, settings):
    settings.DUPLICATE_RULES = ["email"]
    header = ["First Name", "Last Name", "Mobile Phone"]
    batch = batch_from_bytes(csv_bytes([header, ["Ann", "Lee", "(312) 555-0101"]]), duplicate_rule="skip")
    assert run_import(batch)["new"] == 1  # no phone rule: the same phone is not a duplicate


def test_name_and_birth_date_match_with_or_without_other_name_words(ann):
    ann.middle_name = "Marie"
    ann.save()
    plain = ContactFactory(first_name="Bo", last_name="Ray", date_of_birth=datetime.date(1990, 1, 2))
    birth = datetime.date(1985, 3, 12)
    rows = [
        {"first_name": "Ann", "last_name": "Lee", "date_of_birth": birth},  # Ann Marie Lée
        {"first_name": "Ray", "last_name": "BO", "date_of_birth": datetime.date(1990, 1, 2)},
        {"first_name": "Bo", "last_name": "Ray", "date_of_birth": birth},
    ]
    assert [[m.contact_id for m in found] for found in match_rows(rows)] == [[ann.pk], [plain.pk], []]
