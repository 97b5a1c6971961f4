import pytest
from playwright.sync_api import expect

from activity.services import record_contact_change, record_event
from contacts.dnc import check_contact
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history():
    staff = UserFactory(username="pat", first_name="Pat", last_name="Lee")
    contact = ContactFactory(first_name="Ana", last_name="Ruiz")
    ContactPhoneFactory(contact=contact, number="+13125550100")
    merged = ContactFactory(first_name="Ana", last_name="Ruiz-Old")
    record_event(event_type="note", description="Called about the intake form", contact_id=merged.pk, user=staff)
    Contact.objects.filter(pk=merged.pk).update(merged_into=contact)
    record_event(event_type="create", description="Contact created", contact_id=contact.pk, user=staff)
    record_contact_change(
        contact=contact, before={"phone:mobile": "+13125550199"}, after={"phone:mobile": "+13125550100"}, actor=staff
    )
    record_contact_change(
        contact=contact,
        before={"do_not_text": False, "preferred_contact_method": "sms"},
        after={"do_not_text": True, "preferred_contact_method": "email"},
        actor="Portal: Ana Ruiz",
        via="portal",
    )
    check_contact(contact=contact, actor=staff)
    return contact, merged


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/contacts/")


def test_staff_reads_and_filters_the_activity_log(live_server, page, screenshot_dir):
    contact, merged = _history()
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/activity/")
    table = page.locator("table.activity-log")
    assert table.locator(":scope > thead > tr > th").all_inner_texts() == [
        "Event Type",
        "Description",
        "User/System",
        "Timestamp",
    ]
    assert page.get_by_role("link", name="Activity Log").get_attribute("aria-current") == "page"
    compliance = table.locator("tr.event-compliance")
    assert compliance.count() == 3  # the DNC check, the preference change, this view
    assert "Compliance: DNC Check" in compliance.first.inner_text() or "Compliance: Data Access" in (
        compliance.first.inner_text()
    )
    assert table.get_by_text(f"From merged record #{merged.pk}").is_visible()
    # The browser told the server its time zone.
    assert any(cookie["name"] == "kayse_tz" for cookie in page.context.cookies())

    # A row opens to its details.
    row = table.locator("tr", has_text="Call preferences changed")
    row.locator("summary").click()
    details = row.locator("dl.event-details")
    assert details.is_visible()
    assert "Text message" in details.inner_text() and "Email" in details.inner_text()
    assert row.locator("td.event-actor").inner_text() == "Portal: Ana Ruiz"
    assert row.locator("time").get_attribute("title").count(":") >= 3  # exact time, to the second

    # Filtering updates the results in place and keeps the filter in the URL.
    page.get_by_label("Compliance events only").first.check()
    page.wait_for_url("**compliance=on**")
    expect(page.locator("table.activity-log tbody tr.event:not(.event-compliance)")).to_have_count(0)
    labels = page.locator("table.activity-log .event-label").all_inner_texts()
    assert labels and all(label.startswith("Compliance: ") for label in labels)
    page.locator("table.activity-log tr", has_text="Call preferences changed").locator("summary").click()
    page.screenshot(path=str(screenshot_dir / "activity-log-compliance.png"), full_page=True)

    page.get_by_label("Event type").select_option("note")
    page.wait_for_url("**event_type=note**")
    expect(page.locator("#activity-results")).to_contain_text("No events match these filters.")

    # The URL alone restores the view (bookmark, back button).
    page.goto(f"{live_server.url}/contacts/{contact.pk}/activity/?event_type=note")
    assert page.locator("table.activity-log tbody tr").count() == 1
    assert page.get_by_label("Event type").input_value() == "note"
    page.goto(f"{live_server.url}/contacts/{contact.pk}/activity/")
    page.screenshot(path=str(screenshot_dir / "activity-log.png"), full_page=True)


def test_times_are_shown_in_the_viewers_own_time_zone_from_the_first_visit(live_server, browser):
    contact, _ = _history()
    context = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _sign_in(page, live_server)
        page.goto(f"{live_server.url}/contacts/{contact.pk}/activity/")
        # Rendered first in the firm's zone, the results are fetched again in the browser's.
        expect(page.locator(".zone-note")).to_contain_text("Asia/Tokyo")
        assert page.locator("table.activity-log").get_attribute("data-viewer-zone") == "Asia/Tokyo"
        title = page.locator("table.activity-log time").first.get_attribute("title")
        assert "JST" in title and "UTC+09:00" in title
    finally:
        context.close()
