"""The possible-duplicates queue in Chromium: match-weight charts, groups of three, and merging
a group in one go, at a desktop width and a phone's."""

import datetime
import re

import pytest

from contacts.duplicates import run_full_scan
from contacts.models import Contact, DuplicateCandidate, MergeRecord
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory
from contacts.tests.test_merge_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _people():
    dob = datetime.date(1966, 6, 6)
    marias = [
        ContactFactory(first_name="Maria", last_name="Lopez", date_of_birth=dob),
        ContactFactory(first_name="María", last_name="López", date_of_birth=dob, address_line1="12 Oak St"),
        ContactFactory(first_name="Mary", last_name="Lopez", date_of_birth=dob, external_id="CLIO-7"),
    ]
    for maria in marias:
        ContactPhoneFactory(contact=maria, number="+13125550166")
    ContactEmailFactory(contact=marias[1], email="maria.lopez@example.com")
    # Mother and daughter of one household: one address, one landline, the same name.
    household = [
        ContactFactory(
            first_name="Ana",
            last_name="Ruiz",
            address_line1="5 Elm St",
            city="Chicago",
            postal_code="60602",
            date_of_birth=born,
        )
        for born in (datetime.date(1950, 3, 1), datetime.date(1979, 6, 9))
    ]
    for person in household:
        ContactPhoneFactory(contact=person, number="+13125550199")
    return marias, household


def test_queue_explains_each_pair_and_merges_a_group_of_three(live_server, page, screenshot_dir):
    marias, household = _people()
    run_full_scan()
    # The household pair scores under the queue's threshold: put it in to see evidence against.
    DuplicateCandidate.objects.create(contact_a=household[0], contact_b=household[1], score=20, phone_match=True)
    first, second, third = marias
    assert DuplicateCandidate.objects.filter(contact_a__in=marias, contact_b__in=marias).count() == 3
    _sign_in(page, live_server)

    # The queue: the three Marias as one group, each pair with its chart of match weights.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/contacts/duplicates/?min_score=0")
    # Five contacts are too few to train on: the built-in priors score them, and the page says so.
    assert (
        page.locator(".model-status")
        .get_by_text(re.compile(r"^(Duplicate model .+ trained|Not trained yet)"))
        .is_visible()
    )
    group = page.locator("li.duplicate-cluster.is-cluster")
    assert group.get_by_text("3 records may be one person").is_visible()
    chart = page.locator(f"#pair-{first.pk}-{second.pk} table.weights")
    assert chart.get_by_role("rowheader", name="Date of birth").is_visible()
    assert chart.locator("tr.weight-for .bar").first.bounding_box()["width"] > 20
    assert "Match probability" in page.locator(f"#pair-{first.pk}-{second.pk} .why-line").inner_text()
    # The household pair is there (score 0 and up) with its evidence against.
    household_chart = page.locator(f"#pair-{household[0].pk}-{household[1].pk} table.weights")
    assert household_chart.get_by_role("rowheader", name="Household").is_visible()
    assert household_chart.locator("tr.weight-against .bar").first.bounding_box()["width"] > 20
    page.screenshot(path=str(screenshot_dir / "duplicates-queue-1366.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out sideways
    page.screenshot(path=str(screenshot_dir / "duplicates-queue-360.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    # Merge all three: keep the second record rather than the oldest.
    group.get_by_role("link", name="Merge all 3 records…").click()
    page.wait_for_url(f"**/contacts/duplicates/group/?ids={first.pk},{second.pk},{third.pk}")
    assert page.locator(f"input[name=keep][value='{first.pk}']").is_checked()
    page.locator(f"input[name=keep][value='{second.pk}']").check()
    page.screenshot(path=str(screenshot_dir / "duplicates-group-1366.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "duplicates-group-360.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Merge 3 records").click()
    page.get_by_role("heading", name="Records merged").wait_for()
    page.screenshot(path=str(screenshot_dir / "duplicates-group-done.png"), full_page=True)

    assert set(Contact.objects.filter(merged_into=second).values_list("pk", flat=True)) == {first.pk, third.pk}
    kept = Contact.objects.get(pk=second.pk)
    assert kept.address_line1 == "12 Oak St" and kept.external_id == "CLIO-7"  # blanks filled from the others

    # Each merge has its own page, where it can be undone: the last one first.
    last = MergeRecord.objects.order_by("-id").first()
    page.get_by_role("link", name=f"Merge of #{last.merged_contact_id}: details and undo").click()
    page.get_by_role("button", name="Undo merge").click()
    page.get_by_text("Merge undone").wait_for()
    assert Contact.objects.get(pk=third.pk).merged_into_id is None
    assert Contact.objects.get(pk=first.pk).merged_into_id == second.pk
