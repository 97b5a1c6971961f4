"""The case page in Chromium, the way staff are told to use it: "Open the contact's case → go
to Tasks or Forms → click Share Link → choose SMS or Email", "Documents → Contact Documents",
"Documents → Case Documents → upload, Download All"."""

import datetime
import re
import time
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.utils import timezone

from cases.models import Message
from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory
from documents.models import Document
from documents.services import upload_documents
from documents.tests.factories import PDF_BYTES, PNG_BYTES, make_document, upload
from portal.models import PortalLink
from portal.tests.conftest import PRIVATE_CACHE
from portal.tests.factories import FORM_FIELDS, issued_link
from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1366)
DROP_FILES = """
async ([name, bytes]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
  }
}
"""


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate limits and delivery locks count in this process only (the live server is a thread of it)."""
    settings.CACHES = PRIVATE_CACHE


@pytest.fixture
def empty_outbox(settings):
    """The development outbox holds only this test's emails, and none are left for later tests
    (which read the first portal link they find there)."""

    def empty():
        for path in Path(settings.EMAIL_FILE_PATH).glob("*.log"):
            path.unlink(missing_ok=True)

    empty()
    yield
    empty()


def daytime_zone() -> str:
    """A time zone where it is the middle of the day now, so a text goes out at once."""
    now = timezone.now()
    return next(
        name
        for name in sorted(available_timezones())
        if name.startswith(("America/", "Europe/", "Asia/", "Australia/", "Pacific/"))
        and 11 <= now.astimezone(ZoneInfo(name)).hour < 17
    )


def seed_case():
    contact = ContactFactory(first_name="Rosa", last_name="Diaz", timezone=daytime_zone())
    ContactPhoneFactory(contact=contact, number="+13125550142", kind="mobile")
    ContactEmailFactory(contact=contact, email="rosa@example.com")
    case = CaseFactory(number="PI-2026-0042", title="Rear-end collision", stage="treatment")
    case.opened_on = datetime.date(2026, 3, 2)
    case.save()
    CaseContactFactory(case=case, contact=contact, role="client")
    spouse = ContactFactory(first_name="Luis", last_name="Diaz")
    CaseContactFactory(case=case, contact=spouse, role="family")
    task = TaskFactory(
        case=case, contact=contact, kind="task", title="Upload photo ID", due_on=datetime.date(2026, 12, 4)
    )
    form = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", form_fields=FORM_FIELDS)
    TaskFactory(case=case, kind="task", title="Order the police report")
    return contact, case, task, form


def sign_in(page, live_server, path):
    UserFactory(username="paula", first_name="Paula", last_name="Legal", email="paula@firm.example")
    page.goto(f"{live_server.url}/login/?next={path}")
    page.get_by_label("Username").fill("paula")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{path}")


def tab(page, name):
    """Click a tab of the case page and wait for htmx to put it in place."""
    page.locator("nav.tabs").get_by_role("link", name=name, exact=True).click()
    page.locator("nav.tabs").get_by_role("link", name=name, exact=True).and_(
        page.locator('[aria-current="page"]')
    ).wait_for()


def outbox_link(page, base_url, timeout=60):
    """Reload the development outbox until the emailed portal link shows up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(f"{base_url}/dev/outbox/")
        links = page.locator(f'a.outbox-link[href^="{base_url}/p/"]')
        if links.count():
            return links.first.get_attribute("href")
        time.sleep(1)
    raise AssertionError("No portal link reached the outbox")


def test_tasks_share_link_by_email_reaches_the_outbox_and_forms_share_link_by_sms(
    live_server, page, celery_worker, screenshot_dir, settings, monkeypatch, empty_outbox
):
    settings.DEBUG = True  # the development outbox
    settings.PORTAL_BASE_URL = live_server.url
    monkeypatch.setenv("PORTAL_BASE_URL", live_server.url)
    worker = celery_worker()
    contact, case, task, form = seed_case()
    sign_in(page, live_server, f"/cases/{case.pk}/")
    page.screenshot(path=str(screenshot_dir / "case-overview.png"), full_page=True)

    # Open the contact's case → Tasks → Share Link → Email.
    tab(page, "Tasks")
    assert page.url == f"{live_server.url}/cases/{case.pk}/tasks/"
    row = page.get_by_role("row", name=re.compile("Upload photo ID"))
    assert row.get_by_text("Open").is_visible() and row.get_by_text("Dec 4, 2026").is_visible()
    assert (
        row.get_by_role("link", name="Rosa Diaz", exact=True).is_visible()
        and row.get_by_role("link", name=re.compile("^Fill")).is_visible()
    )
    page.screenshot(path=str(screenshot_dir / "case-tasks.png"), full_page=True)
    row.get_by_role("link", name=re.compile("^Share Link")).click()
    dialog = page.locator("#portal-share-dialog")
    dialog.wait_for(state="visible")
    assert dialog.get_by_text("For “Upload photo ID”").is_visible()
    dialog.get_by_label("Email rosa@example.com").check()
    page.screenshot(path=str(screenshot_dir / "case-tasks-share-link.png"))
    assert axe_violations(page, "#portal-share-dialog") == []
    dialog.get_by_role("button", name="Send link").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/tasks/")
    assert page.get_by_text("Link sent to Rosa Diaz (rosa@example.com).").is_visible()

    # … and the link arrives in the outbox.
    link_url = outbox_link(page, live_server.url)
    assert link_url.startswith(f"{live_server.url}/p/"), worker.output()[-2000:]
    emailed = PortalLink.objects.get(channel="email")
    assert emailed.task == task and emailed.delivery_status == "sent"

    # Forms → Share Link → SMS.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    tab(page, "Forms")
    assert page.url == f"{live_server.url}/cases/{case.pk}/forms/"
    row = page.get_by_role("row", name=re.compile("Intake questionnaire"))
    page.screenshot(path=str(screenshot_dir / "case-forms.png"), full_page=True)
    row.get_by_role("link", name=re.compile("^Share Link")).click()
    dialog.wait_for(state="visible")
    sms = dialog.get_by_label("Text +13125550142")
    assert sms.is_checked()  # a mobile: Share Link starts with a text
    dialog.get_by_role("button", name="Send link").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/forms/")
    assert page.get_by_text("Link sent to Rosa Diaz (+13125550142).").is_visible()
    texted = PortalLink.objects.get(channel="sms")
    assert texted.task == form and texted.sent_to == "+13125550142"

    # Portal links: both, sent, with Revoke and Resend.
    tab(page, "Portal links")
    links = page.locator("#portal-links-list")
    links.get_by_text("SMS +13125550142").wait_for()
    deadline = time.monotonic() + 60
    while PortalLink.objects.exclude(delivery_status="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not PortalLink.objects.exclude(delivery_status="sent").exists(), worker.output()[-2000:]
    page.reload()
    assert page.locator(".link-state-sent").count() == 2 and page.get_by_role("button", name="Revoke").count() == 2
    page.screenshot(path=str(screenshot_dir / "case-portal-links.png"), full_page=True)

    tab(page, "Activity")
    page.get_by_text("Portal link sent by SMS to +13125550142").wait_for()
    page.screenshot(path=str(screenshot_dir / "case-activity.png"), full_page=True)


def test_documents_contact_documents_and_case_documents_upload_and_download_all(
    live_server, page, celery_worker, screenshot_dir, tmp_path
):
    worker = celery_worker()
    contact, case, _task, _form = seed_case()
    make_document(contact, name="rosa-drivers-license.pdf")
    sign_in(page, live_server, f"/cases/{case.pk}/")

    # Documents → Contact Documents shows the contact's file.
    tab(page, "Documents")
    page.locator("nav.subtabs").get_by_role("link", name="Contact Documents").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/documents/contacts/")
    assert page.get_by_role("heading", name="Rosa Diaz").is_visible()
    assert page.get_by_text("rosa-drivers-license.pdf").is_visible()
    page.screenshot(path=str(screenshot_dir / "case-contact-documents.png"), full_page=True)

    # Documents → Case Documents → upload (by button and by dropping), then Download All.
    page.locator("nav.subtabs").get_by_role("link", name="Case Documents").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/documents/")
    assert page.get_by_text("No documents yet").is_visible()
    page.set_input_files(
        "#id_files", files=[{"name": "police report.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("table.documents").get_by_text("police report.pdf").wait_for()
    page.evaluate(DROP_FILES, ["scene.png", list(PNG_BYTES)])
    page.locator("table.documents").get_by_text("scene.png").wait_for()
    assert list(Document.objects.filter(case=case, contact__isnull=True).values_list("original_name", flat=True)) == [
        "scene.png",
        "police report.pdf",
    ]
    assert "rosa-drivers-license.pdf" not in page.locator("table.documents").inner_text()
    page.screenshot(path=str(screenshot_dir / "case-documents.png"), full_page=True)

    with page.expect_download(timeout=90_000) as download_info:
        page.get_by_role("button", name="Download All").click()
        page.locator("#bundle").wait_for()
    download = download_info.value
    assert download.suggested_filename.startswith("PI-2026-0042 documents"), worker.output()[-2000:]
    path = tmp_path / "case.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "PI-2026-0042 Rear-end collision/police report.pdf",
            "PI-2026-0042 Rear-end collision/scene.png",
            "index.csv",
        ]
    page.get_by_role("link", name="Download zip").wait_for()
    page.screenshot(path=str(screenshot_dir / "case-documents-download-all.png"), full_page=True)


def test_every_tab_works_without_javascript(live_server, browser, screenshot_dir):
    contact, case, _task, _form = seed_case()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, f"/cases/{case.pk}/")
    for name, path in [
        ("Tasks", "tasks/"),
        ("Forms", "forms/"),
        ("Documents", "documents/"),
        ("Messages", "messages/"),
        ("Portal links", "links/"),
        ("Activity", "activity/"),
        ("Overview", ""),
    ]:
        page.locator("nav.tabs").get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(f"{live_server.url}/cases/{case.pk}/{path}")
    # Without JavaScript, Share Link is a page of its own and comes back to the tab.
    page.goto(f"{live_server.url}/cases/{case.pk}/tasks/")
    page.get_by_role("row", name=re.compile("Upload photo ID")).get_by_role(
        "link", name=re.compile("^Share Link")
    ).click()
    page.get_by_role("heading", name="Share Link with Rosa Diaz").wait_for()
    page.screenshot(path=str(screenshot_dir / "case-share-link-no-js.png"), full_page=True)
    page.get_by_label("Email rosa@example.com").check()
    page.get_by_role("button", name=re.compile("^Send")).click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/tasks/")
    assert page.get_by_text("Link sent to Rosa Diaz").is_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_case_tabs_have_no_axe_violations(live_server, browser, screenshot_dir, width):
    contact, case, _task, _form = seed_case()
    make_document(contact, name="rosa-drivers-license.pdf")
    upload_documents(contact=None, case=case, files=[upload("complaint.pdf", PDF_BYTES)])
    Message.objects.create(
        case=case,
        contact=contact,
        direction="inbound",
        channel="portal",
        body="I sent the bill.",
        sent_at=timezone.now(),
    )
    issued_link(contact, case=case, channel="email", sent_to="rosa@example.com")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, f"/cases/{case.pk}/")
    report = {}
    for path in ["", "tasks/", "forms/", "documents/", "documents/contacts/", "messages/", "links/", "activity/"]:
        page.goto(f"{live_server.url}/cases/{case.pk}/{path}")
        report[path or "overview"] = axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        page.screenshot(
            path=str(screenshot_dir / f"case-{(path or 'overview').strip('/').replace('/', '-')}-{width}.png"),
            full_page=True,
        )
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name=re.compile(r"^Contacts \(")).click()
    report["contacts modal"] = axe_violations(page)
    context.close()
    assert {path: found for path, found in report.items() if found} == {}
