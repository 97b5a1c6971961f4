import pytest

from cases.demo import seed
from contacts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_signs_in_and_sees_the_contacts_list(live_server, page, screenshot_dir):
    seed(contacts=60, seed=3)
    UserFactory(username="pat")
    page.goto(f"{live_server.url}/contacts/")
    assert "/login/" in page.url
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/contacts/")
    assert page.get_by_role("heading", name="Contacts").is_visible()
    assert page.locator("table.data tbody tr").count() == 25
    page.screenshot(path=str(screenshot_dir / "contacts-list.png"), full_page=True)
