import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import token_create, token_find, token_revoke
from contacts.tests.factories import ContactFactory, admin_user
from security.models import SecurityEvent


def test_no_token_is_a_json_401_not_a_sign_in_redirect(db):
    response = Client().get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_staff_session_is_not_accepted(client, db):
    client.force_login(admin_user(username="session-admin"))
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401


def test_the_schema_and_docs_are_open(db):
    assert Client().get("/api/v1/openapi.json").json()["openapi"].startswith("3.")
    assert Client().get("/api/v1/docs/").status_code == 200


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer kayse_abcd_wrong", "Token x", "Bearer "])
def test_bad_tokens_are_refused(db, header):
    response = Client().get("/api/v1/contacts/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused(db):
    token, text = token_create(user=admin_user(), name="t", scopes=["read"])
    assert token_find(text) == token
    assert token_find(text[:-2] + "xx") is None


def test_revoked_and_expired_tokens_are_refused(db):
    user = admin_user()
    revoked, revoked_text = token_create(user=user, name="r", scopes=["read"])
    token_revoke(token=revoked)
    _expired, expired_text = token_create(
        user=user, name="e", scopes=["read"], expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    for text in (revoked_text, expired_text):
        response = Client().get("/api/v1/contacts/", HTTP_AUTHORIZATION=f"Bearer {text}")
        assert response.status_code == 401


def test_only_the_hash_is_stored(db):
    token, text = token_create(user=admin_user(), name="t", scopes=["read"])
    secret = text.split("_", 2)[2]
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_last_used_is_written_at_most_once_a_minute(db):
    token, text = token_create(user=admin_user(), name="t", scopes=["read"])
    with freeze_time("2026-03-01 10:00:00"):
        token_find(text)
    with freeze_time("2026-03-01 10:00:30"):
        token_find(text)
    token.refresh_from_db()
    assert token.last_used_at == datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
    with freeze_time("2026-03-01 10:01:05"):
        token_find(text)
    token.refresh_from_db()
    assert token.last_used_at.minute == 1


def test_token_changes_are_in_the_security_log(db):
    token, _text = token_create(user=admin_user(), name="t", scopes=["read"])
    token_revoke(token=token)
    assert SecurityEvent.objects.filter(kind="api_token").count() == 2


def test_create_api_token_command_prints_a_working_token(db, capsys):
    admin_user(username="intake")
    call_command("create_api_token", "intake", "--scopes", "read,write")
    text = capsys.readouterr().out.strip()
    ContactFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert client.get("/api/v1/contacts/").status_code == 200
    assert ApiToken.objects.get().scopes == ["read", "write"]


def test_create_api_token_refuses_unknown_scopes(db):
    from django.core.management.base import CommandError

    admin_user(username="intake")
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_token", "intake", "--scopes", "read,admin")


def test_each_token_has_its_own_rate_limit(make_client, monkeypatch, settings):
    from django.core.cache import cache

    from api.throttling import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    busy, other = make_client(scopes=["read"]), make_client(scopes=["read"])
    assert [busy.get("/api/v1/contacts/").status_code for _ in range(3)] == [200, 200, 429]
    refused = busy.get("/api/v1/contacts/")
    assert refused.json()["error"]["code"] == "throttled" and "Retry-After" in refused
    assert other.get("/api/v1/contacts/").status_code == 200


def test_the_docs_load_nothing_from_elsewhere(db):
    response = Client().get("/api/v1/docs/")
    page = response.content.decode()
    assert "googleapis" not in page and "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in page
    assert "script-src 'self';" in response["Content-Security-Policy"]
    script = Client().get("/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    assert script.status_code == 200
