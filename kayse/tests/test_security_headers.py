"""Every response carries the CSP and a Permissions-Policy that turns off device access."""

import pytest
from django.urls import reverse

from contacts.tests.factories import UserFactory
from portal.tests.factories import contact_on_case, issued_link

pytestmark = pytest.mark.django_db

TURNED_OFF = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]


def assert_hardened(response):
    policy = [part.strip() for part in response["Permissions-Policy"].split(",")]
    assert all(feature in policy for feature in TURNED_OFF), policy
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_staff_pages_sign_in_and_errors_carry_the_policies(client):
    assert_hardened(client.get(reverse("login")))
    assert_hardened(client.get("/healthz"))
    client.force_login(UserFactory(username="sam"))
    assert_hardened(client.get(reverse("contacts:list")))
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_hardened(missing)


def test_portal_pages_carry_the_policies_upload_included(client):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    assert_hardened(client.get(f"/p/{token}/"))
    client.post(f"/p/{token}/")
    upload_page = client.get("/portal/documents/")
    assert upload_page.status_code == 200 and 'type="file"' in upload_page.content.decode()
    assert_hardened(upload_page)
