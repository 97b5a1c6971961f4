"""Staff search the contacts list by name in a real browser (on PostgreSQL the name-word index
serves it; on SQLite the FTS5 index)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server):
    UserFactory(username="pat")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/contacts/")


def test_a_surname_prefix_then_a_login_source(live_server, page, screenshot_dir):
    now = timezone.now()
    ContactFactory(first_name="María", last_name="García", web_last_login_at=now)
    ContactFactory(first_name="Luis", last_name="Garcia", mobile_last_login_at=now)
    ContactFactory(first_name="Pierre", last_name="Garçon", web_last_login_at=now)
    ContactFactory(first_name="Garth", last_name="Brooks")
    ContactFactory(first_name="Anna", last_name="Smith", web_last_login_at=now)
    _sign_in(page, live_server)

    page.get_by_role("searchbox").fill("garc")
    expect(page).to_have_url(re.compile(r"q=garc"))
    status = page.locator("#contact-results .result-summary")
    expect(status).to_contain_text("3 contacts")
    rows = page.locator("#contact-results tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).inner_text().split("\t")[0].strip() for i in range(3)] == [
        "Luis Garcia",
        "María García",
        "Pierre Garçon",
    ]

    page.get_by_role("radio", name="Web", exact=True).check()
    expect(page).to_have_url(re.compile(r"login_source=web"))
    expect(rows).to_have_count(2)
    expect(status).to_contain_text("2 contacts")
    expect(rows.first).to_contain_text("María García")
    page.screenshot(path=str(screenshot_dir / "contacts-name-search.png"), full_page=True)

    page.get_by_role("searchbox").fill("bro gar")  # two words, any order, a prefix of each
    expect(page.get_by_text("No contacts match these filters.")).to_be_visible()  # Garth Brooks has no login
    page.get_by_role("radio", name="All", exact=True).check()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Garth Brooks")
