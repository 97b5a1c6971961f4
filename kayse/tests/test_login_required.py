import pytest

from contacts.tests.factories import ContactFactory, UserFactory, admin_user

STAFF_PAGES = ["/contacts/", "/contacts/duplicates/", "/cases/", "/contacts/{contact}/"]
ADMIN_PAGES = ["/settings/import/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_PAGES + ADMIN_PAGES)
def test_staff_pages_send_anonymous_visitors_to_sign_in(client, url):
    contact = ContactFactory()
    response = client.get(url.format(contact=contact.pk))
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_open_for_signed_in_staff(client, url):
    contact = ContactFactory()
    client.force_login(UserFactory())
    assert client.get(url.format(contact=contact.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_refuse_staff_and_open_for_admins(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(admin_user())
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_admin_needs_staff_flag(client):
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_sign_in_with_wrong_password_says_so(client):
    UserFactory(username="pat")
    response = client.post("/login/", {"username": "pat", "password": "wrong"})
    assert response.status_code == 200
    assert b"didn't match" in response.content


@pytest.mark.django_db
def test_every_response_carries_a_strict_csp(client):
    response = client.get("/login/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
