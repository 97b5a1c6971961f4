"""Settings → API tokens and webhooks: an Admin (no Django admin rights needed) makes a token
and a webhook, each secret shown once, revokes the token, turns the webhook off."""

import pytest

from api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from api.services import token_find
from contacts.tests.factories import UserFactory, admin_user


@pytest.fixture
def admin(client, db):
    user = admin_user(username="office-admin")  # an Admin by role, not `is_staff`
    client.force_login(user)
    return user


def test_an_admin_makes_a_token_shown_once_then_revokes_it(client, admin):
    intake = UserFactory(username="intake")
    made = client.post(
        "/settings/api/",
        {"form": "token", "user": intake.pk, "name": "Intake form", "scopes": ["read", "write"], "expires_in_days": 30},
    )
    assert made.status_code == 200
    text = made.context["new_token"]
    token = token_find(text)
    assert token.user == intake and token.scopes == ["read", "write"] and token.created_by == admin
    page = client.get("/settings/api/").content.decode()
    assert text not in page and f"kayse_{token.prefix}_…" in page

    client.post(f"/settings/api/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get().revoked_at is not None and token_find(text) is None


def test_a_token_needs_a_scope(client, admin):
    response = client.post("/settings/api/", {"form": "token", "user": admin.pk, "name": "x", "expires_in_days": 30})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_its_deliveries(client, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    refused = client.post(
        "/settings/api/", {"form": "webhook", "url": "http://10.1.2.3/hook", "events": ["contact.created"]}
    )
    assert refused.status_code == 400 and "private address" in refused.content.decode()
    made = client.post(
        "/settings/api/", {"form": "webhook", "url": "https://1.1.1.1/hook", "events": ["contact.created"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert made.context["new_secret"] == endpoint.secret and endpoint.created_by == admin
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="contact.created",
        event_id="8d0e7a0e-0d4e-4e57-8f59-1f0f6d1c1a13",
        payload={},
        attempts=1,
        last_status_code=500,
        last_response="try later",
    )
    page = client.get("/settings/api/").content.decode()
    assert endpoint.secret not in page and "try later" in page

    client.post(f"/settings/api/webhooks/{endpoint.pk}/active/", {"active": "0"})
    assert not WebhookEndpoint.objects.get().is_active
