"""Settings in Chromium, as staff are told: "go to Settings → Import", "change the portal link
expiry in Settings"; every page without axe violations at 360 and 1366 px."""

import datetime
import re

import pytest
from django.utils import timezone

from activity.models import ActivityEvent
from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, UserFactory, admin_user
from portal.models import PortalLink
from portal.tests.conftest import PRIVATE_CACHE
from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["", "import/", "duplicates/", "dnc/", "portal/", "calling-windows/", "users/"]


@pytest.fixture(autouse=True)
def private_cache(settings):
    settings.CACHES = PRIVATE_CACHE


def sign_in(page, live_server, user, path="/contacts/"):
    page.goto(f"{live_server.url}/login/?next={path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{path}")


def test_settings_then_import_opens_the_wizard(live_server, page, screenshot_dir):
    sign_in(page, live_server, admin_user(username="ada"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    page.screenshot(path=str(screenshot_dir / "settings.png"), full_page=True)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Import").click()
    page.wait_for_url(f"{live_server.url}/settings/import/")
    assert page.get_by_role("heading", name="Import contacts").is_visible()
    assert page.get_by_label("CSV or Excel file").is_visible()
    assert (
        page.get_by_role("navigation", name="Settings").get_by_role("link", name="Import").get_attribute("aria-current")
        == "page"
    )
    page.screenshot(path=str(screenshot_dir / "settings-import.png"), full_page=True)


def test_the_portal_link_expiry_set_in_settings_is_the_next_links_and_is_logged(live_server, page, screenshot_dir):
    admin = admin_user(username="ada", first_name="Ada", last_name="Admin")
    contact = ContactFactory(first_name="Rosa", last_name="Diaz")
    ContactEmailFactory(contact=contact, email="rosa@example.com")
    case = CaseFactory(number="PI-2026-0042")
    CaseContactFactory(case=case, contact=contact)
    TaskFactory(case=case, contact=contact, title="Upload photo ID")
    sign_in(page, live_server, admin, "/settings/")

    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Portal").click()
    page.wait_for_url(f"{live_server.url}/settings/portal/")
    expiry = page.get_by_label("Portal links expire after (days)")
    assert expiry.input_value() == "7"
    expiry.fill("3")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: 1 setting changed.").wait_for()
    assert page.get_by_text("changed in Settings").is_visible()
    change = "Portal: Portal links expire after (days) changed from 7 days to 3 days"
    assert page.get_by_role("cell", name=change).is_visible()
    page.screenshot(path=str(screenshot_dir / "settings-portal.png"), full_page=True)

    # The next link: case → Tasks → Share Link offers 3 days, and the link expires in 3 days.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("nav.tabs").get_by_role("link", name="Tasks", exact=True).click()
    page.get_by_role("row", name=re.compile("Upload photo ID")).get_by_role(
        "link", name=re.compile("^Share Link")
    ).click()
    dialog = page.locator("#portal-share-dialog")
    dialog.wait_for(state="visible")
    assert dialog.get_by_label("Expires after (days)").input_value() == "3"
    dialog.get_by_label("Email rosa@example.com").check()
    sent = timezone.now()
    dialog.get_by_role("button", name="Send link").click()
    page.get_by_text("Link sent to Rosa Diaz").wait_for()
    link = PortalLink.objects.get()
    assert datetime.timedelta(days=3) <= link.expires_at - sent < datetime.timedelta(days=3, minutes=1)

    # … and the change is in the activity log, with who made it.
    event = ActivityEvent.objects.get(event_type="settings")
    assert event.description == change and event.actor_user == admin
    page.goto(f"{live_server.url}/settings/")
    assert page.get_by_role("row", name=re.compile("changed from 7 days to 3 days.*Ada Admin")).is_visible()


def test_staff_read_the_settings_and_cannot_change_them(live_server, page, screenshot_dir):
    sign_in(page, live_server, UserFactory(username="sam"), "/settings/portal/")
    assert page.get_by_text("You can read these settings. Only an Admin can change them.").is_visible()
    assert page.get_by_label("Portal links expire after (days)").is_disabled()
    assert page.get_by_role("button", name="Save").count() == 0
    page.screenshot(path=str(screenshot_dir / "settings-portal-staff.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("role", ["admin", "staff"])
def test_the_settings_pages_have_no_axe_violations(live_server, browser, screenshot_dir, width, role):
    user = admin_user(username="ada") if role == "admin" else UserFactory(username="sam")
    UserFactory(username="lee", first_name="Lee", last_name="Clerk")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, user, "/settings/")
    report = {}
    for path in PAGES:
        response = page.goto(f"{live_server.url}/settings/{path}")
        if role == "staff" and path == "import/":
            assert response.status == 403  # importing is the Admins' (the landing page says so)
            continue
        report[path or "settings"] = axe_violations(page)
        name = (path.strip("/") or "index").replace("/", "-")
        page.screenshot(path=str(screenshot_dir / f"settings-{name}-{role}-{width}.png"), full_page=True)
        wide = page.evaluate(
            "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)"
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)",
            width,
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, wide)
    context.close()
    assert {path: found for path, found in report.items() if found} == {}
