"""The list's "Callable now" filter follows the same rule as the calling-window status."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from contacts import selectors
from contacts.calling_window import callable_now_q, calling_window_status
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# 20:30 UTC: 15:30 in New York, 12:30 in Los Angeles, 10:30 in Honolulu, 05:30 in Tokyo
# (next day), 20:30 in London.
NOW = "2026-11-25 20:30:00"


@pytest.fixture
def people():
    return {
        "new_york": ContactFactory(timezone="America/New_York"),
        "los_angeles": ContactFactory(timezone="America/Los_Angeles"),
        "honolulu": ContactFactory(timezone="Pacific/Honolulu"),
        "tokyo": ContactFactory(timezone="Asia/Tokyo"),
        "london": ContactFactory(timezone="Europe/London"),
        "no_calls": ContactFactory(timezone="America/Chicago", do_not_call=True),
        "late_window": ContactFactory(
            timezone="America/Chicago", calling_window_start=datetime.time(17), calling_window_end=datetime.time(20)
        ),
        "no_zone": ContactFactory(timezone=""),
    }


def _callable_ids(client):
    client.force_login(UserFactory())
    with freeze_time(NOW):
        page = client.get(reverse("contacts:list"), {"callable_now": "on"}).content.decode()
    return {pk for pk in Contact.objects.values_list("pk", flat=True) if f"/contacts/{pk}/" in page}


def test_callable_now_lists_contacts_inside_their_window_and_not_do_not_call(client, people):
    listed = _callable_ids(client)
    expected = {"new_york", "los_angeles", "honolulu", "london", "no_zone"}
    assert listed == {people[name].pk for name in expected}


def test_the_filter_agrees_with_the_status_shown_for_each_contact(client, people):
    listed = _callable_ids(client)
    with freeze_time(NOW):
        for contact in people.values():
            allowed = calling_window_status(contact).allowed and not contact.do_not_call
            assert (contact.pk in listed) == allowed, contact.timezone


def test_a_stricter_state_window_applies(client, settings):
    settings.CALLING_WINDOW_BY_STATE = {"CA": ["09:00", "12:00"]}
    in_california = ContactFactory(timezone="America/Los_Angeles", state="CA")
    in_oregon = ContactFactory(timezone="America/Los_Angeles", state="OR")
    listed = _callable_ids(client)
    assert in_oregon.pk in listed and in_california.pk not in listed


def test_the_zones_in_use_are_each_distinct_zone_once_blank_included():
    for zone in ["America/Chicago", "Asia/Tokyo", "America/Chicago", ""]:
        ContactFactory(timezone=zone)
    assert sorted(selectors.time_zones_in_use()) == ["", "America/Chicago", "Asia/Tokyo"]


def test_when_every_contacts_zone_is_closed_nobody_is_listed_without_reading_the_contacts(client):
    # 08:30 UTC: 03:30 in New York and Chicago, 22:30 in Honolulu; 17:30 in Tokyo, where nobody is.
    ContactFactory(timezone="America/New_York")
    ContactFactory(timezone="America/Chicago")
    ContactFactory(timezone="Pacific/Honolulu")
    client.force_login(UserFactory())
    client.get(reverse("contacts:list"))
    with freeze_time("2026-11-25 08:30:00"), CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("contacts:list"), {"callable_now": "on"}).content.decode()
    assert "No contacts match these filters." in page
    assert not [query for query in queries if 'FROM "contacts_contact"' in query["sql"] and "MIN(" not in query["sql"]]


def test_a_zone_nobody_is_in_leaves_the_others_as_they_were():
    # 20:30 UTC (NOW): New York is open, Tokyo closed.
    in_new_york = ContactFactory(timezone="America/New_York")
    ContactFactory(timezone="Asia/Tokyo")
    with freeze_time(NOW):
        every_zone = set(Contact.objects.filter(callable_now_q()).values_list("pk", flat=True))
        in_use = callable_now_q(zones_in_use=["America/New_York", "Asia/Tokyo"])
        assert set(Contact.objects.filter(in_use).values_list("pk", flat=True)) == every_zone == {in_new_york.pk}
