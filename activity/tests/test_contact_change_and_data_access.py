import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from activity.models import ActivityEvent, DataAccessTally
from activity.services import DATA_ACCESS_COALESCE_WINDOW, record_contact_change, record_data_access, verify_chain
from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_phone_change_is_one_update_event_with_before_and_after():
    contact = ContactFactory()
    user = UserFactory(first_name="Pat", last_name="Lee")
    events = record_contact_change(
        contact=contact, before={"phone:mobile": "+13125550100"}, after={"phone:mobile": "+13125550199"}, actor=user
    )
    assert len(events) == 1
    event = events[0]
    assert event.label == "Update"
    assert event.description == "Phone (mobile) changed from +13125550100 to +13125550199"
    assert event.data["before"] == {"phone:mobile": "+13125550100"}
    assert event.data["after"] == {"phone:mobile": "+13125550199"}
    assert event.actor == "Pat Lee"
    assert event.contact_id == contact.pk


def test_unchanged_values_write_nothing():
    contact = ContactFactory()
    assert record_contact_change(contact=contact, before={"city": "Austin"}, after={"city": "Austin"}) == []
    assert ActivityEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "before", "after", "shown"),
    [
        ("do_not_call", False, True, "Do not call changed from No to Yes"),
        ("do_not_text", False, True, "Do not text changed from No to Yes"),
        ("do_not_email", True, False, "Do not email changed from Yes to No"),
        (
            "preferred_contact_method",
            "phone",
            "sms",
            "Preferred contact method changed from Phone call to Text message",
        ),
        (
            "calling_window_start",
            datetime.time(8),
            datetime.time(9, 30),
            "Calling window start changed from 08:00 to 09:30",
        ),
        ("calling_window_end", datetime.time(21), datetime.time(20), "Calling window end changed from 21:00 to 20:00"),
        ("timezone", "America/Chicago", "America/Denver", "Time zone changed from America/Chicago to America/Denver"),
    ],
)
def test_a_call_preference_change_is_also_a_compliance_update(field, before, after, shown):
    contact = ContactFactory()
    update, compliance = record_contact_change(
        contact=contact, before={field: before}, after={field: after}, actor="Import #12", via="import"
    )
    assert update.description == shown
    assert compliance.label == "Compliance: Update"
    assert compliance.is_compliance
    assert compliance.description == f"Call preferences changed by an import (Import #12): {shown}"
    assert compliance.data["via"] == "import"
    assert compliance.data["who"] == "Import #12"
    assert list(compliance.data["before"]) == [field]
    assert compliance.actor == "Import #12"


@pytest.mark.parametrize(
    ("via", "how"), [("staff", "by staff"), ("portal", "by the contact in the portal"), ("merge", "by a merge")]
)
def test_the_compliance_update_says_how_the_change_was_made(via, how):
    contact = ContactFactory()
    events = record_contact_change(contact=contact, before={"do_not_text": False}, after={"do_not_text": True}, via=via)
    assert how in events[1].description
    assert events[1].actor == "System"


def test_only_preference_fields_go_into_the_compliance_event():
    contact = ContactFactory()
    update, compliance = record_contact_change(
        contact=contact,
        before={"city": "Austin", "do_not_call": False},
        after={"city": "Dallas", "do_not_call": True},
    )
    assert update.description == "City changed from Austin to Dallas; Do not call changed from No to Yes"
    assert set(compliance.data["after"]) == {"do_not_call"}
    assert verify_chain() is None


def test_a_view_is_a_compliance_data_access_event_with_the_request_source():
    contact = ContactFactory()
    user = UserFactory()
    request = RequestFactory().get(f"/contacts/{contact.pk}/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="10.0.0.7")
    event = record_data_access(contact=contact, actor=user, what="profile", request=request)
    assert event.label == "Compliance: Data Access"
    assert event.data["source"]["ip"] == "10.0.0.7"
    assert event.data["source"]["user_agent"] == "Firefox"
    assert event.tally.count == 1


def test_a_refresh_within_the_window_is_coalesced_into_one_event():
    contact = ContactFactory()
    user = UserFactory()
    first = record_data_access(contact=contact, actor=user, what="profile")
    again = record_data_access(contact=contact, actor=user, what="profile")
    assert again.pk == first.pk
    assert ActivityEvent.objects.count() == 1
    tally = DataAccessTally.objects.get(event=first)
    assert tally.count == 2
    assert tally.last_at >= first.occurred_at


def test_other_users_other_contacts_and_other_things_are_separate_events():
    contact, other_contact = ContactFactory(), ContactFactory()
    user, other_user = UserFactory(), UserFactory()
    record_data_access(contact=contact, actor=user, what="profile")
    record_data_access(contact=contact, actor=other_user, what="profile")
    record_data_access(contact=other_contact, actor=user, what="profile")
    record_data_access(contact=contact, actor=user, what="document #4 (retainer.pdf)")
    assert ActivityEvent.objects.count() == 4


def test_access_after_the_window_is_a_new_event(monkeypatch):
    contact = ContactFactory()
    user = UserFactory()
    first = record_data_access(contact=contact, actor=user, what="profile")
    later = timezone.now() + DATA_ACCESS_COALESCE_WINDOW + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = record_data_access(contact=contact, actor=user, what="profile")
    assert second.pk != first.pk
    assert DataAccessTally.objects.get(event=first).count == 1


def test_behind_a_proxy_the_event_records_the_clients_address_not_the_proxys(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    contact = ContactFactory()
    request = RequestFactory().get(
        f"/contacts/{contact.pk}/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    event = record_data_access(contact=contact, actor=UserFactory(), what="profile", request=request)
    assert event.data["source"]["ip"] == "198.51.100.7"
