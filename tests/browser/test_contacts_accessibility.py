"""The contacts list, a profile, the edit form and the case modal: no axe-core violations."""

import re
from pathlib import Path

import pytest

from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}}"


def axe_violations(page) -> list:
    page.evaluate(AXE)
    result = page.evaluate(f"() => axe.run(document, {RULES})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_staff_contact_pages_have_no_axe_violations(live_server, browser):
    UserFactory(username="pat")
    case = CaseFactory(number="MT-0000100")
    contact = ContactFactory(first_name="Rosa", last_name="Diaz", do_not_text=True, sentiment_label="negative")
    ContactPhoneFactory(contact=contact)
    ContactEmailFactory(contact=contact)
    CaseContactFactory(case=case, contact=contact)
    TaskFactory(case=case, contact=contact, title="HIPAA authorization", kind="form")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/?next=/contacts/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/contacts/$"))
    report = {}
    for path in [
        "/contacts/?login_source=all",
        f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/cases/",
        f"/contacts/{contact.pk}/tasks/",
        f"/contacts/{contact.pk}/edit/",
        "/contacts/new/",
    ]:
        page.goto(f"{live_server.url}{path}")
        report[path] = axe_violations(page)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name=re.compile(r"^Contacts \(")).click()
    report["case modal"] = axe_violations(page)
    context.close()
    assert {path: found for path, found in report.items() if found} == {}
