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
