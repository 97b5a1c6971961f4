"""PostgreSQL plans the contacts list from true estimates: statistics on the live-contact test."""

import re

import pytest
from django.db import connection

from contacts.models import Contact
from contacts.selectors import live_contacts, search_contacts
from contacts.tests.factories import ContactFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans of PostgreSQL's planner"),
]


def _estimated_rows(queryset) -> int:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        first_line = cursor.fetchone()[0]
    return int(re.search(r"rows=(\d+)", first_line).group(1))


def test_the_planner_knows_nearly_every_contact_is_live(db):
    ContactFactory.create_batch(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")

    # Without contact_live_stats PostgreSQL guesses 0.5% (here: 2 rows) and plans for a handful.
    assert _estimated_rows(live_contacts(Contact.objects.all())) > 250


def test_a_name_search_is_one_condition_on_the_row_with_each_prefix_twice(db):
    ContactFactory(last_name="Ross")
    ContactFactory(first_name="Rosa", last_name="Garcia")
    ContactFactory(last_name="Smith")
    sql, params = search_contacts(Contact.objects.all(), "ross").query.sql_with_params()
    assert "to_tsvector('simple', \"contacts_contact\".\"search_name\") @@ to_tsquery('simple', %s)" in sql
    assert "ross:* & ross:*" in params
    assert list(search_contacts(Contact.objects.all(), "ross").values_list("last_name", flat=True)) == ["Ross"]
    rosa = search_contacts(Contact.objects.all(), "garcia ros")
    assert rosa.query.sql_with_params()[1][-1] == "garcia:* & ros:* & ros:*"  # only the short prefix twice
    assert list(rosa.values_list("first_name", flat=True)) == ["Rosa"]
