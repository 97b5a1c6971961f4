"""Admins make and revoke API tokens and webhooks (Django admin, linked from Settings)."""

import pytest
from django.contrib.messages import get_messages

from api.models import ApiToken, WebhookEndpoint
from api.services import token_find
from contacts.tests.factories import UserFactory, admin_user


@pytest.fixture
def admin_client(client, db):
    admin = admin_user(username="boss", is_staff=True)
    client.force_login(admin)
    client.admin = admin
    return client


def test_an_admin_makes_a_token_shown_once(admin_client):
    intake = UserFactory(username="intake")
    response = admin_client.post(
        "/admin/api/apitoken/add/", {"user": intake.pk, "name": "Intake form", "scopes": ["read", "write"]}
    )
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "not shown again" in str(m)]
    text = message.rsplit(" ", 1)[-1]
    token = token_find(text)
    assert token.user == intake and token.scopes == ["read", "write"] and token.created_by == admin_client.admin
    assert text in admin_client.get("/admin/api/apitoken/").content.decode()  # the message, once
    assert text not in admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert text not in admin_client.get("/admin/api/apitoken/").content.decode()


def test_an_admin_revokes_tokens(admin_client):
    from api.services import token_create

    token, text = token_create(user=admin_client.admin, name="t", scopes=["read"])
    admin_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get().revoked_at is not None
    assert token_find(text) is None


def test_a_webhook_to_a_private_address_is_refused(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = admin_client.post(
        "/admin/api/webhookendpoint/add/",
        {
            "url": "http://127.0.0.1:8000/hook",
            "events": ["contact.created"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "private address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_settings_links_admins_to_tokens_and_webhooks(admin_client):
    assert "/settings/api/" in admin_client.get("/settings/").content.decode()


def test_staff_see_no_token_pages(client, db):
    client.force_login(UserFactory())
    assert 'href="/settings/api/"' not in client.get("/settings/").content.decode()
    assert client.get("/settings/api/").status_code == 403
