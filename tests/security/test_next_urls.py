"""A form's `next` address is followed only within the site: a link that signs someone in,
or a tampered form, can never send them on to a look-alike site."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.tests.factories import ContactFactory, UserFactory
from documents.tests.factories import make_document
from portal.tests.factories import contact_on_case

pytestmark = pytest.mark.django_db

ELSEWHERE = ["https://evil.example/contacts/", "//evil.example/contacts/", "https:/evil.example/"]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="pat"))
    return client


def stays_on_the_site(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/") and "evil" not in response["Location"]


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_signing_in(client, elsewhere):
    UserFactory(username="pat")
    response = client.post("/login/", {"username": "pat", "password": "correct horse battery", "next": elsewhere})
    assert stays_on_the_site(response)


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_the_second_factor_page(client, elsewhere):
    user = UserFactory(username="pat")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert stays_on_the_site(client.get("/account/two-factor/verify/", {"next": elsewhere}))


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_choosing_list_columns(staff_client, elsewhere):
    response = staff_client.post("/contacts/columns/", {"list": "contacts", "columns": ["name"], "next": elsewhere})
    assert stays_on_the_site(response)


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_deleting_a_document(staff_client, elsewhere):
    contact = ContactFactory()
    document = make_document(contact)
    response = staff_client.post(f"/contacts/{contact.pk}/documents/{document.pk}/delete/", {"next": elsewhere})
    assert stays_on_the_site(response)


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_replying_to_a_portal_message(staff_client, elsewhere):
    contact, case = contact_on_case()
    response = staff_client.post(f"/cases/{case.pk}/messages/{contact.pk}/reply/", {"body": "Hi", "next": elsewhere})
    assert stays_on_the_site(response)


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_dismissing_a_possible_duplicate(staff_client, elsewhere):
    first, second = ContactFactory(), ContactFactory()
    response = staff_client.post(
        "/contacts/duplicates/dismiss/", {"contact_a": first.pk, "contact_b": second.pk, "next": elsewhere}
    )
    assert stays_on_the_site(response)
    assert response["Location"] == "/contacts/duplicates/"


def test_dismissing_goes_back_to_the_page_it_came_from(staff_client):
    first, second = ContactFactory(), ContactFactory()
    response = staff_client.post(
        "/contacts/duplicates/dismiss/", {"contact_a": first.pk, "contact_b": second.pk, "next": "/contacts/?page=2"}
    )
    assert response["Location"] == "/contacts/?page=2"
