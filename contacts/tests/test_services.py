"""Contact services: one transaction each, with their activity event, all or nothing."""

import datetime

import pytest
from django.db import IntegrityError

from activity.models import ActivityEvent
from contacts import services
from contacts.models import Contact, ContactPhone
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields(**overrides):
    data = {
        "kind": "person",
        "first_name": "Lee",
        "last_name": "Park",
        "calling_window_start": datetime.time(8),
        "calling_window_end": datetime.time(21),
    }
    data.update(overrides)
    return data


def phone(number, primary=False):
    return {"number": number, "kind": "mobile", "is_primary": primary}


def test_create_writes_contact_phones_emails_and_one_event():
    user = UserFactory()
    contact, _ = services.contact_create(
        data=fields(),
        phones=[phone("+13125550142", True)],
        emails=[{"email": "lee@example.com", "kind": "home", "is_primary": True}],
        user=user,
    )
    assert contact.created_by == user
    assert contact.phones.get().number == "+13125550142"
    event = ActivityEvent.objects.get(contact_id=contact.pk)
    assert event.event_type == "create" and event.actor_user_id == user.pk


def test_a_failing_phone_write_leaves_nothing_behind():
    with pytest.raises(IntegrityError):
        services.contact_create(
            data=fields(), phones=[phone("+13125550142", True), phone("+13125550142")], emails=[], user=UserFactory()
        )
    assert not Contact.objects.exists()
    assert not ContactPhone.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_a_failing_update_keeps_the_old_phones_and_logs_nothing():
    contact = ContactFactory(first_name="Lee", last_name="Park")
    ContactPhoneFactory(contact=contact, number="+13125550100")
    with pytest.raises(IntegrityError):
        services.contact_update(
            contact=contact,
            data=fields(first_name="Changed"),
            phones=[phone("+13125550142", True), phone("+13125550199", True)],
            emails=[],
            user=UserFactory(),
        )
    contact.refresh_from_db()
    assert contact.first_name == "Lee"
    assert list(contact.phones.values_list("number", flat=True)) == ["+13125550100"]
    assert not ActivityEvent.objects.exists()


def test_update_without_changes_logs_nothing():
    contact = ContactFactory(first_name="Lee", last_name="Park", timezone="America/Chicago")
    ContactPhoneFactory(contact=contact, number="+13125550100")
    data = fields(timezone="America/Chicago")
    services.contact_update(contact=contact, data=data, phones=[phone("+13125550100", True)], emails=[], user=None)
    assert not ActivityEvent.objects.exists()


def test_archive_is_idempotent_and_logged_once():
    contact = ContactFactory()
    services.contact_archive(contact=contact, user=None)
    services.contact_archive(contact=contact, user=None)
    assert ActivityEvent.objects.filter(contact_id=contact.pk, event_type="archive").count() == 1
    assert not Contact.objects.live().filter(pk=contact.pk).exists()


def test_enrich_fills_line_type_when_the_numbering_plan_knows_it():
    contact = ContactFactory(timezone="")
    ContactPhoneFactory(contact=contact, number="+447911123456", line_type="")  # a UK mobile number
    filled = services.contact_enrich(contact=contact, user=None)
    assert contact.phones.get().line_type == "mobile"
    assert any(item.source == "phone metadata" for item in filled)


def test_list_preference_keeps_columns_when_saving_the_sort():
    user = UserFactory()
    services.list_preference_save(user=user, list_name="contacts", columns=["phone"])
    preference = services.list_preference_save(user=user, list_name="contacts", sort="-created")
    assert (preference.columns, preference.sort) == (["phone"], "-created")
