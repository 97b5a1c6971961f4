"""A large file's rows are read and checked in a second process: the same results, and a
file that stops being readable midway still fails with its plain message."""

import pytest

from activity.services import verify_chain
from contacts.importing.service import run_import
from contacts.models import Contact, ContactPhone, ImportNoteKind, ImportStatus
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Mobile Phone", "Email"]


def rows(count):
    return [[f"Ann{n}", f"Lee{n}", f"+1 312 555 {n:04d}", f"ann{n}@example.org"] for n in range(count)]


@pytest.mark.parametrize("min_bytes", [0, -1], ids=["second-process", "same-process"])
def test_the_same_import_either_way(settings, min_bytes):
    settings.IMPORT_PARSE_PROCESS_MIN_BYTES = min_bytes
    user = admin_user(username="ada")
    existing = ContactFactory(first_name="Ann3", last_name="Lee3")
    ContactPhoneFactory(contact=existing, number="+13125550003", is_primary=True)
    data = [HEADER, *rows(250), ["", "", "not a phone", "bad"], rows(1)[0]]
    batch = batch_from_bytes(csv_bytes(data), user=user, duplicate_rule="merge")
    counts = run_import(batch, chunk_size=40)
    # Ann3 merges into the existing contact; the last row repeats the first one, already up to date.
    assert counts == {"new": 249, "updated": 0, "skipped": 1, "merged": 1, "errors": 1}
    assert Contact.objects.count() == 250
    assert ContactPhone.objects.count() == 250
    assert batch.notes.filter(kind=ImportNoteKind.ERROR).get().line == 252
    assert verify_chain() is None  # the chain is intact


def test_a_file_unreadable_midway_fails_with_its_message(settings):
    settings.IMPORT_PARSE_PROCESS_MIN_BYTES = 0
    content = csv_bytes([HEADER, *rows(3000)]) + b"Bad,\xff\xfe\xfa,+13125559999,x@example.org\r\n"
    batch = batch_from_bytes(content, duplicate_rule="create", encoding="utf-8")
    run_import(batch, chunk_size=500)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "stops being readable as utf-8" in batch.message
    # Whole chunks before the bad bytes were imported, nothing after (the text is decoded ahead).
    assert 0 < batch.rows_done == Contact.objects.count() < 3000


def test_skipped_rows_keep_their_values_for_the_report(settings):
    settings.IMPORT_PARSE_PROCESS_MIN_BYTES = 0
    existing = ContactFactory(first_name="Ann3", last_name="Lee3")
    ContactPhoneFactory(contact=existing, number="+13125550003", is_primary=True)
    batch = batch_from_bytes(csv_bytes([HEADER, *rows(5)]), duplicate_rule="skip")
    assert run_import(batch)["skipped"] == 1
    note = batch.notes.get(kind=ImportNoteKind.DUPLICATE)
    assert note.values == ["Ann3", "Lee3", "+1 312 555 0003", "ann3@example.org"]
    assert Contact.objects.get(first_name="Ann4").search_name == "ann4 lee4"
