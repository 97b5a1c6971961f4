"""The case page's Contacts modal: the case's contacts with the list's Login Source control."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def staff(client):
    client.force_login(UserFactory())


@pytest.fixture
def case_with_contacts():
    case = CaseFactory(number="MT-0000001")
    web = CaseContactFactory(case=case, contact=ContactFactory(last_name="Webb", web_last_login_at=NOW)).contact
    mobile = CaseContactFactory(case=case, contact=ContactFactory(last_name="Mobley", mobile_last_login_at=NOW)).contact
    never = CaseContactFactory(case=case, contact=ContactFactory(last_name="Neverly")).contact
    ContactFactory(last_name="Elsewhere", web_last_login_at=NOW)  # not on the case
    return case, {"web": web, "mobile": mobile, "not_installed": never}


def names(response):
    return {contact.last_name for contact in response.context["page"].object_list}


def test_case_page_has_a_contacts_button_opening_a_dialog_with_the_login_source_control(
    client, staff, case_with_contacts
):
    case, _ = case_with_contacts
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-open-dialog="case-contacts-dialog"' in html and "Contacts (3)" in html
    dialog = html.split('<dialog id="case-contacts-dialog"')[1]
    assert "<legend>Login Source</legend>" in dialog
    assert 'hx-push-url="false"' in dialog
    assert 'hx-push-url="true"' not in dialog
    assert '<section id="case-contacts"' in html


@pytest.mark.parametrize("option", ["web", "mobile", "not_installed"])
def test_modal_filters_the_cases_contacts_by_login_source(client, staff, case_with_contacts, option):
    case, by_source = case_with_contacts
    response = client.get(
        reverse("cases:contacts", args=[case.pk]), {"login_source": option}, headers={"HX-Request": "true"}
    )
    assert names(response) == {by_source[option].last_name}
    assert [t.name for t in response.templates][0] == "cases/partials/case_contacts_results.html"
    assert "HX-Push-Url" not in response.headers


def test_modal_lists_only_the_cases_contacts(client, staff, case_with_contacts):
    case, _ = case_with_contacts
    response = client.get(reverse("cases:contacts", args=[case.pk]))
    assert names(response) == {"Webb", "Mobley", "Neverly"}


def test_without_javascript_the_button_leads_to_a_page_of_the_cases_contacts(client, staff, case_with_contacts):
    case, _ = case_with_contacts
    response = client.get(reverse("cases:contacts", args=[case.pk]), {"login_source": "web"})
    assert [t.name for t in response.templates][0] == "cases/case_contacts.html"
    assert names(response) == {"Webb"}


def test_modal_queries_do_not_grow_with_contacts(client, staff, django_assert_max_num_queries):
    case = CaseFactory()
    for _ in range(15):
        CaseContactFactory(case=case)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:contacts", args=[case.pk]), headers={"HX-Request": "true"})
    assert len(response.context["page"].object_list) == 15


def test_unknown_case_is_404(client, staff):
    assert client.get(reverse("cases:contacts", args=[99999])).status_code == 404
