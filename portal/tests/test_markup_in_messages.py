"""Messages between the contact and the firm are plain text: markup in them is shown as
text on the staff pages and in the portal, never run."""

import pytest
from django.test import Client

from cases.models import Message
from contacts.tests.factories import UserFactory
from portal.tests.factories import contact_on_case, issued_link

pytestmark = pytest.mark.django_db

PAYLOADS = '<img src=x onerror=alert(1)><script>alert(1)</script><a href="javascript:alert(1)">x</a>'


def assert_shown_as_text(page: str):
    assert "<img src=x" not in page and "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def staff_client():
    staff = Client()
    staff.force_login(UserFactory(username="sam"))
    return staff


def test_a_contacts_message_with_markup_is_text_on_the_case_and_the_profile(client, staff_client):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    client.post(f"/p/{token}/")
    assert client.post("/portal/messages/", {"body": PAYLOADS}).status_code == 302
    assert Message.objects.get().body == PAYLOADS

    assert_shown_as_text(client.get("/portal/messages/").content.decode())
    assert_shown_as_text(staff_client.get(f"/cases/{case.pk}/messages/").content.decode())
    assert_shown_as_text(staff_client.get(f"/contacts/{contact.pk}/").content.decode())


def test_a_staff_reply_with_markup_is_text_in_the_portal(client, staff_client):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    reply = staff_client.post(f"/cases/{case.pk}/messages/{contact.pk}/reply/", {"body": PAYLOADS})
    assert reply.status_code == 302
    client.post(f"/p/{token}/")
    assert_shown_as_text(client.get("/portal/messages/").content.decode())
