"""A contact's Activity tab offers only the event types a contact can have."""

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory, admin_user

pytestmark = pytest.mark.django_db


def test_the_contact_activity_filter_does_not_offer_settings_events(client):
    contact = ContactFactory()
    client.force_login(admin_user())
    html = client.get(reverse("contacts:activity", args=[contact.pk])).content.decode()
    assert '<option value="note">' in html
    assert '<option value="settings">' not in html
    assert client.get(reverse("contacts:activity", args=[contact.pk]), {"event_type": "settings"}).status_code == 200
