"""The case page's tabs: each its own URL, a whole page (htmx picks the tab out of it)."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from activity.services import record_event
from cases.models import Message
from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactFactory, UserFactory
from portal.models import PortalLink
from portal.tests.factories import contact_on_case

pytestmark = pytest.mark.django_db

TABS = {
    "Overview": "cases:detail",
    "Tasks": "cases:tasks",
    "Forms": "cases:forms",
    "Documents": "documents:case_documents",
    "Messages": "cases:messages",
    "Portal links": "portal:case_links",
    "Activity": "cases:activity",
}


@pytest.fixture
def staff(client):
    user = UserFactory(username="paula")
    client.force_login(user)
    return user


@pytest.mark.parametrize("label, name", list(TABS.items()))
def test_each_tab_is_its_own_url_and_says_which_it_is(client, staff, label, name):
    case = CaseFactory()
    url = reverse(name, args=[case.pk])
    page = client.get(url).content.decode()
    for other in TABS.values():
        other_url = reverse(other, args=[case.pk])
        # A plain link (works without JavaScript) that htmx turns into a swap of the tab.
        assert f'<a href="{other_url}" hx-get="{other_url}" hx-target="#case-body" hx-select="#case-body"' in page
    tabs = page.split('aria-label="Case sections">')[1].split("</nav>")[0]
    assert tabs.count('aria-current="page"') == 1
    assert f'hx-push-url="true" aria-current="page">{label}</a>' in tabs


@pytest.mark.parametrize("name", list(TABS.values()))
def test_a_tab_asked_by_htmx_is_the_whole_page_htmx_picks_the_tab_from(client, staff, name):
    case = CaseFactory()
    page = client.get(
        reverse(name, args=[case.pk]), headers={"HX-Request": "true", "HX-Target": "case-body"}
    ).content.decode()
    assert '<div id="case-body" hx-history="false">' in page and "</html>" in page


@pytest.mark.parametrize("name", list(TABS.values()))
def test_an_unknown_case_is_a_404_on_every_tab(client, staff, name):
    assert client.get(reverse(name, args=[10**9])).status_code == 404


def test_overview_shows_the_status_timeline_and_the_contacts_with_their_roles(client, staff):
    case = CaseFactory(stage="treatment", opened_on=datetime.date(2026, 3, 2))
    CaseContactFactory(case=case, contact=ContactFactory(first_name="Rosa", last_name="Diaz"), role="client")
    CaseContactFactory(case=case, contact=ContactFactory(first_name="Luis", last_name="Diaz"), role="family")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    timeline = page.split('<ol class="stage-timeline">')[1].split("</ol>")[0]
    assert timeline.index("Intake") < timeline.index("Investigation") < timeline.index("Medical treatment")
    assert 'class="stage stage-now" aria-current="step"' in timeline and "opened Mar 2, 2026" in timeline
    assert timeline.count("stage-done") == 2 and timeline.count("stage-next") == 5
    assert "Rosa Diaz" in page and "Client" in page and "Luis Diaz" in page and "Family member" in page
    assert "Contacts (2)" in page and 'data-open-dialog="case-contacts-dialog"' in page
    assert page.count("Share Link<span") == 2  # one per contact, for the whole case


def test_tasks_and_forms_tabs_each_list_their_own_kind_open_first(client, staff):
    contact, case = contact_on_case(first_name="Rosa", last_name="Diaz")
    TaskFactory(case=case, contact=contact, kind="task", title="Upload photo ID", status="done")
    TaskFactory(case=case, contact=contact, kind="task", title="Sign retainer", due_on=datetime.date(2026, 12, 1))
    TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", status="submitted")
    TaskFactory(case=case, kind="task", title="Order police report")
    tasks = client.get(reverse("cases:tasks", args=[case.pk])).content.decode()
    assert tasks.index("Sign retainer") < tasks.index("Order police report") < tasks.index("Upload photo ID")
    assert "Intake questionnaire" not in tasks
    assert "Dec 1, 2026" in tasks and ">Done</span>" in tasks and ">Open</span>" in tasks and "Rosa Diaz" in tasks
    forms = client.get(reverse("cases:forms", args=[case.pk])).content.decode()
    assert "Intake questionnaire" in forms and ">Submitted</span>" in forms and "Sign retainer" not in forms


def test_each_row_with_a_contact_has_fill_and_share_link_for_that_task(client, staff):
    contact, case = contact_on_case()
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire")
    TaskFactory(case=case, kind="form", title="Internal checklist")
    page = client.get(reverse("cases:forms", args=[case.pk])).content.decode()
    share = f"/cases/{case.pk}/share/{contact.pk}/?task={task.pk}&amp;next=/cases/{case.pk}/forms/"
    assert f'href="{share}" hx-get="{share}" hx-target="#portal-share-body"' in page
    assert reverse("contacts:task_fill", args=[contact.pk, task.pk]) in page
    assert page.count("Share Link<span") == 1 and "Give it a contact to fill or share it" in page


def test_share_link_from_a_row_opens_the_dialog_for_that_form_and_contact(client, staff):
    contact, case = contact_on_case(first_name="Rosa")
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire")
    response = client.get(
        f"/cases/{case.pk}/share/{contact.pk}/",
        {"task": task.pk, "next": f"/cases/{case.pk}/forms/"},
        headers={"HX-Request": "true"},
    )
    dialog = response.content.decode()
    assert [t.name for t in response.templates][0] == "portal/share/dialog.html"
    assert "Share Link with Rosa" in dialog and "For “Intake questionnaire”" in dialog
    assert f'name="task" value="{task.pk}"' in dialog and f'name="next" value="/cases/{case.pk}/forms/"' in dialog
    assert f"Text {contact.phones.get().number}" in dialog and f"Email {contact.emails.get().email}" in dialog


@freeze_time("2026-11-25 16:00:00")  # 10:00 in Chicago: inside the calling window
def test_a_link_sent_from_the_tasks_tab_returns_to_it(client, staff):
    contact, case = contact_on_case()
    task = TaskFactory(case=case, contact=contact, title="Upload photo ID")
    response = client.post(
        f"/cases/{case.pk}/share/{contact.pk}/",
        {
            "destination": f"email:{contact.emails.get().pk}",
            "message": "Hi {first_name}: {link}",
            "expires_in_days": 7,
            "task": task.pk,
            "next": f"/cases/{case.pk}/tasks/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/tasks/"
    assert PortalLink.objects.get().task == task


@freeze_time("2026-11-25 16:00:00")
def test_a_next_address_elsewhere_is_not_followed(client, staff):
    contact, case = contact_on_case()
    response = client.post(
        f"/cases/{case.pk}/share/{contact.pk}/",
        {
            "destination": f"email:{contact.emails.get().pk}",
            "message": "{link}",
            "expires_in_days": 7,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == f"/cases/{case.pk}/links/"


def test_share_link_for_a_task_of_another_case_or_contact_is_a_404(client, staff):
    contact, case = contact_on_case()
    other_contact, other_case = contact_on_case()
    theirs = TaskFactory(case=other_case, contact=other_contact)
    someone_elses = TaskFactory(case=case, contact=CaseContactFactory(case=case).contact)
    for task in (theirs, someone_elses):
        assert client.get(f"/cases/{case.pk}/share/{contact.pk}/", {"task": task.pk}).status_code == 404
    assert client.get(f"/cases/{case.pk}/share/{contact.pk}/", {"task": "x"}).status_code == 404


def test_the_tasks_tab_costs_the_same_queries_for_many_rows(client, staff, django_assert_max_num_queries):
    case = CaseFactory()
    for n in range(30):
        TaskFactory(case=case, contact=CaseContactFactory(case=case).contact, title=f"Task {n}")
    # session, user, the case, the tasks with their contacts
    with django_assert_max_num_queries(5):
        page = client.get(reverse("cases:tasks", args=[case.pk])).content.decode()
    assert page.count("Share Link<span") == 30


def test_messages_tab_shows_the_thread_and_a_reply_comes_back_to_it(client, staff):
    contact, case = contact_on_case(first_name="Rosa", last_name="Diaz")
    CaseContactFactory(case=case, contact=ContactFactory(first_name="Luis", last_name="Diaz"), role="family")
    before = client.get(reverse("cases:messages", args=[case.pk])).content.decode()
    assert "Reply to Rosa Diaz" in before and "Reply to Luis" not in before  # the client, before anyone wrote
    Message.objects.create(
        case=case,
        contact=contact,
        direction="inbound",
        channel="portal",
        body="Here is the bill",
        sent_at=case.created_at,
    )
    page = client.get(reverse("cases:messages", args=[case.pk])).content.decode()
    assert "Here is the bill" in page and "Reply to Rosa Diaz in the portal" in page
    response = client.post(
        f"/cases/{case.pk}/messages/{contact.pk}/reply/",
        {"body": "Thanks, Rosa", "next": f"/cases/{case.pk}/messages/"},
    )
    assert response["Location"] == f"/cases/{case.pk}/messages/"
    assert "Thanks, Rosa" in client.get(response["Location"]).content.decode()


def test_activity_tab_lists_the_cases_events_newest_first_a_page_at_a_time(
    client, staff, django_assert_max_num_queries
):
    contact, case = contact_on_case(first_name="Rosa", last_name="Diaz")
    other_case = CaseFactory()
    for n in range(55):
        record_event(event_type="task", description=f"Event {n:02d}", case_id=case.pk, contact_id=contact.pk)
    record_event(event_type="task", description="Elsewhere", case_id=other_case.pk)
    # session, user, the case, the events with their users, the contacts' names
    with django_assert_max_num_queries(6):
        page = client.get(reverse("cases:activity", args=[case.pk])).content.decode()
    assert page.index("Event 54") < page.index("Event 05") and "Event 04" not in page and "Elsewhere" not in page
    assert "Rosa Diaz" in page
    older = page.split('href="?before=')[1].split('"')[0]
    rest = client.get(reverse("cases:activity", args=[case.pk]), {"before": older}).content.decode()
    assert "Event 04" in rest and "Event 00" in rest and "Event 05" not in rest and "?before=" not in rest


def test_the_portal_links_tab_refreshes_only_its_list(client, staff):
    contact, case = contact_on_case()
    page = client.get(
        reverse("portal:case_links", args=[case.pk]), headers={"HX-Request": "true", "HX-Target": "portal-links-list"}
    )
    assert [t.name for t in page.templates][0] == "portal/share/links.html"


@pytest.mark.parametrize(
    "name, budget",
    [
        ("cases:detail", 11),  # the timeline, the contacts and their roles, the modal's first page
        ("cases:messages", 5),  # session, user, case, the thread, the reply boxes
        ("portal:case_links", 4),  # session, user, case, the links with contact, task and sender
    ],
)
def test_overview_messages_and_links_cost_the_same_for_a_crowded_case(
    client, staff, django_assert_max_num_queries, name, budget
):
    case = CaseFactory()
    for _ in range(25):
        contact = CaseContactFactory(case=case).contact
        Message.objects.create(case=case, contact=contact, direction="inbound", body="Hello", sent_at=case.created_at)
        PortalLink.objects.create(
            token_hash=f"{contact.pk:064d}", contact=contact, case=case, channel="sms", expires_at=case.created_at
        )
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(name, args=[case.pk])).status_code == 200
