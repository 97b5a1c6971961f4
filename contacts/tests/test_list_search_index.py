"""The name-search index is kept by the database and comes back after a table rebuild."""

import pytest
from django.db import connection

from contacts.models import Contact
from contacts.search_index import ensure_search_index
from contacts.selectors import search_contacts
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def found(text):
    return set(search_contacts(Contact.objects.all(), text).values_list("last_name", flat=True))


def test_rows_bulk_inserted_without_save_are_searchable():
    row = Contact(first_name="Raw", last_name="Inserted")
    row.refresh_derived_fields()  # what the importer and the seeder do before a bulk insert
    Contact.objects.bulk_create([row])
    assert found("raw ins") == {"Inserted"}


def test_renamed_and_deleted_contacts_leave_the_index():
    contact = ContactFactory(first_name="Zelda", last_name="Quixote")
    contact.last_name = "Quimby"
    contact.save()
    assert found("quix") == set()
    assert found("zel quim") == {"Quimby"}
    contact.delete()
    assert found("zelda") == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps the index with triggers")
def test_lost_triggers_are_recreated_and_the_index_rebuilt():
    with connection.cursor() as cursor:
        for name in ("contact_search_ai", "contact_search_ad", "contact_search_au"):
            cursor.execute(f"DROP TRIGGER {name}")
    ContactFactory(first_name="Orphan", last_name="Row")  # written while the triggers were gone
    ensure_search_index()
    assert found("orphan") == {"Row"}
    ContactFactory(first_name="After", last_name="Wards")
    assert found("after") == {"Wards"}


def _insert_raw(first, last):
    from contacts.importing.bulk import allocate_ids, insert_rows

    row = Contact(first_name=first, last_name=last)
    row.refresh_derived_fields()
    (row.id,) = allocate_ids(Contact, 1)
    insert_rows(Contact, [row], with_ids=True)
    return row.id


def test_bulk_inserts_indexed_at_the_end_of_a_deferred_block():
    from django.db import transaction

    from contacts.search_index import deferred_search_index

    with transaction.atomic():
        first = _insert_raw("Before", "Block")
        with deferred_search_index([first + 1, first + 2]):
            assert _insert_raw("Ines", "Deferred") == first + 1
            assert _insert_raw("Otto", "Deferred") == first + 2
            if connection.vendor == "sqlite":
                assert found("deferr") == set()  # the trigger is paused: indexed once, below
        assert found("deferr") == {"Deferred"}
        assert found("ines def") == {"Deferred"}
    assert found("before") == {"Block"}
    # The pause lasted only the block: the next insert is indexed by the trigger again.
    ContactFactory(first_name="Later", last_name="Trigger")
    assert found("later") == {"Trigger"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the pause is SQLite's")
@pytest.mark.django_db(transaction=True)
def test_a_deferred_block_refuses_to_run_outside_a_transaction():
    from contacts.search_index import deferred_search_index

    with pytest.raises(RuntimeError), deferred_search_index([1]):
        pass


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps the index with triggers")
def test_an_insert_trigger_of_an_earlier_version_is_replaced():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER contact_search_ai")
        cursor.execute(
            "CREATE TRIGGER contact_search_ai AFTER INSERT ON contacts_contact BEGIN "
            "INSERT INTO contact_search(rowid, search_name) VALUES (new.id, new.search_name); END"
        )
    ensure_search_index()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'contact_search_ai'")
        assert "contact_search_deferred" in cursor.fetchone()[0]
    ContactFactory(first_name="Still", last_name="Found")
    assert found("still") == {"Found"}
