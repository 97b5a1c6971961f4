"""The import pipeline: duplicate rules, in-file duplicates, bad rows, dry run, undo, resume."""

import datetime

import pytest

from activity.models import ActivityEvent, EventType
from activity.services import verify_chain
from cases.models import Case, CaseContact
from contacts.importing.service import (
    FILE_GONE,
    preview_import,
    private_path,
    purge_import_files,
    run_import,
    undo_import,
)
from contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ImportBatch,
    ImportedContact,
    ImportErrorMode,
    ImportNoteKind,
    ImportStatus,
    Note,
)
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, admin_user
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Mobile Phone", "Email", "Birthday", "City", "Do Not Call", "External ID"]


@pytest.fixture
def user():
    return admin_user(username="ada")


@pytest.fixture
def ann():
    """An existing contact the file's first row duplicates (same phone)."""
    contact = ContactFactory(first_name="Ann", last_name="Lee", city="", state="IL", external_id="")
    ContactPhoneFactory(contact=contact, number="+13125550101", is_primary=True)
    ContactEmailFactory(contact=contact, email="ann@old.example", is_primary=True)
    return contact


def ann_row(**changes):
    row = dict(first="Ann", last="Lee", phone="(312) 555-0101", email="ann@new.example", dob="03/12/1985",
               city="Chicago", dnc="yes", ext="")  # fmt: skip
    row.update(changes)
    return list(row.values())


def run(user, rows, rule, **options):
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user, duplicate_rule=rule, **options)
    counts = run_import(batch)
    batch.refresh_from_db()
    return batch, counts


def test_skip_leaves_the_existing_contact_alone(user, ann):
    batch, counts = run(user, [ann_row()], "skip")
    assert counts == {"new": 0, "updated": 0, "skipped": 1, "merged": 0, "errors": 0}
    ann.refresh_from_db()
    assert ann.city == "" and not ann.do_not_call
    note = batch.notes.get(kind=ImportNoteKind.DUPLICATE)
    assert note.reason.startswith("skipped: same phone (+13125550101)") and note.contact_id == ann.pk


def test_update_overwrites_with_the_files_non_empty_values(user, ann):
    ann.first_name = "Annie"
    ann.save()
    batch, counts = run(user, [ann_row(city="Chicago", last="")], "update")
    assert counts["updated"] == 1
    ann.refresh_from_db()
    assert ann.first_name == "Ann"  # overwritten
    assert ann.last_name == "Lee"  # the file's blank does not erase
    assert ann.city == "Chicago" and ann.do_not_call
    assert ann.date_of_birth == datetime.date(1985, 3, 12)
    assert set(ann.emails.values_list("email", flat=True)) == {"ann@old.example", "ann@new.example"}


def test_create_adds_a_new_contact_even_when_one_matches(user, ann):
    _batch, counts = run(user, [ann_row()], "create")
    assert counts["new"] == 1
    assert Contact.objects.filter(first_name="Ann", last_name="Lee").count() == 2


def test_merge_fills_empty_fields_unions_channels_and_lists_conflicts(user, ann):
    ann.state = "IL"
    ann.save()
    batch, counts = run(user, [ann_row(first="Anne", phone="312 555 0101; 312-555-0199")], "merge")
    assert counts["merged"] == 1
    ann.refresh_from_db()
    assert ann.first_name == "Ann"  # never overwritten
    assert ann.city == "Chicago"  # empty field filled
    assert ann.do_not_call is True  # the stricter do-not-contact wins
    phones = list(ann.phones.order_by("-is_primary", "id").values_list("number", "is_primary"))
    assert phones == [("+13125550101", True), ("+13125550199", False)]  # the existing primary is kept
    assert set(ann.emails.values_list("email", flat=True)) == {"ann@old.example", "ann@new.example"}
    conflict = batch.notes.get(kind=ImportNoteKind.CONFLICT)
    assert conflict.reason == "first name: kept “Ann”, file has “Anne”"


def test_merge_never_clears_a_do_not_contact_flag(user, ann):
    ann.do_not_call = True
    ann.save()
    run(user, [ann_row(dnc="no")], "merge")
    ann.refresh_from_db()
    assert ann.do_not_call is True


@pytest.mark.parametrize(
    "rule, expected_contacts, counts",
    [
        ("skip", 1, {"new": 1, "skipped": 1}),
        ("create", 2, {"new": 2}),
        ("update", 1, {"new": 1, "updated": 1}),
        ("merge", 1, {"new": 1, "merged": 1}),
    ],
)
def test_duplicates_inside_the_file_follow_the_rule(user, rule, expected_contacts, counts):
    rows = [
        ["Cy", "Doe", "312 555 0103", "cy@example.com", "", "", "", ""],
        ["Cy", "Doe", "312 555 0103", "cy.doe@example.com", "", "Boston", "", ""],
    ]
    _batch, result = run(user, rows, rule)
    assert {key: value for key, value in result.items() if value} == counts
    assert Contact.objects.count() == expected_contacts
    if rule == "merge":
        contact = Contact.objects.get()
        assert contact.city == "Boston"
        assert set(contact.emails.values_list("email", flat=True)) == {"cy@example.com", "cy.doe@example.com"}


def test_in_file_duplicates_across_chunks_follow_the_rule(user):
    rows = [[f"P{n}", "Doe", f"312 555 {1000 + n}", "", "", "", "", ""] for n in range(5)]
    rows.append(["P0", "Doe", "312 555 1000", "p0@example.com", "", "", "", ""])
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user, duplicate_rule="merge")
    counts = run_import(batch, chunk_size=2)
    assert counts["new"] == 5 and counts["merged"] == 1
    assert Contact.objects.get(first_name="P0").emails.get().email == "p0@example.com"


@pytest.mark.parametrize("chunk_size", [2, 100])
def test_the_preview_finds_in_file_duplicates_in_the_same_and_in_earlier_chunks(user, chunk_size):
    rows = [[f"P{n}", "Doe", f"312 555 {1000 + n}", "", "", "", "", ""] for n in range(5)]
    rows.append(["P0", "Doe", "312 555 1000", "p0@example.com", "", "", "", ""])  # line 7 repeats line 2
    rows.append(["P4", "Doe", "312 555 1004", "", "", "", "", ""])  # line 8 repeats line 6
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user, duplicate_rule="merge")
    counts = preview_import(batch, chunk_size=chunk_size)
    assert counts == {"new": 5, "updated": 0, "skipped": 0, "merged": 2, "errors": 0}
    reasons = dict(batch.notes.filter(dry_run=True, kind=ImportNoteKind.DUPLICATE).values_list("line", "reason"))
    assert "line 2 of this file" in reasons[7] and "line 6 of this file" in reasons[8]
    assert not Contact.objects.exists()


def test_bad_rows_are_reported_with_line_and_plain_reason(user):
    rows = [
        ["Ok", "Row", "312 555 0150", "ok@example.com", "1990-01-02", "", "", ""],
        ["Bad", "Phone", "555-12", "", "", "", "", ""],
        ["Bad", "Email", "", "not-an-email", "", "", "", ""],
        ["Bad", "Date", "", "", "31/31/1990", "", "", ""],
        ["", "", "312 555 0151", "", "", "Rome", "", ""],
    ]
    batch, counts = run(user, rows, "skip")
    assert counts == {"new": 1, "updated": 0, "skipped": 0, "merged": 0, "errors": 4}
    reasons = dict(batch.notes.filter(kind=ImportNoteKind.ERROR).values_list("line", "reason"))
    assert reasons[3] == "bad phone “555-12”"
    assert reasons[4] == "bad email “not-an-email”"
    assert reasons[5].startswith("unreadable date “31/31/1990”")
    assert reasons[6].startswith("missing name")
    assert batch.notes.get(line=6).values == ["", "", "312 555 0151", "", "", "Rome", "", ""]


def test_the_preview_writes_nothing_and_counts_what_would_happen(user, ann):
    rows = [ann_row(), ["New", "Person", "", "", "", "", "", ""], ["", "", "", "", "", "", "", "x"]]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user, duplicate_rule="merge")
    before = (Contact.objects.count(), ContactPhone.objects.count(), ActivityEvent.objects.count())
    counts = preview_import(batch)
    assert counts == {"new": 1, "updated": 0, "skipped": 0, "merged": 1, "errors": 1}
    assert (Contact.objects.count(), ContactPhone.objects.count(), ActivityEvent.objects.count()) == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and batch.rows_total == 3
    assert batch.notes.filter(dry_run=True, kind=ImportNoteKind.DUPLICATE).get().contact_id == ann.pk


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(user):
    rows = [["Good", "Row", "", "", "", "", "", ""], ["Bad", "Row", "12", "", "", "", "", ""]]
    batch, counts = run(user, rows, "skip", error_mode=ImportErrorMode.ALL_OR_NOTHING)
    assert batch.status == ImportStatus.FAILED
    assert "Nothing was imported" in batch.message
    assert Contact.objects.count() == 0
    assert counts["errors"] == 1


def test_every_imported_row_writes_an_import_event_in_the_chain(user, ann):
    rows = [ann_row(), ["New", "Person", "", "", "", "", "", ""]]
    batch, _counts = run(user, rows, "merge")
    events = ActivityEvent.objects.filter(event_type=EventType.IMPORT)
    new = Contact.objects.get(first_name="New")
    assert sorted(event.contact_id for event in events) == sorted([ann.pk, new.pk])
    assert {event.data["action"] for event in events} == {"created", "merged"}
    assert all(event.data["batch"] == batch.pk and event.actor_user_id == user.pk for event in events)
    assert verify_chain() is None


def test_undo_removes_created_contacts_and_restores_updated_ones(user, ann):
    rows = [ann_row(city="Chicago"), ["New", "Person", "312 555 0177", "", "", "", "", ""]]
    batch, _counts = run(user, rows, "update")
    assert Contact.objects.count() == 2
    undo_import(batch=batch, user=user)
    ann.refresh_from_db()
    assert ann.city == "" and ann.do_not_call is False and ann.date_of_birth is None
    assert list(ann.emails.values_list("email", flat=True)) == ["ann@old.example"]
    assert list(Contact.objects.values_list("pk", flat=True)) == [ann.pk]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert verify_chain() is None


def test_undo_is_refused_after_seven_days(user):
    batch, _counts = run(user, [["New", "Person", "", "", "", "", "", ""]], "skip")
    ImportBatch.objects.filter(pk=batch.pk).update(finished_at=batch.finished_at - datetime.timedelta(days=8))
    batch.refresh_from_db()
    from contacts.importing.service import UndoRefused

    with pytest.raises(UndoRefused):
        undo_import(batch=batch, user=user)


def test_a_run_resumes_after_the_committed_chunks(user):
    rows = [[f"P{n}", "Doe", "", "", "", "", "", ""] for n in range(6)]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user)
    stored, content = batch.stored_name, private_path(batch.stored_name).read_bytes()
    # As a crashed worker leaves it: the first chunk (two rows) committed, the batch still
    # running, its file still kept (a finished run deletes it).
    run_import(batch, chunk_size=2)
    Contact.objects.filter(first_name__in=["P2", "P3", "P4", "P5"]).delete()
    private_path(stored).write_bytes(content)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=2, new_count=2, status=ImportStatus.RUNNING, stored_name=stored
    )
    batch.refresh_from_db()
    counts = run_import(batch, chunk_size=2)
    assert counts["new"] == 6
    assert sorted(Contact.objects.values_list("first_name", flat=True)) == [f"P{n}" for n in range(6)]


def test_cancel_stops_between_chunks(user):
    rows = [[f"P{n}", "Doe", "", "", "", "", "", ""] for n in range(6)]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user)

    def cancel_after_first_chunk(done):
        ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)

    run_import(batch, chunk_size=2, progress=cancel_after_first_chunk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert Contact.objects.count() == 2 == batch.rows_done


def test_notes_and_case_numbers_are_imported(user):
    case = Case.objects.create(number="PI-001", title="Crash")
    header = ["Name", "Notes", "Matter Number"]
    batch = batch_from_bytes(csv_bytes([header, ["Doe, Jane", "Prefers <b>mornings</b>", "PI-001; PI-404"]]), user=user)
    run_import(batch)
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Jane", "Doe")
    assert Note.objects.get(contact=contact).body_html == "<p>Prefers &lt;b&gt;mornings&lt;/b&gt;</p>"
    assert CaseContact.objects.filter(case=case, contact=contact).exists()
    assert batch.notes.get(kind=ImportNoteKind.CONFLICT).reason == "no case numbered “PI-404”"


def test_a_chunk_costs_a_fixed_number_of_queries(user, django_assert_max_num_queries):
    for n in range(30):
        contact = ContactFactory(first_name=f"E{n}", last_name="Old")
        ContactPhoneFactory(contact=contact, number=f"+1312555{2000 + n}")
    rows = [[f"E{n}", "Old", f"312 555 {2000 + n}", f"e{n}@example.com", "", "Rome", "", ""] for n in range(30)]
    rows += [[f"N{n}", "New", f"312 555 {3000 + n}", "", "", "", "", ""] for n in range(30)]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user, duplicate_rule="merge")
    with django_assert_max_num_queries(40):
        counts = run_import(batch)
    assert counts["merged"] == 30 and counts["new"] == 30
    assert ContactEmail.objects.count() == 30
    assert ImportedContact.objects.filter(batch=batch).count() == 60


def test_the_list_filter_shows_the_contacts_of_a_batch(user, ann):
    from contacts.filters import ContactFilter

    ContactFactory(first_name="Not", last_name="Imported")
    batch, _counts = run(user, [ann_row(), ["New", "Person", "", "", "", "", "", ""]], "merge")
    found = ContactFilter({"import_batch": str(batch.pk)}, queryset=Contact.objects.all()).qs
    assert sorted(found.values_list("first_name", flat=True)) == ["Ann", "New"]


def test_ids_of_undone_contacts_are_never_handed_out_again(user):
    batch, _counts = run(user, [["Gone", "Soon", "", "", "", "", "", ""]], "skip")
    gone_id = Contact.objects.get().pk
    undo_import(batch=batch, user=user)
    run(user, [["New", "Later", "", "", "", "", "", ""]], "skip")
    assert Contact.objects.get().pk > gone_id  # the activity log still names the old id


def test_merged_away_and_archived_contacts_never_match(user, ann):
    from django.utils import timezone

    survivor = ContactFactory(first_name="Sur", last_name="Vivor")
    Contact.objects.filter(pk=ann.pk).update(merged_into=survivor)
    _batch, counts = run(user, [ann_row()], "skip")
    assert counts["new"] == 1
    Contact.objects.filter(first_name="Ann", merged_into__isnull=True).update(archived_at=timezone.now())
    _batch, counts = run(user, [ann_row()], "skip")
    assert counts["new"] == 1


def test_undo_is_refused_plainly_when_a_created_contact_absorbed_a_merge(user):
    from contacts.importing.service import UndoRefused

    batch, _counts = run(user, [["New", "Person", "", "", "", "", "", ""]], "skip")
    imported = Contact.objects.get()
    ContactFactory(first_name="Merged", last_name="Away", merged_into=imported)
    with pytest.raises(UndoRefused, match="undo those merges first"):
        undo_import(batch=batch, user=user)
    assert Contact.objects.filter(pk=imported.pk).exists()
    batch.refresh_from_db()
    assert batch.undone_at is None


def test_a_google_contacts_export_imports(user):
    from contacts.tests.test_import_mapping import GOOGLE_CONTACTS

    row = dict.fromkeys(GOOGLE_CONTACTS, "")
    row |= {"First Name": "Zoë", "Last Name": "Ortiz", "Birthday": "1990-05-06", "E-mail 1 - Label": "* Home",
            "E-mail 1 - Value": "zoe@example.com", "Phone 1 - Label": "Mobile", "Phone 1 - Value": "+1 312-555-0140",
            "Phone 2 - Value": "(312) 555-0141", "Address 1 - City": "Chicago", "Address 1 - Region": "IL",
            "Notes": "Met at intake"}  # fmt: skip
    batch = batch_from_bytes(csv_bytes([GOOGLE_CONTACTS, list(row.values())]), user=user, name="google.csv")
    assert run_import(batch)["new"] == 1
    contact = Contact.objects.get()
    assert (contact.first_name, contact.city, contact.state) == ("Zoë", "Chicago", "IL")
    assert contact.date_of_birth == datetime.date(1990, 5, 6)
    assert list(contact.phones.values_list("number", "is_primary")) == [("+13125550140", True), ("+13125550141", False)]
    assert contact.emails.get().email == "zoe@example.com"
    assert contact.notes.count() == 1


def test_an_outlook_export_imports_with_its_empty_birthday(user):
    from contacts.tests.test_import_mapping import OUTLOOK

    row = dict.fromkeys(OUTLOOK, "")
    row |= {"First Name": "Sam", "Last Name": "Hill", "Company": "Hill LLC", "Mobile Phone": "312.555.0150",
            "Business Phone": "312-555-0151", "E-mail Address": "SAM@Example.com", "Birthday": "0/0/00",
            "Business Street": "1 Main St", "Business City": "Austin", "Business State": "TX"}  # fmt: skip
    batch = batch_from_bytes(csv_bytes([OUTLOOK, list(row.values())]), user=user, name="outlook.csv")
    assert run_import(batch) == {"new": 1, "updated": 0, "skipped": 0, "merged": 0, "errors": 0}
    contact = Contact.objects.get()
    assert (contact.organization_name, contact.address_line1, contact.date_of_birth) == ("Hill LLC", "1 Main St", None)
    assert set(contact.phones.values_list("number", "kind")) == {("+13125550150", "mobile"), ("+13125550151", "work")}
    assert contact.emails.get().email == "sam@example.com"


def _fail_on_second_chunk(monkeypatch):
    from contacts.importing import service

    real_write = service.write_chunk
    calls = []

    def write_then_fail(result, batch):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(result, batch)

    monkeypatch.setattr(service, "write_chunk", write_then_fail)


def test_a_failed_all_or_nothing_run_undoes_what_it_committed(user, monkeypatch):
    _fail_on_second_chunk(monkeypatch)
    rows = [[f"P{n}", "Doe", "", "", "", "", "", ""] for n in range(4)]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user, error_mode=ImportErrorMode.ALL_OR_NOTHING)
    with pytest.raises(RuntimeError):
        run_import(batch, chunk_size=2)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE and "nothing changed" in batch.message
    assert not Contact.objects.exists()


def test_a_failed_run_of_valid_rows_says_what_was_committed(user, monkeypatch):
    _fail_on_second_chunk(monkeypatch)
    rows = [[f"P{n}", "Doe", "", "", "", "", "", ""] for n in range(4)]
    batch = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user)
    with pytest.raises(RuntimeError):
        run_import(batch, chunk_size=2)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "The first 2 rows were imported; resume to import the rest, or undo." in batch.message
    assert Contact.objects.count() == 2 == batch.rows_done


def test_a_finished_import_deletes_its_uploaded_file(user):
    batch = batch_from_bytes(csv_bytes([HEADER, ["New", "Person", "", "", "", "", "", ""]]), user=user)
    path = private_path(batch.stored_name)
    assert path.is_file()
    run_import(batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert not path.exists() and batch.stored_name == ""
    undo_import(batch=batch, user=user)  # undo needs no file
    assert not Contact.objects.filter(first_name="New").exists()


def test_files_of_old_or_finished_batches_are_purged_and_a_purged_run_says_so(user):
    rows = [["New", "Person", "", "", "", "", "", ""]]
    recent = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user)
    old = batch_from_bytes(csv_bytes([HEADER, *rows]), user=user)
    ImportBatch.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=8), status=ImportStatus.CANCELLED
    )
    assert purge_import_files() == 1
    recent.refresh_from_db()
    old.refresh_from_db()
    assert private_path(recent.stored_name).is_file()  # may still be previewed, run or resumed
    assert old.stored_name == ""
    # Resuming the purged batch fails with a plain message, and writes nothing.
    ImportBatch.objects.filter(pk=old.pk).update(status=ImportStatus.RUNNING)
    old.refresh_from_db()
    assert run_import(old)["new"] == 0
    old.refresh_from_db()
    assert old.status == ImportStatus.FAILED
    assert FILE_GONE in old.message
    assert not Contact.objects.exists()
