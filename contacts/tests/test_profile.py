"""The contact profile: header, Overview, Cases (with linking a returning contact), Tasks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activity.models import ActivityEvent
from cases.models import CaseContact, Task
from cases.tests.factories import CaseContactFactory, CaseFactory, TaskFactory
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory

pytestmark = pytest.mark.django_db


def test_header_shows_contact_details_badges_and_menu(client, staff):
    contact = ContactFactory(
        first_name="Ana",
        last_name="Reyes",
        preferred_contact_method="sms",
        do_not_call=True,
        sentiment_label="positive",
        web_last_login_at=timezone.now(),
        timezone="America/Chicago",
    )
    ContactPhoneFactory(contact=contact, number="+13125550142")
    ContactEmailFactory(contact=contact, email="ana@example.com")
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Ana Reyes" in html
    assert "(312) 555-0142" in html and "ana@example.com" in html
    assert "Text message" in html and "Do not call" in html
    assert "America/Chicago" in html and "calling hours" in html
    assert "Positive" in html and "Web" in html
    assert reverse("contacts:edit", args=[contact.pk]) in html
    assert "Merge Contact" in html
    assert reverse("contacts:archive", args=[contact.pk]) in html


def test_a_phone_says_mobile_once_when_its_kind_and_line_type_agree(client, staff):
    contact = ContactFactory()
    ContactPhoneFactory(contact=contact, number="+13125550142", kind="mobile", line_type="mobile")
    ContactPhoneFactory(contact=contact, number="+13125550143", kind="home", line_type="landline", is_primary=False)
    ContactPhoneFactory(contact=contact, number="+13125550144", kind="other", line_type="", is_primary=False)
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Mobile, Mobile" not in html
    assert '<span class="muted small">Mobile</span>' in html
    assert '<span class="muted small">Home, Landline</span>' in html
    assert '<span class="muted small">Other</span>' in html


def test_profile_of_an_unknown_contact_is_404(client, staff):
    assert client.get(reverse("contacts:detail", args=[999999])).status_code == 404


def test_merged_contact_redirects_to_the_survivor(client, staff):
    survivor = ContactFactory()
    merged = ContactFactory(merged_into=survivor)
    response = client.get(reverse("contacts:detail", args=[merged.pk]))
    assert response.status_code == 302 and response["Location"] == survivor.get_absolute_url()


def test_cases_tab_lists_every_case_with_role_and_status(client, staff):
    contact = ContactFactory()
    CaseContactFactory(contact=contact, case=CaseFactory(number="PI-1", stage="litigation"), role="client")
    CaseContactFactory(contact=contact, case=CaseFactory(number="MT-2"), role="witness")
    html = client.get(reverse("contacts:cases", args=[contact.pk])).content.decode()
    assert "PI-1" in html and "MT-2" in html
    assert "Litigation" in html and "Witness" in html


def test_a_returning_contact_is_linked_to_another_case(client, staff):
    contact = ContactFactory()
    case = CaseFactory(number="PI-0000009")
    response = client.post(
        reverse("contacts:link_case", args=[contact.pk]), {"case_number": "pi-0000009", "role": "client"}
    )
    assert response.status_code == 302
    assert CaseContact.objects.filter(case=case, contact=contact, role="client").exists()
    event = ActivityEvent.objects.get(contact_id=contact.pk, event_type="case")
    assert "PI-0000009" in event.description and event.case_id == case.pk


def test_linking_to_an_unknown_or_same_case_says_why(client, staff):
    link = CaseContactFactory(case=CaseFactory(number="PI-7"))
    url = reverse("contacts:link_case", args=[link.contact_id])
    unknown = client.post(url, {"case_number": "PI-404", "role": "client"})
    assert unknown.status_code == 400 and "There is no case with number PI-404" in unknown.content.decode()
    again = client.post(url, {"case_number": "PI-7", "role": "client"})
    assert "already on case PI-7" in again.content.decode()
    assert CaseContact.objects.filter(contact_id=link.contact_id).count() == 1


def test_tasks_tab_lists_tasks_of_every_linked_case_only(client, staff):
    contact = ContactFactory()
    first = CaseContactFactory(contact=contact, case=CaseFactory(number="PI-A")).case
    second = CaseContactFactory(contact=contact, case=CaseFactory(number="PI-B")).case
    TaskFactory(case=first, contact=contact, title="Upload photo ID")
    TaskFactory(case=second, title="HIPAA authorization", kind="form")
    TaskFactory(title="Someone else's task")
    html = client.get(reverse("contacts:tasks", args=[contact.pk])).content.decode()
    assert "Upload photo ID" in html and "HIPAA authorization" in html
    assert "Someone else" not in html
    assert reverse("cases:detail", args=[first.pk]) in html and reverse("cases:detail", args=[second.pk]) in html
    assert "Fill Task" in html


def test_tasks_tab_filters_by_search_status_and_due_date(client, staff):
    contact = ContactFactory()
    case = CaseContactFactory(contact=contact).case
    today = timezone.localdate()
    TaskFactory(case=case, title="Overdue thing", due_on=today - datetime.timedelta(days=3))
    TaskFactory(case=case, title="Done thing", status="done", due_on=today - datetime.timedelta(days=3))
    TaskFactory(case=case, title="Soon thing", due_on=today + datetime.timedelta(days=2))
    url = reverse("contacts:tasks", args=[contact.pk])

    def titles(params):
        return [task.title for task in client.get(url, params).context["tasks"]]

    assert titles({"q": "soon"}) == ["Soon thing"]
    assert titles({"status": "done"}) == ["Done thing"]
    assert titles({"due": "overdue"}) == ["Overdue thing"]
    assert titles({"due": "week"}) == ["Soon thing"]


def test_tasks_tab_queries_do_not_grow_with_tasks(client, staff, django_assert_max_num_queries):
    contact = ContactFactory()
    for _ in range(3):
        case = CaseContactFactory(contact=contact).case
        for _ in range(5):
            TaskFactory(case=case, contact=contact)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("contacts:tasks", args=[contact.pk]))
    assert len(response.context["tasks"]) == 15


def test_task_columns_are_remembered(client, staff):
    contact = ContactFactory()
    TaskFactory(case=CaseContactFactory(contact=contact).case)
    client.post(reverse("contacts:columns"), {"list": "contact_tasks", "columns": ["status"]})
    html = client.get(reverse("contacts:tasks", args=[contact.pk])).content.decode()
    assert '<th scope="col">Status</th>' in html and '<th scope="col">Due</th>' not in html


def test_fill_task_saves_the_form_and_logs_it(client, staff):
    contact = ContactFactory()
    case = CaseContactFactory(contact=contact).case
    fields = [
        {"name": "incident_date", "label": "Date of the incident", "type": "date", "required": True},
        {"name": "treated", "label": "Did you see a doctor?", "type": "yesno", "required": True},
    ]
    task = TaskFactory(case=case, contact=contact, kind="form", form_fields=fields)
    url = reverse("contacts:task_fill", args=[contact.pk, task.pk])
    missing = client.post(url, {"incident_date": "", "treated": "yes"})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    response = client.post(url, {"incident_date": "2026-03-01", "treated": "yes"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "submitted"
    assert task.response == {"incident_date": "2026-03-01", "treated": "yes"}
    assert ActivityEvent.objects.filter(contact_id=contact.pk, event_type="task", case_id=case.pk).exists()


def test_a_plain_task_is_marked_done(client, staff):
    contact = ContactFactory()
    task = TaskFactory(case=CaseContactFactory(contact=contact).case, kind="task")
    client.post(reverse("contacts:task_fill", args=[contact.pk, task.pk]), {"done": "on"})
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None


def test_a_task_of_another_contacts_case_is_404(client, staff):
    contact = ContactFactory()
    stranger_task = TaskFactory()
    assert client.get(reverse("contacts:task_fill", args=[contact.pk, stranger_task.pk])).status_code == 404
    assert Task.objects.filter(pk=stranger_task.pk, status="open").exists()


def test_archive_hides_the_contact_and_logs_it(client, staff):
    contact = ContactFactory()
    response = client.post(reverse("contacts:archive", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.archived_at is not None
    assert ActivityEvent.objects.filter(contact_id=contact.pk, event_type="archive").exists()
    assert contact.pk not in {c.pk for c in client.get(reverse("contacts:list")).context["page"].object_list}


def test_header_local_time_is_the_contacts_own_clock(client, staff):
    contact = ContactFactory(timezone="Pacific/Honolulu")
    with freeze_time("2026-11-25 20:00:00"):  # 10:00 in Honolulu, 15:00 for a New York viewer
        page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "10:00 AM" in page
    assert "Pacific/Honolulu" in page
