"""The duplicate engine: rules, reasons, quality on the labelled generator, one-contact checks."""

import datetime

import pytest

from bench.dupgen import evaluate, generate
from contacts.dedupe.model import Model
from contacts.duplicates import (
    blocking_keys,
    check_contact,
    compare,
    find_candidate_pairs,
    find_matches_for_row,
    pairs_in_profiles,
    possible_duplicates_for,
    profile_from_values,
    soundex,
)
from contacts.models import DuplicateDismissal
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory


def _profile(**values):
    return profile_from_values(
        {"first_name": "Robert", "last_name": "Smith", "postal_code": "60601", **values}, id=values.get("id", 1)
    )


def test_engine_reaches_precision_and_recall_of_095_on_generated_duplicates():
    dataset = generate(people=1500, seed=11)
    profiles = {record["id"]: profile_from_values(record) for record in dataset.records}
    found = {(pair.contact_a, pair.contact_b) for pair in pairs_in_profiles(profiles)}
    result = evaluate(dataset, found)
    assert result["true_pairs"] > 300
    assert result["precision"] >= 0.95, result
    assert result["recall"] >= 0.95, result


def test_phone_typed_in_another_format_is_a_phone_match():
    a = _profile(id=1, phones=["+13125550101"])
    b = _profile(id=2, phones=["(312) 555-0101"], first_name="Bob")
    result = compare(a, b)
    assert "Phone match" in result.reasons and "Name match" in result.reasons
    assert result.score >= 70


def test_email_in_capitals_is_an_email_match():
    result = compare(_profile(id=1, emails=["rob@example.com"]), _profile(id=2, emails=[" ROB@Example.com "]))
    assert "Email match" in result.reasons


@pytest.mark.parametrize(
    ("first", "last"),
    [("Bob", "Smith"), ("SMITH", "robert"), ("R.", "Smith"), ("Róbert", "Smíth"), ("Robert", "Smiht")],
)
def test_name_variants_score_as_the_same_person_with_the_same_birthday(first, last):
    dob = datetime.date(1980, 4, 2)
    result = compare(
        _profile(id=1, date_of_birth=dob), _profile(id=2, first_name=first, last_name=last, date_of_birth=dob)
    )
    assert result.score >= 70, result


def test_family_members_sharing_phone_and_address_are_not_duplicates():
    home = {"phones": ["+13125550101"], "address_line1": "12 Oak St", "postal_code": "60601", "last_name": "Garcia"}
    father = _profile(id=1, first_name="José", date_of_birth=datetime.date(1960, 1, 1), **home)
    daughter = _profile(id=2, first_name="Lucia", date_of_birth=None, **home)
    assert compare(father, daughter).score < 70


def test_same_common_name_with_another_birthday_is_not_a_duplicate():
    a = _profile(id=1, first_name="John", date_of_birth=datetime.date(1970, 1, 1))
    b = _profile(id=2, first_name="John", date_of_birth=datetime.date(1985, 6, 9))
    assert compare(a, b).score < 70


def test_a_switched_off_rule_adds_nothing_and_blocks_nothing():
    a, b = _profile(id=1, phones=["+13125550101"]), _profile(id=2, phones=["+13125550101"], first_name="Zed")
    assert "Phone match" not in compare(a, b, rules=frozenset({"email", "name", "fuzzy"})).reasons
    assert not any(key.startswith("phone:") for key in blocking_keys(a, rules=frozenset({"name"})))
    assert any(key.startswith("phone:") for key in blocking_keys(a, rules=frozenset({"phone"})))


def test_threshold_comes_from_settings(settings):
    a = _profile(id=1, emails=["x@example.com"], first_name="Ann", last_name="Lee")
    b = _profile(id=2, emails=["x@example.com"], first_name="Ann", last_name="Leigh")
    score = compare(a, b).score
    settings.DUPLICATE_MIN_SCORE = score + 1
    profiles = {1: a, 2: b}
    assert list(pairs_in_profiles(profiles, model=Model())) == []
    settings.DUPLICATE_MIN_SCORE = score
    assert [(p.contact_a, p.contact_b) for p in pairs_in_profiles(profiles, model=Model())] == [(1, 2)]


def test_soundex():
    assert soundex("robert") == soundex("rupert") == "R163"
    assert soundex("ashcraft") == "A261"


@pytest.mark.django_db
def test_check_contact_finds_the_duplicate_and_skips_dismissed_and_tombstones():
    original = ContactFactory(first_name="Elizabeth", last_name="Taylor", date_of_birth=datetime.date(1970, 2, 3))
    ContactPhoneFactory(contact=original, number="+13125550101")
    twin = ContactFactory(first_name="Liz", last_name="Taylor", date_of_birth=datetime.date(1970, 2, 3))
    ContactPhoneFactory(contact=twin, number="+13125550101")
    other = ContactFactory(first_name="Elizabeth", last_name="Taylor", date_of_birth=datetime.date(1990, 1, 1))

    matches = check_contact(original)
    assert [m.contact_id for m in matches] == [twin.pk]
    assert {"Phone match", "Name match"} <= set(matches[0].reasons)

    DuplicateDismissal.objects.create(contact_a=original, contact_b=twin)
    assert check_contact(original) == []
    assert other.pk not in [m.contact_id for m in check_contact(other)]


@pytest.mark.django_db
def test_possible_duplicates_for_a_new_contact_uses_the_form_values(django_assert_max_num_queries):
    existing = ContactFactory(first_name="Robert", last_name="Smith", postal_code="60601")
    ContactEmailFactory(contact=existing, email="bob@example.com")
    # 11: without a trained model, the prior is scaled to the table's size (one indexed look-up).
    with django_assert_max_num_queries(11):
        matches = possible_duplicates_for({"first_name": "Bob", "last_name": "Smith", "email": "BOB@example.com"})
    assert [m.contact.pk for m in matches] == [existing.pk]
    assert matches[0].contact.display_name == "Robert Smith"


@pytest.mark.django_db
def test_import_row_matches_by_external_id_through_a_merge():
    survivor = ContactFactory(external_id="NEW-1")
    tombstone = ContactFactory(external_id="OLD-1")
    tombstone.merged_into = survivor
    tombstone.save()
    matches = find_matches_for_row({"external_id": "OLD-1", "first_name": "X", "last_name": "Y"})
    assert matches[0].contact_id == survivor.pk
    assert matches[0].reasons == ("External ID match",)


@pytest.mark.django_db
def test_full_scan_lists_each_pair_once():
    people = []
    for _ in range(3):
        contact = ContactFactory(first_name="Ann", last_name="Lee", date_of_birth=datetime.date(1991, 3, 4))
        ContactPhoneFactory(contact=contact, number="+13125550142")
        people.append(contact)
    pairs = list(find_candidate_pairs())
    assert sorted((p.contact_a, p.contact_b) for p in pairs) == sorted(
        (a.pk, b.pk) for i, a in enumerate(people) for b in people[i + 1 :]
    )


def test_blocking_compares_a_few_pairs_per_contact_not_all_pairs():
    from contacts.duplicates import ScanStats

    dataset = generate(people=3000, seed=5)
    profiles = {record["id"]: profile_from_values(record) for record in dataset.records}
    stats = ScanStats()
    list(pairs_in_profiles(profiles, stats=stats))
    n = len(profiles)
    assert stats.compared < 3 * n, stats  # all pairs would be n * (n - 1) / 2, about 10 million


@pytest.mark.django_db
def test_a_firm_can_switch_a_rule_off(settings):
    a = ContactFactory(first_name="Ann", last_name="Lee")
    b = ContactFactory(first_name="Ann", last_name="Lee")
    for contact in (a, b):
        ContactEmailFactory(contact=contact, email="ann.lee@example.com")
        ContactPhoneFactory(contact=contact, number="+13125550144")
    assert {"Phone match", "Email match"} <= set(check_contact(a)[0].reasons)
    settings.DUPLICATE_RULES = ["email", "name", "fuzzy"]
    assert "Phone match" not in check_contact(a)[0].reasons
    settings.DUPLICATE_RULES = ["phone"]
    # A shared phone alone is weak evidence (families share landlines): a low threshold shows it.
    settings.DUPLICATE_MIN_SCORE = 1
    assert check_contact(a)[0].reasons == ("Phone match",)
