"""Creating a contact in Chromium: one primary phone at a time, plain-words errors, the duplicate warning."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, next_url):
    page.goto(f"{base_url}/login/?next={next_url}")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf".*{re.escape(next_url)}$"))


def test_create_with_a_bad_phone_then_a_duplicate_warning(live_server, page, screenshot_dir):
    UserFactory(username="pat")
    existing = ContactFactory(first_name="Rosa", last_name="Diaz")
    ContactPhoneFactory(contact=existing, number="+13125550142")
    sign_in(page, live_server.url, "/contacts/new/")
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Diaz")
    numbers = page.locator("input[name$='-number']")
    numbers.nth(0).fill("555-12")
    numbers.nth(1).fill("(312) 555-0142")
    primaries = page.locator("input[data-primary-group=phones]")
    primaries.nth(0).check()
    primaries.nth(1).check()
    assert not primaries.nth(0).is_checked()  # ticking one primary unticks the other
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    assert (
        page.get_by_text("is not a valid phone number").is_visible()
        or page.get_by_text("is not a phone number").is_visible()
    )
    page.screenshot(path=str(screenshot_dir / "contact-create-errors.png"), full_page=True)

    page.locator("input[name$='-number']").nth(0).fill("")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", name="This may be a duplicate")).to_be_visible()
    assert page.get_by_role("link", name="Rosa Diaz").is_visible()
    page.screenshot(path=str(screenshot_dir / "contact-create-duplicate.png"), full_page=True)
    assert Contact.objects.count() == 1

    page.get_by_role("button", name="Add another email").click()
    page.locator("input[name='emails-1-email']").fill("rosa.new@example.com")
    page.get_by_label("None of these is the same person").check()
    page.get_by_role("button", name="Create contact").click()
    page.wait_for_url(re.compile(r".*/contacts/\d+/$"))
    assert Contact.objects.count() == 2
    created = Contact.objects.latest("id")
    assert list(created.emails.values_list("email", "is_primary")) == [("rosa.new@example.com", True)]
