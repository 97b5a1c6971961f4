"""Calling-window edges through the one decision every sender uses (contacts.dnc.may_contact_now)."""

import datetime

import pytest

from contacts.calling_window import calling_window_status
from contacts.dnc import may_contact_now
from contacts.tests.factories import ContactFactory, ContactPhoneFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _contact(**kwargs):
    contact = ContactFactory(**kwargs)
    ContactPhoneFactory(contact=contact, number="+13125550100")  # a Chicago number
    return contact


@pytest.mark.parametrize(
    ("utc", "allowed"),
    [
        # 2026-03-08: US clocks spring forward at 02:00 local. Chicago is UTC-6 before, UTC-5 after.
        (datetime.datetime(2026, 3, 8, 13, 0, tzinfo=UTC), True),  # 08:00 CDT, the window opens
        (datetime.datetime(2026, 3, 8, 12, 59, tzinfo=UTC), False),  # 07:59 CDT (it would be 06:59 in CST)
        (datetime.datetime(2026, 3, 9, 1, 59, tzinfo=UTC), True),  # 20:59 CDT
        (datetime.datetime(2026, 3, 9, 2, 0, tzinfo=UTC), False),  # 21:00 CDT, closed
        # 2026-11-01: clocks fall back. Chicago is UTC-6 again.
        (datetime.datetime(2026, 11, 1, 13, 30, tzinfo=UTC), False),  # 07:30 CST (08:30 if still CDT)
        (datetime.datetime(2026, 11, 1, 14, 0, tzinfo=UTC), True),  # 08:00 CST
        (datetime.datetime(2026, 11, 2, 2, 30, tzinfo=UTC), True),  # 20:30 CST (21:30 if still CDT)
    ],
)
def test_the_window_follows_daylight_saving_changes(utc, allowed):
    contact = _contact(timezone="America/Chicago")
    decision = may_contact_now(contact=contact, channel="call", now=utc)
    assert decision.allowed is allowed, decision.reason


def test_a_contact_without_a_time_zone_uses_the_zone_of_their_phone():
    contact = _contact(timezone="")
    status = calling_window_status(contact, primary_phone="+13125550100")
    assert (status.timezone_name, status.timezone_source) == ("America/Chicago", "phone")
    # 07:30 in Chicago, 08:30 in New York (the firm's zone): Chicago's rule applies.
    decision = may_contact_now(contact=contact, channel="call", now=datetime.datetime(2026, 11, 25, 13, 30, tzinfo=UTC))
    assert not decision.allowed
    assert "07:30" in decision.reason


def test_a_contact_with_no_zone_and_an_ambiguous_phone_falls_back_to_the_firms_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    contact = ContactFactory(timezone="")
    status = calling_window_status(contact, primary_phone=None)
    assert (status.timezone_name, status.timezone_source) == ("America/New_York", "firm")


def test_a_stricter_state_window_applies(settings):
    settings.CALLING_WINDOW_BY_STATE = {"TX": ["09:00", "21:00"]}
    contact = _contact(timezone="America/Chicago", state="tx")
    half_past_eight = datetime.datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    assert not may_contact_now(contact=contact, channel="sms", now=half_past_eight).allowed
    contact.state = "IL"
    assert may_contact_now(contact=contact, channel="sms", now=half_past_eight).allowed
