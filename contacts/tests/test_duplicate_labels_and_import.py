"""Staff decisions as labels (carried to the survivor of a merge), and the import's fuzzy bands."""

import datetime

import pytest

from contacts.dedupe.labels import measure_on_labels
from contacts.dedupe.model import Model
from contacts.importing.service import run_import
from contacts.merge import contact_merge, merge_undo
from contacts.models import Contact, DuplicateCandidate, DuplicateDismissal, ImportNoteKind
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

pytestmark = pytest.mark.django_db

RULES = frozenset({"phone", "email", "name", "fuzzy"})


def test_not_a_duplicate_is_carried_to_the_survivor_and_undo_takes_it_back():
    user = admin_user()
    a, c, survivor = ContactFactory(), ContactFactory(), ContactFactory()
    low, high = sorted((a.pk, c.pk))
    DuplicateDismissal.objects.create(contact_a_id=low, contact_b_id=high)
    record = contact_merge(survivor=survivor, merged=a, user=user)
    pair = (min(survivor.pk, c.pk), max(survivor.pk, c.pk))
    assert DuplicateDismissal.objects.filter(contact_a_id=pair[0], contact_b_id=pair[1]).exists()
    assert DuplicateDismissal.objects.filter(contact_a_id=low, contact_b_id=high).exists()  # kept as it was
    merge_undo(record=record, user=user)
    assert not DuplicateDismissal.objects.filter(contact_a_id=pair[0], contact_b_id=pair[1]).exists()
    assert DuplicateDismissal.objects.filter(contact_a_id=low, contact_b_id=high).exists()


def test_merges_and_dismissals_measure_the_model():
    user = admin_user()
    dob = datetime.date(1971, 3, 9)
    kept = ContactFactory(first_name="Robert", last_name="Okafor", date_of_birth=dob)
    gone = ContactFactory(first_name="Bob", last_name="Okafor", date_of_birth=dob)
    ContactPhoneFactory(contact=gone, number="+13125550190")
    contact_merge(survivor=kept, merged=gone, user=user)
    x = ContactFactory(first_name="Ann", last_name="Ruiz", date_of_birth=datetime.date(1960, 1, 1))
    y = ContactFactory(first_name="Zoe", last_name="Park", date_of_birth=datetime.date(1990, 6, 6))
    DuplicateDismissal.objects.create(contact_a_id=min(x.pk, y.pk), contact_b_id=max(x.pk, y.pk))
    report = measure_on_labels(Model(), rules=RULES, threshold=50)
    assert (report.merges, report.merges_found, report.dismissals, report.dismissals_found) == (1, 1, 1, 0)
    assert "1 of 1 merges" in str(report)


HEADER = ["First Name", "Last Name", "Birthday", "City", "ZIP", "Mobile Phone"]


@pytest.fixture
def katherine():
    return ContactFactory(
        first_name="Katherine", last_name="Lewis", date_of_birth=datetime.date(1990, 9, 10), city="Miami",
        postal_code="33153", address_line1="920 S Mill St",
    )  # fmt: skip


def _import(rows, rule):
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=admin_user(), duplicate_rule=rule)
    counts = run_import(batch)
    batch.refresh_from_db()
    return batch, counts


def test_a_fuzzy_match_below_the_auto_match_score_is_created_and_sent_to_the_queue(katherine, settings):
    settings.DUPLICATE_AUTO_MATCH_SCORE = 101  # nothing is sure enough to merge by itself
    batch, counts = _import([["Kate", "Lewis", "09/10/1990", "Miami", "33153", "(305) 555-0199"]], "merge")
    assert counts["new"] == 1 and counts["merged"] == 0
    new = Contact.objects.exclude(pk=katherine.pk).get()
    assert DuplicateCandidate.objects.filter(
        contact_a=min(new.pk, katherine.pk), contact_b=max(new.pk, katherine.pk)
    ).exists()
    note = batch.notes.get(kind=ImportNoteKind.DUPLICATE)
    assert "for review" in note.reason and note.contact_id == katherine.pk


def test_a_fuzzy_match_at_the_auto_match_score_follows_the_duplicate_rule(katherine, settings):
    settings.DUPLICATE_AUTO_MATCH_SCORE = 50
    batch, counts = _import([["Kate", "Lewis", "09/10/1990", "Miami", "33153", "(305) 555-0199"]], "merge")
    assert counts["merged"] == 1 and counts["new"] == 0
    assert Contact.objects.count() == 1
    assert list(katherine.phones.values_list("number", flat=True)) == ["+13055550199"]
    assert "likely the same person" in batch.notes.get(kind=ImportNoteKind.DUPLICATE).reason


def test_the_create_rule_never_merges_a_fuzzy_match(katherine, settings):
    settings.DUPLICATE_AUTO_MATCH_SCORE = 50
    _batch, counts = _import([["Kate", "Lewis", "09/10/1990", "Miami", "33153", "(305) 555-0199"]], "create")
    assert counts["new"] == 1 and Contact.objects.count() == 2


def test_a_row_is_matched_to_a_contact_an_earlier_chunk_of_the_same_import_created(settings):
    """The names by birth date are read once per import: a contact the import itself created
    in an earlier chunk is among the candidates of the later chunks."""
    settings.DUPLICATE_AUTO_MATCH_SCORE = 50
    rows = [
        ["Katherine", "Lewis", "09/10/1990", "Miami", "33153", "(305) 555-0100"],
        ["Ana", "Ruiz", "09/10/1990", "Tampa", "33601", "(813) 555-0101"],
        ["Kate", "Lewis", "09/10/1990", "Miami", "33153", "(305) 555-0199"],
    ]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=admin_user(), duplicate_rule="merge")
    counts = run_import(batch, chunk_size=1)
    assert counts["new"] == 2 and counts["merged"] == 1
    katherine = Contact.objects.get(first_name="Katherine")
    assert sorted(katherine.phones.values_list("number", flat=True)) == ["+13055550100", "+13055550199"]
