"""The contacts list and the case modal in Chromium: Login Source in the URL, back button,
reload, bookmarks, JavaScript off, and the modal that leaves the page URL alone."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = timezone.now()
PASSWORD = "correct horse battery"


def seed():
    people = {
        "web": [("Wanda", "Webber"), ("Walt", "Wexley")],
        "mobile": [("Molly", "Moby"), ("Mick", "Mobbs")],
        "web_mobile": [("Bea", "Bothwell")],
        "not_installed": [("Ned", "Neverson"), ("Nia", "Nolan")],
    }
    logins = {
        "web": {"web_last_login_at": NOW},
        "mobile": {"mobile_last_login_at": NOW},
        "web_mobile": {"web_last_login_at": NOW, "mobile_last_login_at": NOW},
        "not_installed": {},
    }
    case = CaseFactory(number="MT-0000042", title="Hair relaxer")
    names = {}
    for source, pairs in people.items():
        names[source] = set()
        for first, last in pairs:
            contact = ContactFactory(first_name=first, last_name=last, **logins[source])
            ContactPhoneFactory(contact=contact)
            ContactEmailFactory(contact=contact)
            CaseContactFactory(case=case, contact=contact)
            names[source].add(f"{first} {last}")
    UserFactory(username="pat")
    return case, names


def sign_in(page, base_url):
    page.goto(f"{base_url}/login/?next=/contacts/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/contacts/$"))


def shown_names(page, scope="#contact-results"):
    page.wait_for_load_state("networkidle")
    return {text.strip() for text in page.locator(f"{scope} tbody th a").all_inner_texts()}


def choose(page, label, scope="#contact-filters"):
    page.locator(scope).get_by_role("radio", name=label, exact=True).click()


def test_login_source_lives_in_the_url_through_back_reload_and_bookmarks(live_server, page, screenshot_dir):
    _, names = seed()
    everyone = set().union(*names.values())
    sign_in(page, live_server.url)
    assert shown_names(page) == everyone

    for label, source in [
        ("Web", "web"),
        ("Mobile", "mobile"),
        ("Web & Mobile", "web_mobile"),
        ("Not Installed", "not_installed"),
    ]:
        choose(page, label)
        page.wait_for_url(re.compile(rf".*login_source={source}(&|$)"))
        assert shown_names(page) == names[source], label

    page.go_back()
    page.wait_for_url(re.compile(r".*login_source=web_mobile"))
    expect(page.locator("#contact-results")).to_contain_text("Bea Bothwell")
    assert shown_names(page) == names["web_mobile"]
    assert page.locator("#contact-filters input[value=web_mobile]").is_checked()
    page.go_back()
    page.wait_for_url(re.compile(r".*login_source=mobile(&|$)"))
    expect(page.locator("#contact-results")).to_contain_text("Molly Moby")
    assert shown_names(page) == names["mobile"]
    assert page.locator("#contact-filters input[value=mobile]").is_checked()

    # Contact data never lands in the browser's storage (htmx's history cache is off here).
    stored = page.evaluate("JSON.stringify([window.localStorage, window.sessionStorage])")
    assert "Moby" not in stored

    page.reload()
    assert shown_names(page) == names["mobile"]
    assert page.locator("#contact-filters input[value=mobile]").is_checked()

    bookmark = page.url
    other = page.context.new_page()
    other.goto(bookmark)
    assert shown_names(other) == names["mobile"]
    assert other.locator("#contact-filters input[value=mobile]").is_checked()
    other.close()

    choose(page, "All")
    page.wait_for_url(lambda url: "login_source" not in url)
    page.get_by_label("Search").fill("wex")
    page.wait_for_url(re.compile(r".*q=wex"))
    assert shown_names(page) == {"Walt Wexley"}
    page.get_by_label("Search").fill("")
    page.wait_for_url(lambda url: "q=" not in url)
    assert shown_names(page) == everyone
    page.screenshot(path=str(screenshot_dir / "contacts-list-login-source.png"), full_page=True)


def test_the_filter_form_works_with_javascript_off(live_server, browser):
    _, names = seed()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, live_server.url)
    page.locator("#contact-filters input[value=not_installed]").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r".*login_source=not_installed"))
    assert shown_names(page) == names["not_installed"]
    context.close()


def test_keyboard_moves_between_rows_and_opens_a_profile(live_server, page):
    seed()
    sign_in(page, live_server.url)
    first = page.locator("#contact-results tbody th a").first
    first.focus()
    page.keyboard.press("ArrowDown")
    second_name = page.locator("#contact-results tbody th a").nth(1).inner_text()
    assert page.evaluate("document.activeElement.textContent").strip() == second_name
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/contacts/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(second_name)


def test_case_modal_filters_without_touching_the_url_or_history(live_server, page, screenshot_dir):
    case, names = seed()
    sign_in(page, live_server.url)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    page.goto(case_url)
    history = page.evaluate("history.length")
    page.get_by_role("link", name=re.compile(r"^Contacts \(\d+\)")).click()
    dialog = page.locator("#case-contacts-dialog")
    expect(dialog).to_be_visible()
    assert shown_names(page, "#case-contacts-results") == set().union(*names.values())
    choose(page, "Mobile", "#case-contacts-dialog")
    expect(page.locator("#case-contacts-results")).not_to_contain_text("Ned Neverson")
    assert shown_names(page, "#case-contacts-results") == names["mobile"]
    choose(page, "Not Installed", "#case-contacts-dialog")
    expect(page.locator("#case-contacts-results")).to_contain_text("Ned Neverson")
    assert shown_names(page, "#case-contacts-results") == names["not_installed"]
    assert page.url == case_url
    assert page.evaluate("history.length") == history
    page.screenshot(path=str(screenshot_dir / "case-contacts-modal.png"))
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()


def test_profile_and_its_tasks_tab(live_server, page, screenshot_dir):
    case, _ = seed()
    contact = case.case_contacts.first().contact
    other_case = CaseFactory(number="PI-0000077")
    CaseContactFactory(case=other_case, contact=contact)
    TaskFactory(
        case=case,
        contact=contact,
        title="Sign retainer agreement",
        kind="form",
        form_fields=[{"name": "signature", "label": "Type your name to sign", "type": "signature", "required": True}],
    )
    TaskFactory(case=other_case, contact=contact, title="Upload photo ID")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    assert page.get_by_text("Login source").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "contact-profile.png"), full_page=True)
    page.get_by_role("link", name="Tasks", exact=True).click()
    page.wait_for_url(re.compile(r".*/tasks/$"))
    assert page.get_by_role("link", name="Sign retainer agreement").is_visible()
    assert page.get_by_role("link", name="Upload photo ID").is_visible()
    page.get_by_label("Search tasks").fill("photo")
    page.wait_for_url(re.compile(r".*/tasks/\?q=photo$"))
    expect(page.locator("#task-results")).not_to_contain_text("Sign retainer agreement")
    assert page.get_by_role("link", name="Upload photo ID").is_visible()
    page.go_back()
    expect(page.locator("#task-results")).to_contain_text("Sign retainer agreement")
    page.get_by_role("link", name="Fill Task").first.click()
    page.get_by_label("Type your name to sign").fill("Wanda Webber")
    page.get_by_role("button", name="Save the form").click()
    page.wait_for_url(re.compile(r".*/tasks/$"))
    assert page.locator("tr", has_text="Sign retainer agreement").get_by_text("Submitted").is_visible()
    page.screenshot(path=str(screenshot_dir / "contact-tasks.png"), full_page=True)


def test_a_surname_prefix_then_a_login_source_then_two_words(live_server, page, screenshot_dir):
    """Served by the name-word index on PostgreSQL and by FTS5 on SQLite: the same rows."""
    ContactFactory(first_name="María", last_name="García", web_last_login_at=NOW)
    ContactFactory(first_name="Luis", last_name="Garcia", mobile_last_login_at=NOW)
    ContactFactory(first_name="Pierre", last_name="Garçon", web_last_login_at=NOW)
    ContactFactory(first_name="Garth", last_name="Brooks")
    ContactFactory(first_name="Anna", last_name="Smith", web_last_login_at=NOW)
    UserFactory(username="pat")
    sign_in(page, live_server.url)

    page.get_by_role("searchbox").fill("garc")
    expect(page).to_have_url(re.compile(r"q=garc"))
    status = page.locator("#contact-results .result-summary")
    expect(status).to_contain_text("3 contacts")
    rows = page.locator("#contact-results tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).locator("th a").inner_text() for i in range(3)] == [
        "Luis Garcia",
        "María García",
        "Pierre Garçon",
    ]  # in name order, accents folded

    choose(page, "Web")
    expect(page).to_have_url(re.compile(r"login_source=web"))
    expect(rows).to_have_count(2)
    expect(status).to_contain_text("2 contacts")
    page.screenshot(path=str(screenshot_dir / "contacts-name-search.png"), full_page=True)

    page.get_by_role("searchbox").fill("bro gar")  # two words, any order, a prefix of each
    expect(page.get_by_text("No contacts match these filters.")).to_be_visible()  # Garth Brooks has no login
    choose(page, "All")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Garth Brooks")
