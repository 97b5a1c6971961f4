"""Every portal page on a phone: no axe-core violations, and under 50 KB on the wire."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Appointment, Message
from cases.tests.factories import TaskFactory
from portal.tests.conftest import PRIVATE_CACHE
from portal.tests.factories import FORM_FIELDS, contact_on_case, issued_link
from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate limits count in this process only (the live server is a thread of it)."""
    settings.CACHES = PRIVATE_CACHE


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "bypass_csp": True,  # lets the test inject axe-core; the pages themselves never need it
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124 Mobile Safari/537.36"
    ),
}
BUDGET = 50 * 1024


def test_portal_pages_are_accessible_and_light(live_server, browser, screenshot_dir):
    contact, case = contact_on_case(first_name="Rosa")
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", form_fields=FORM_FIELDS)
    starts = timezone.now() + datetime.timedelta(days=2)
    Appointment.objects.create(
        case=case, contact=contact, title="Exam", starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)
    )
    Message.objects.create(contact=contact, case=case, direction="outbound", body="Welcome!", sent_at=timezone.now())
    _link, token = issued_link(contact, case=case, second_factor="phone_last4")
    base = live_server.url
    report = {}

    def check(page, name, url=None):
        if url:
            context = browser.new_context(**PHONE)
            context.add_cookies(page.context.cookies())
            fresh = context.new_page()
            sizes = []
            fresh.on("response", lambda r: sizes.append(0 if 300 <= r.status < 400 else len(r.body())))
            status = fresh.goto(url).status
            fresh.wait_for_load_state("networkidle")
            report[name] = (status, sum(sizes), axe_violations(fresh))
            context.close()
        else:
            report[name] = (200, 0, axe_violations(page))

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_content("<html lang=en><title>t</title><main><img src='x.png'></main></html>")
    assert "image-alt" in [v[0] for v in axe_violations(page)]  # the checker does find problems
    page.goto(f"{base}/p/{token}/")
    check(page, "entry", f"{base}/p/{token}/")
    check(page, "invalid link", f"{base}/p/not-a-token/")
    check(page, "signed out", f"{base}/portal/ended/")
    page.get_by_label("The last four digits of your phone number").fill("12")
    page.get_by_role("button", name="Continue").click()
    check(page, "entry with an error")
    page.get_by_label("The last four digits of your phone number").fill(contact.phones.get().number[-4:])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/portal/")
    for name, path in [
        ("status", "/portal/"),
        ("to do", "/portal/tasks/"),
        ("form", f"/portal/tasks/{task.pk}/"),
        ("upload", "/portal/documents/"),
        ("messages", "/portal/messages/"),
        ("appointments", "/portal/appointments/"),
    ]:
        check(page, name, base + path)
    # 200% zoom of a 360-px phone is a 180-px-wide layout: nothing may scroll sideways.
    zoomed = browser.new_context(**{**PHONE, "viewport": {"width": 180, "height": 370}})
    zoomed.add_cookies(context.cookies())
    narrow = zoomed.new_page()
    for path in ("/portal/", "/portal/tasks/", f"/portal/tasks/{task.pk}/", "/portal/documents/", "/portal/messages/"):
        narrow.goto(base + path)
        wide = narrow.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 181)"
            ".map(e => e.tagName + ': ' + (e.textContent || '').trim().slice(0, 30))"
        )
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 180, (path, wide)
    narrow.goto(f"{base}/portal/tasks/{task.pk}/")
    narrow.screenshot(path=str(screenshot_dir / "portal-form-200-percent.png"), full_page=True)
    zoomed.close()
    page.goto(f"{base}/portal/tasks/{task.pk}/")
    page.get_by_role("button", name="Send", exact=True).click()
    check(page, "form with errors")
    page.screenshot(path=str(screenshot_dir / "portal-form-errors.png"), full_page=True)
    context.close()

    for name, (status, size, violations) in report.items():
        print(f"{name:20} {status} {size / 1024:5.1f} KB  violations={len(violations)}")
    assert {name: v for name, (_s, _b, v) in report.items() if v} == {}
    assert {name: size for name, (_s, size, _v) in report.items() if size > BUDGET} == {}
    assert report["invalid link"][0] == 404 and report["status"][0] == 200


def test_a_spanish_speaking_contact_gets_the_portal_in_spanish(live_server, browser, screenshot_dir):
    contact, case = contact_on_case(first_name="Lucía", language="es")
    case.stage = "demand"
    case.save()
    _link, token = issued_link(contact, case=case)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{token}/")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(f"{live_server.url}/portal/")
    assert page.get_attribute("html", "lang") == "es"
    assert page.get_by_role("heading", name="Hola Lucía").is_visible()
    assert page.get_by_text("Pedimos a la otra parte que pague por sus pérdidas.").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "portal-status-es.png"), full_page=True)
    context.close()
