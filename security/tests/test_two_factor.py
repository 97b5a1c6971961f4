"""Two-factor sign-in: enrolment, verification once per session, recovery codes, turning it off."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.tests.factories import UserFactory, admin_user
from security.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"


def code_for(device, ahead=0) -> str:
    """The code the user's phone shows (ahead=1: the next one; a code is accepted only once)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead):06d}"


def sign_in(client, username):
    response = client.post("/login/", {"username": username, "password": RIGHT, "next": "/contacts/"})
    assert response.status_code == 302
    return response


def enrol(client) -> list[str]:
    client.get("/account/two-factor/setup/")
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/account/two-factor/setup/", {"code": code_for(device), "next": "/contacts/"})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.text)


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_ADMINS = True


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up_then_reaches_the_page(client, required):
    admin_user(username="ada")
    sign_in(client, "ada")
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response.url == "/account/two-factor/setup/?next=%2Fcontacts%2F"

    page = client.get(response.url)
    assert "<svg" in page.text and "otpauth" not in page.text  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user__username="ada", confirmed=False)
    assert page.context["secret"].replace(" ", "") in page.text.replace(" ", "")
    done = client.post(response.url, {"code": code_for(device), "next": "/contacts/"})
    assert done.status_code == 200 and "shown only now" in done.text
    assert client.get("/contacts/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_ENROLLED, username="ada").exists()


def test_the_next_sign_in_asks_for_the_code_and_a_valid_one_opens_the_pages(client, required):
    admin_user(username="ada")
    sign_in(client, "ada")
    enrol(client)
    client.post("/logout/")

    sign_in(client, "ada")
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response.url == "/account/two-factor/verify/?next=%2Fcontacts%2F"
    device = TOTPDevice.objects.get(user__username="ada", confirmed=True)
    verified = client.post("/account/two-factor/verify/", {"code": code_for(device, ahead=1), "next": "/contacts/"})
    assert verified.status_code == 302 and verified.url == "/contacts/"
    assert client.get("/contacts/").status_code == 200


def test_a_wrong_code_is_refused_and_logged(client, required):
    admin_user(username="ada")
    sign_in(client, "ada")
    enrol(client)
    client.post("/logout/")
    sign_in(client, "ada")
    response = client.post("/account/two-factor/verify/", {"code": "000000", "next": "/contacts/"})
    assert response.status_code == 400
    assert "Codes change every 30 seconds" in response.text
    assert client.get("/contacts/").status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_FAILED, username="ada").exists()


def test_a_recovery_code_works_once(client, required):
    admin_user(username="ada")
    sign_in(client, "ada")
    codes = enrol(client)
    assert len(codes) == 10
    client.post("/logout/")

    sign_in(client, "ada")
    used = client.post("/account/two-factor/verify/", {"recovery_code": codes[0], "next": "/contacts/"})
    assert used.status_code == 302 and used.url == "/contacts/"
    assert client.get("/contacts/").status_code == 200
    client.post("/logout/")

    sign_in(client, "ada")
    again = client.post("/account/two-factor/verify/", {"recovery_code": codes[0], "next": "/contacts/"})
    assert again.status_code == 400
    assert "used already" in again.text
    assert client.get("/contacts/").status_code == 302
    assert StaticToken.objects.filter(device__user__username="ada").count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, required):
    admin_user(username="ada")
    sign_in(client, "ada")
    old = enrol(client)
    response = client.post("/account/two-factor/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY_CODES_REGENERATED).exists()
    overview = client.get("/account/two-factor/")
    assert "10 recovery codes left" in overview.text
    assert not any(code in overview.text for code in new)  # shown once, never again


def test_turning_it_off_needs_a_current_code(client):
    UserFactory(username="pat")
    sign_in(client, "pat")
    enrol(client)
    assert client.post("/account/two-factor/disable/", {"code": "000000"}).status_code == 400
    assert TOTPDevice.objects.filter(user__username="pat").exists()


def test_turning_it_off_removes_the_app_and_the_recovery_codes(client):
    UserFactory(username="pat")
    sign_in(client, "pat")
    enrol(client)
    device = TOTPDevice.objects.get(user__username="pat")
    response = client.post("/account/two-factor/disable/", {"code": code_for(device, ahead=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="pat").exists()
    assert not StaticToken.objects.filter(device__user__username="pat").exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_DISABLED, username="pat").exists()


def test_staff_who_set_it_up_are_asked_even_when_it_is_not_required(client, settings):
    settings.REQUIRE_2FA_FOR_ADMINS = False
    UserFactory(username="pat")
    sign_in(client, "pat")
    enrol(client)
    client.post("/logout/")
    sign_in(client, "pat")
    assert client.get("/contacts/").url.startswith("/account/two-factor/verify/")


def test_staff_are_not_asked_when_only_admins_must(client, required):
    UserFactory(username="pat")
    sign_in(client, "pat")
    assert client.get("/contacts/").status_code == 200


def test_everyone_is_asked_when_staff_must_too(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    UserFactory(username="pat")
    sign_in(client, "pat")
    assert client.get("/contacts/").url.startswith("/account/two-factor/setup/")


def test_the_admin_site_is_behind_the_second_factor_too(client, required):
    admin_user(username="ada", is_staff=True, is_superuser=True)
    sign_in(client, "ada")
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/account/two-factor/setup/")


def test_signing_out_works_before_the_second_factor(client, required):
    admin_user(username="ada")
    sign_in(client, "ada")
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_code_field_is_made_for_one_time_codes(client):
    UserFactory(username="pat")
    sign_in(client, "pat")
    enrol(client)
    client.post("/logout/")
    sign_in(client, "pat")
    page = client.get("/account/two-factor/verify/?next=/contacts/")
    field = re.search(r'<input[^>]*name="code"[^>]*>', page.text).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field


def test_the_verify_page_does_not_send_the_user_elsewhere_after_it(client):
    UserFactory(username="pat")
    sign_in(client, "pat")
    enrol(client)
    client.post("/logout/")
    sign_in(client, "pat")
    device = TOTPDevice.objects.get(user__username="pat")
    response = client.post(
        "/account/two-factor/verify/", {"code": code_for(device, ahead=1), "next": "https://evil.example/"}
    )
    assert response.url == "/contacts/"
