"""A contact's whole trip through the portal on a phone, from a link staff shared."""

import datetime
import time

import pytest
from django.utils import timezone

from cases.models import Appointment, Message, Task
from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory
from documents.models import Document
from portal import services
from portal.tests.conftest import PRIVATE_CACHE
from portal.tests.factories import FORM_FIELDS, issued_link
from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate limits count in this process only (the live server is a thread of it)."""
    settings.CACHES = PRIVATE_CACHE


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
    ),
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def seed_client_case():
    contact = ContactFactory(first_name="Rosa", last_name="Diaz", timezone="America/Chicago")
    ContactPhoneFactory(contact=contact, line_type="mobile")
    ContactEmailFactory(contact=contact, email="rosa@example.com")
    case = CaseFactory(title="Rear-end collision", stage="treatment")
    CaseContactFactory(case=case, contact=contact)
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", form_fields=FORM_FIELDS)
    starts = timezone.now() + datetime.timedelta(days=3)
    Appointment.objects.create(
        case=case,
        contact=contact,
        title="Medical exam",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        location="Northside Clinic",
    )
    return contact, case, task


def outbox_link(page, base_url, timeout=60):
    """Reload the development outbox until the emailed portal link shows up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(f"{base_url}/dev/outbox/")
        # Earlier tests of this process may have left other emails (bundle links) there.
        links = page.locator(f'a.outbox-link[href^="{base_url}/p/"]')
        if links.count():
            return links.first.get_attribute("href")
        time.sleep(1)
    raise AssertionError("No portal link reached the outbox")


def test_contact_opens_a_shared_link_and_uses_the_portal_on_a_phone(
    live_server, page, browser, celery_worker, screenshot_dir, settings, monkeypatch
):
    settings.DEBUG = True
    settings.PORTAL_BASE_URL = live_server.url
    monkeypatch.setenv("PORTAL_BASE_URL", live_server.url)
    worker = celery_worker()
    contact, case, task = seed_client_case()
    UserFactory(username="paula")

    # Staff: case → Forms → Share Link on the form → email → send.
    page.goto(f"{live_server.url}/login/?next=/cases/{case.pk}/")
    page.get_by_label("Username").fill("paula")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    page.locator("nav.tabs").get_by_role("link", name="Forms", exact=True).click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/forms/")
    page.locator(f'a[data-share-open][href*="task={task.pk}"]').click()
    dialog = page.locator("#portal-share-dialog")
    dialog.wait_for(state="visible")
    dialog.get_by_label("Email rosa@example.com").check()
    assert axe_violations(page, "#portal-share-dialog") == []
    page.screenshot(path=str(screenshot_dir / "portal-share-dialog.png"))
    dialog.get_by_role("button", name="Send link").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/forms/")
    assert page.get_by_text("Link sent to Rosa Diaz").is_visible()

    link_url = outbox_link(page, live_server.url)
    assert link_url.startswith(f"{live_server.url}/p/"), worker.output()[-2000:]
    page.screenshot(path=str(screenshot_dir / "portal-dev-outbox.png"), full_page=True)

    # Contact, on a phone: the link → Continue → the form.
    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    mobile.set_default_timeout(15000)
    mobile.goto(link_url)
    assert mobile.get_by_role("heading", name="Hello Rosa").is_visible()
    mobile.screenshot(path=str(screenshot_dir / "portal-continue.png"), full_page=True)
    mobile.get_by_role("button", name="Continue").click()
    mobile.wait_for_url(f"{live_server.url}/portal/tasks/{task.pk}/")
    assert "/p/" not in mobile.url

    mobile.get_by_label("Full legal name").fill("Rosa Diaz")
    mobile.get_by_label("Date of the incident").fill("2026-10-02")
    mobile.get_by_role("group", name="Did you see a doctor?").get_by_label("Yes").check()
    mobile.get_by_label("Neck").check()
    mobile.get_by_label("Type your name to sign").fill("Rosa Diaz")
    mobile.screenshot(path=str(screenshot_dir / "portal-form.png"), full_page=True)
    mobile.get_by_role("button", name="Send", exact=True).click()
    mobile.wait_for_url("**/portal/tasks/?done=*")
    assert mobile.get_by_text("Thank you! We received your answers.").is_visible()
    assert Task.objects.get(pk=task.pk).status == "submitted"

    # Status with its timeline.
    mobile.get_by_role("link", name="My case").click()
    assert mobile.get_by_text("You are getting medical care").is_visible()
    mobile.screenshot(path=str(screenshot_dir / "portal-status.png"), full_page=True)

    # A photo, as the camera would give it.
    mobile.get_by_role("link", name="Upload").click()
    mobile.get_by_label("Photos or files").set_input_files(
        [{"name": "bill.png", "mimeType": "image/png", "buffer": PNG}]
    )
    mobile.get_by_role("button", name="Send files").click()
    mobile.wait_for_url("**/portal/documents/?sent=1")
    assert mobile.get_by_text("We received 1 file. Thank you!").is_visible()
    assert Document.objects.get(contact=contact).via_portal
    mobile.screenshot(path=str(screenshot_dir / "portal-upload.png"), full_page=True)

    # A message to the firm.
    mobile.get_by_role("link", name="Messages").click()
    mobile.get_by_label("Your message").fill("I sent the bill from the clinic.")
    mobile.get_by_role("button", name="Send message").click()
    assert mobile.get_by_text("I sent the bill from the clinic.").is_visible()
    assert Message.objects.filter(contact=contact, direction="inbound").count() == 1
    mobile.screenshot(path=str(screenshot_dir / "portal-messages.png"), full_page=True)

    # The appointment, in the contact's time zone.
    mobile.get_by_role("link", name="Appointments").click()
    assert mobile.get_by_role("heading", name="Medical exam").is_visible()
    assert mobile.get_by_text("America/Chicago").is_visible()
    mobile.screenshot(path=str(screenshot_dir / "portal-appointments.png"), full_page=True)

    # Nothing on the page is wider than the phone.
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()

    # Staff see it all on the case: the link opened and completed (Portal links), the message (Messages).
    page.goto(f"{live_server.url}/cases/{case.pk}/links/")
    assert page.locator(".link-state-completed").count() == 1
    page.screenshot(path=str(screenshot_dir / "portal-case-links.png"), full_page=True)
    page.locator("nav.tabs").get_by_role("link", name="Messages", exact=True).click()
    page.get_by_text("I sent the bill from the clinic.").wait_for()
    page.screenshot(path=str(screenshot_dir / "portal-case-messages.png"), full_page=True)


def test_links_that_must_not_open_on_a_phone(live_server, browser, screenshot_dir):
    contact, case, task = seed_client_case()
    other = ContactFactory(first_name="Omar")
    other_case = CaseFactory(title="Slip and fall")
    CaseContactFactory(case=other_case, contact=other)
    other_task = TaskFactory(case=other_case, contact=other, kind="form", form_fields=FORM_FIELDS)
    _expired, expired_token = issued_link(contact, case=case, expires_in=datetime.timedelta(seconds=-5))
    revoked, revoked_token = issued_link(contact, case=case)
    services.revoke_link(link=revoked, user=None)
    _live, live_token = issued_link(contact, case=case)
    _guarded, guarded_token = issued_link(contact, case=case, second_factor="phone_last4")

    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    mobile.set_default_timeout(15000)
    texts = []
    for name, token in [("expired", expired_token), ("revoked", revoked_token), ("tampered", live_token[:-3] + "xyz")]:
        response = mobile.goto(f"{live_server.url}/p/{token}/")
        assert response.status == 404
        assert mobile.get_by_role("heading", name="This link does not work any more").is_visible()
        texts.append(mobile.locator("main").inner_text())
        mobile.screenshot(path=str(screenshot_dir / f"portal-link-{name}.png"), full_page=True)
    assert len(set(texts)) == 1 and "Rosa" not in texts[0]

    # A live link works, but another contact's task is not there.
    mobile.goto(f"{live_server.url}/p/{live_token}/")
    mobile.get_by_role("button", name="Continue").click()
    mobile.wait_for_url(f"{live_server.url}/portal/")
    assert mobile.goto(f"{live_server.url}/portal/tasks/{other_task.pk}/").status == 404
    assert mobile.goto(f"{live_server.url}/portal/tasks/{task.pk}/").status == 200

    # The second factor: wrong answers, then locked.
    right = contact.phones.get().number[-4:]
    wrong = "0000" if right != "0000" else "1111"
    mobile.goto(f"{live_server.url}/p/{guarded_token}/")
    for attempt in range(5):
        mobile.get_by_label("The last four digits of your phone number").fill(wrong)
        mobile.get_by_role("button", name="Continue").click()
        mobile.wait_for_load_state()
        if attempt < 4:
            assert mobile.get_by_text("That does not match what we have on file").is_visible()
    assert mobile.get_by_text("Too many tries").is_visible()
    mobile.screenshot(path=str(screenshot_dir / "portal-second-factor-locked.png"), full_page=True)
    phone.close()


def test_the_portal_works_without_javascript(live_server, browser, screenshot_dir):
    contact, case, task = seed_client_case()
    _link, token = issued_link(contact, case=case)
    context = browser.new_context(**PHONE, java_script_enabled=False)
    mobile = context.new_page()
    mobile.set_default_timeout(15000)
    mobile.goto(f"{live_server.url}/p/{token}/")
    mobile.get_by_role("button", name="Continue").click()
    mobile.wait_for_url(f"{live_server.url}/portal/")
    mobile.goto(f"{live_server.url}/portal/tasks/{task.pk}/")
    mobile.get_by_label("Full legal name").fill("Rosa Diaz")
    mobile.get_by_role("button", name="Save draft").click()
    assert mobile.get_by_text("Draft saved.").is_visible()
    mobile.get_by_role("link", name="Upload").click()
    mobile.get_by_label("Photos or files").set_input_files(
        [
            {"name": "a.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "b.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    mobile.get_by_role("button", name="Send files").click()
    assert mobile.get_by_text("We received 2 files. Thank you!").is_visible()
    mobile.get_by_role("link", name="Messages").click()
    mobile.get_by_label("Your message").fill("Thanks!")
    mobile.get_by_role("button", name="Send message").click()
    assert mobile.get_by_text("Thanks!").is_visible()
    mobile.screenshot(path=str(screenshot_dir / "portal-no-js-messages.png"), full_page=True)
    assert Document.objects.filter(contact=contact, via_portal=True).count() == 2
    assert Task.objects.get(pk=task.pk).response["full_name"] == "Rosa Diaz"
    context.close()


def test_a_refused_upload_says_why_on_the_phone(live_server, browser):
    contact, case, _task = seed_client_case()
    _link, token = issued_link(contact, case=case)
    context = browser.new_context(**PHONE)
    mobile = context.new_page()
    mobile.set_default_timeout(15000)
    mobile.goto(f"{live_server.url}/p/{token}/")
    mobile.get_by_role("button", name="Continue").click()
    mobile.wait_for_url(f"{live_server.url}/portal/")
    mobile.get_by_role("link", name="Upload").click()
    mobile.get_by_label("Photos or files").set_input_files(
        [{"name": "photo.png", "mimeType": "image/png", "buffer": b"MZ\x90\x00 a program, not a photo"}]
    )
    mobile.get_by_role("button", name="Send files").click()
    alert = mobile.get_by_role("alert")
    alert.wait_for()
    assert "photo.png" in alert.inner_text()
    assert not Document.objects.filter(contact=contact).exists()
    context.close()
