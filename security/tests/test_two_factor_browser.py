"""An admin sets up two-factor sign-in in a real browser, with the keyboard only, then signs in with it."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from contacts.tests.factories import admin_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(device, ahead=0) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead):06d}"


def sign_in(page, base_url):
    page.goto(f"{base_url}/login/?next=/contacts/")
    expect(page.get_by_label("Username")).to_be_focused()  # before typing: focus comes with the page's load
    page.keyboard.type("ada")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")


def test_an_admin_sets_up_the_app_and_signs_in_with_it(live_server, page, settings, screenshot_dir):
    settings.REQUIRE_2FA_FOR_ADMINS = True
    admin_user(username="ada")
    sign_in(page, live_server.url)
    page.wait_for_url("**/account/two-factor/setup/**")
    assert page.locator(".qr-code svg").is_visible()
    page.screenshot(path=str(screenshot_dir / "two-factor-setup.png"), full_page=True)
    device = TOTPDevice.objects.get(user__username="ada", confirmed=False)
    code = page.get_by_label("Type the code the app now shows")
    assert code.get_attribute("autocomplete") == "one-time-code" and code.get_attribute("inputmode") == "numeric"
    code.focus()
    page.keyboard.type(code_for(device))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{live_server.url}/contacts/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")
    sign_in(page, live_server.url)
    page.wait_for_url("**/account/two-factor/verify/**")
    expect(page.locator("input[autocomplete=one-time-code]")).to_be_focused()  # before typing, as above
    page.keyboard.type(code_for(device, ahead=1))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/contacts/")
    assert page.get_by_role("heading", name="Contacts").is_visible()
