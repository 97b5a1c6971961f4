"""The indexes an import writes on every row are the ones queries use: no redundant ones."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# (table, column) whose lone index was dropped: a composite index leads with the column.
COVERED = [
    ("contacts_contactphone", "contact_id"),
    ("contacts_contactemail", "contact_id"),
    ("contacts_importedcontact", "batch_id"),
    ("contacts_importrownote", "batch_id"),
]


def _indexes(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


@pytest.mark.parametrize(("table", "column"), COVERED)
def test_a_foreign_key_led_by_a_composite_index_has_no_index_of_its_own(table, column):
    indexes = _indexes(table)
    # (A unique partial index such as one_primary_phone is a rule, not a lookup aid: it stays.)
    alone = [
        name for name, info in indexes.items() if info["index"] and not info["unique"] and info["columns"] == [column]
    ]
    led = [name for name, info in indexes.items() if len(info["columns"]) > 1 and info["columns"][0] == column]
    assert alone == [] and led, (alone, led)


def test_the_activity_hash_and_contact_name_columns_are_not_indexed():
    for table, column in (("activity_activityevent", "hash"), ("contacts_contact", "search_name")):
        assert not any(
            column in info["columns"] for info in _indexes(table).values() if info["index"] or info["unique"]
        )
