"""The whole merge flow in Chromium: the queue, profile ⋮ → Merge Contact, type-ahead, field
choices, preview, confirm, the tombstone's redirect, and undo."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Message
from cases.tests.factories import CaseContactFactory
from contacts.duplicates import run_full_scan
from contacts.models import Contact, Note
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, admin_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server):
    admin_user(username="ada")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/contacts/")


def test_merge_a_duplicate_from_the_profile_then_undo(live_server, page, screenshot_dir):
    dob = datetime.date(1971, 3, 14)
    survivor = ContactFactory(first_name="Robert", last_name="Whitfield", date_of_birth=dob, postal_code="60601")
    merged = ContactFactory(first_name="Bob", last_name="Whitfeld", date_of_birth=dob, address_line1="12 Oak St")
    ContactPhoneFactory(contact=survivor, number="+13125550180")
    ContactPhoneFactory(contact=merged, number="+13125550180")
    ContactEmailFactory(contact=merged, email="bob.whitfield@example.com")
    CaseContactFactory(contact=merged)
    Note.objects.create(contact=merged, body_html="<p>Prefers mornings</p>")
    Message.objects.create(contact=merged, direction="inbound", body="Hello", sent_at=timezone.now())
    other_a = ContactFactory(first_name="Elizabeth", last_name="Moreno", date_of_birth=datetime.date(1980, 1, 2))
    other_b = ContactFactory(first_name="Liz", last_name="Moreno", date_of_birth=datetime.date(1980, 1, 2))
    for contact in (other_a, other_b):
        ContactPhoneFactory(contact=contact, number="+13125550181")
    run_full_scan()
    _sign_in(page, live_server)

    # The queue: both pairs, reasons as badges, differences highlighted.
    page.goto(f"{live_server.url}/contacts/duplicates/")
    assert page.get_by_role("heading", name="Possible duplicates").is_visible()
    pair = page.locator(f"#pair-{survivor.pk}-{merged.pk}")
    assert pair.get_by_text("Phone match").is_visible()
    assert pair.locator("tr.differs").count() >= 2
    page.screenshot(path=str(screenshot_dir / "duplicates-queue.png"), full_page=True)

    # "Not a duplicate" on the other pair removes it in place.
    other = page.locator(f"#pair-{other_a.pk}-{other_b.pk}")
    other.get_by_role("button", name="Not a duplicate").click()
    page.get_by_text("will not be suggested again").wait_for()

    # Profile → ⋮ → Merge Contact → type-ahead.
    page.goto(f"{live_server.url}/contacts/{survivor.pk}/")
    page.get_by_label(f"Actions for {survivor.display_name}").click()
    page.get_by_role("link", name="Merge Contact").click()
    page.wait_for_url(f"**/contacts/{survivor.pk}/merge/")
    page.get_by_label("Find the other record by name, phone or email").fill("bob.whitfield@example.com")
    page.locator("#merge-results").get_by_role("link", name="Compare").click()
    page.wait_for_url(f"**/contacts/{survivor.pk}/merge/?other={merged.pk}")

    # Field by field: keep the survivor's last name, take the merged record's address.
    page.locator("input[name=last_name][value=survivor]").check()
    page.locator("input[name=address][value=merged]").check()
    preview = page.locator(".merge-preview")
    assert "1 case" in preview.inner_text() and "1 message" in preview.inner_text() and "1 note" in preview.inner_text()
    page.screenshot(path=str(screenshot_dir / "merge-compare.png"), full_page=True)
    page.get_by_role("button", name="Merge contacts").click()
    page.get_by_text(f"Merged Bob Whitfeld into {survivor.display_name}").wait_for()
    page.screenshot(path=str(screenshot_dir / "merge-done.png"), full_page=True)
    done_url = page.url

    kept = Contact.objects.get(pk=survivor.pk)
    assert (kept.last_name, kept.address_line1) == ("Whitfield", "12 Oak St")
    assert kept.case_links.count() == 1 and kept.notes.count() == 1

    # The tombstone's old URL lands on the survivor.
    page.goto(f"{live_server.url}/contacts/{merged.pk}/")
    page.wait_for_url(f"**/contacts/{survivor.pk}/")
    assert page.get_by_role("heading", name=kept.display_name).is_visible()

    # Undo brings the merged record back with its rows.
    page.goto(done_url)
    page.get_by_role("button", name="Undo merge").click()
    page.wait_for_url(f"**/contacts/{merged.pk}/")
    page.get_by_text("Merge undone").wait_for()
    page.screenshot(path=str(screenshot_dir / "merge-undone.png"), full_page=True)
    restored = Contact.objects.get(pk=merged.pk)
    assert restored.merged_into_id is None
    assert restored.case_links.count() == 1 and restored.notes.count() == 1
    assert Contact.objects.get(pk=survivor.pk).address_line1 == ""
