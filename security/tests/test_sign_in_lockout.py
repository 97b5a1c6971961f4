"""Sign-in throttling (django-axes): ten wrong passwords lock the account, wherever they come from."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from contacts.tests.factories import UserFactory, admin_user
from security.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"


def sign_in(client, password, path="/login/", **headers):
    return client.post(path, {"username": "pat", "password": password}, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_ten_wrong_passwords_lock_the_account_against_the_right_one(client):
    UserFactory(username="pat")
    for _ in range(10):
        sign_in(client, "wrong")
    response = sign_in(client, RIGHT)
    assert response.status_code == 429
    assert not signed_in(client)
    assert "Too many failed sign-ins. Try again in 30 minutes or ask an administrator" in response.text
    assert '<link rel="stylesheet"' in response.text  # our base layout, not a bare text page
    lockout = SecurityEvent.objects.get(kind=SecurityEventKind.LOCKOUT)
    assert lockout.username == "pat" and lockout.user.username == "pat"
    assert lockout.client_ip == "127.0.0.1"


def test_nine_wrong_passwords_still_let_the_right_one_in(client):
    UserFactory(username="pat")
    for _ in range(9):
        sign_in(client, "wrong")
    assert sign_in(client, RIGHT).status_code == 302
    assert signed_in(client)


def test_guesses_from_many_addresses_behind_the_proxy_still_lock_the_account(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    UserFactory(username="pat")
    for n in range(10):
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.7, 198.51.100.{n}")
    response = sign_in(client, RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429
    assert not signed_in(client)
    # Each try was counted at its own client address (kayse.client_ip), not at the proxy's.
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert len(addresses) == 11 and not addresses & {"127.0.0.1", "203.0.113.7"}
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT, username="pat").exists()
    failure = SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN_FAILED).order_by("id").first()
    assert failure.client_ip == "198.51.100.0"


def test_the_admin_sign_in_page_locks_too(client):
    admin_user(username="pat", is_staff=True)
    for _ in range(10):
        sign_in(client, "wrong", path="/admin/login/")
    response = sign_in(client, RIGHT, path="/admin/login/")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    assert not signed_in(client)


def test_wrong_passwords_at_the_admin_count_for_the_staff_sign_in(client):
    UserFactory(username="pat")
    for _ in range(10):
        sign_in(client, "wrong", path="/admin/login/")
    assert sign_in(client, RIGHT).status_code == 429


def test_an_admin_reset_lets_the_right_password_in(client):
    UserFactory(username="pat")
    for _ in range(10):
        sign_in(client, "wrong")
    call_command("axes_reset_username", "pat")
    assert sign_in(client, RIGHT).status_code == 302
    assert signed_in(client)
    lifted = SecurityEvent.objects.get(kind=SecurityEventKind.LOCKOUT_RESET)
    assert lifted.username == "pat"


def test_an_admin_unlocks_in_the_admin_and_is_named_in_the_log(client):
    UserFactory(username="pat")
    for _ in range(10):
        sign_in(client, "wrong")
    attempt = AccessAttempt.objects.get(username="pat")
    client.force_login(admin_user(username="ada", is_staff=True, is_superuser=True))
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    lifted = SecurityEvent.objects.get(kind=SecurityEventKind.LOCKOUT_RESET)
    assert lifted.details["by"] == "ada"
    client.logout()
    assert sign_in(client, RIGHT).status_code == 302


def test_the_limit_and_the_wait_come_from_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="pat")
    for _ in range(3):
        sign_in(client, "wrong")
    response = sign_in(client, RIGHT)
    assert response.status_code == 429


def test_sign_ins_and_failures_are_in_the_security_log(client):
    UserFactory(username="pat")
    sign_in(client, "wrong", HTTP_USER_AGENT="Firefox/140")
    sign_in(client, RIGHT, HTTP_USER_AGENT="Firefox/140")
    client.post("/logout/")
    kinds = list(SecurityEvent.objects.exclude(kind=SecurityEventKind.ROLE_CHANGED).values_list("kind", flat=True))
    assert kinds == [SecurityEventKind.SIGN_OUT, SecurityEventKind.SIGN_IN, SecurityEventKind.SIGN_IN_FAILED]
    failed = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    assert failed.username == "pat" and failed.user_agent == "Firefox/140" and failed.details["path"] == "/login/"


def test_a_failure_for_an_unknown_username_keeps_what_was_typed(client):
    client.post("/login/", {"username": "nobody", "password": "x"})
    failed = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    assert failed.username == "nobody" and failed.user is None
