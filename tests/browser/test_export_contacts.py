"""Export in a real browser: the Login Source filter carried from the list, a field choice,
and the downloaded file holding just the filtered contacts."""

import csv
import io
from pathlib import Path

import pytest
from django.utils import timezone

from activity.models import ActivityEvent, EventType
from contacts.tests.factories import ContactFactory, admin_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_with_a_login_source_filter(live_server, page, screenshot_dir):
    ContactFactory(first_name="Wendy", last_name="Web", web_last_login_at=timezone.now())
    ContactFactory(first_name="Mo", last_name="Mobile", mobile_last_login_at=timezone.now())
    ContactFactory(first_name="Nora", last_name="None")
    admin_user(username="pat")
    page.goto(f"{live_server.url}/contacts/?login_source=web")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Contacts").wait_for()
    page.screenshot(path=str(screenshot_dir / "export-from-list.png"), full_page=True)
    page.get_by_role("link", name="Export").click()
    page.get_by_role("heading", name="Export contacts").wait_for()
    assert page.locator('input[name="login_source"][value="web"], select[name="login_source"]').first.is_visible()
    page.get_by_label("Phones").uncheck()
    page.get_by_label("Emails").uncheck()
    page.screenshot(path=str(screenshot_dir / "export-picker.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["First name"], row["Login Source"]) for row in rows] == [("Wendy", "Web")]
    assert "Phones" not in rows[0]
    event = ActivityEvent.objects.get(event_type=EventType.DATA_ACCESS)
    assert event.data["filters"]["login_source"] == "web" and event.data["rows"] == 1
