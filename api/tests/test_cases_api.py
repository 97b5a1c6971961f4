"""Cases, tasks, putting a contact on a case, and Share Link through the API."""

import pytest
from django.core import mail
from freezegun import freeze_time

from cases.tests.factories import CaseFactory, TaskFactory
from contacts.tests.factories import ContactFactory
from portal import services, sms
from portal.models import PortalLink
from portal.tests.factories import contact_on_case

DAYTIME = "2026-03-10 15:00:00"  # 10:00 in Chicago: inside the calling window


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_cases_list_detail_and_tasks(api_client):
    contact, case = contact_on_case(first_name="Maria", last_name="Diaz")
    TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire")
    CaseFactory()
    listed = api_client.get(f"/api/v1/cases/?contact={contact.pk}").json()
    assert [row["id"] for row in listed["results"]] == [case.pk]
    detail = api_client.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["contacts"] == [{"contact": contact.pk, "display_name": "Maria Diaz", "role": "client"}]
    tasks = api_client.get(f"/api/v1/cases/{case.pk}/tasks/?kind=form").json()
    assert [task["title"] for task in tasks] == ["Intake questionnaire"]
    assert [task["title"] for task in api_client.get(f"/api/v1/contacts/{contact.pk}/tasks/").json()] == [
        "Intake questionnaire"
    ]


def test_put_a_contact_on_a_case_once(api_client):
    contact, case = ContactFactory(), CaseFactory()
    first = api_client.post(
        f"/api/v1/contacts/{contact.pk}/cases/", {"case": case.pk, "role": "witness"}, format="json"
    )
    assert first.status_code == 201
    assert first.json()["contacts"][0]["role"] == "witness"
    second = api_client.post(f"/api/v1/contacts/{contact.pk}/cases/", {"case": case.pk}, format="json")
    assert second.status_code == 409


@freeze_time(DAYTIME)
def test_share_link_by_sms_to_the_primary_mobile(api_client, django_capture_on_commit_callbacks):
    contact, case = contact_on_case(first_name="Maria", timezone="America/Chicago")
    phone = contact.phones.get()
    with django_capture_on_commit_callbacks():
        response = api_client.post(
            f"/api/v1/cases/{case.pk}/contacts/{contact.pk}/share-link/", {"channel": "sms"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert response.json()["sent_to"] == phone.number
    link = PortalLink.objects.get()
    services.deliver_link(link_id=link.pk)  # what the worker does
    assert len(sms.outbox) == 1 and sms.outbox[0].to == phone.number


@freeze_time(DAYTIME)
def test_share_link_by_email_to_a_given_address(api_client, django_capture_on_commit_callbacks):
    contact, case = contact_on_case(first_name="Maria", timezone="America/Chicago")
    address = contact.emails.get().email
    with django_capture_on_commit_callbacks():
        response = api_client.post(
            f"/api/v1/cases/{case.pk}/contacts/{contact.pk}/share-link/",
            {"channel": "email", "to": address.upper(), "message": "Hello {first_name}: {link}"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    services.deliver_link(link_id=PortalLink.objects.get().pk)
    assert mail.outbox[-1].to == [address]


def test_share_link_honours_do_not_text(api_client):
    contact, case = contact_on_case(first_name="Maria", do_not_text=True)
    response = api_client.post(
        f"/api/v1/cases/{case.pk}/contacts/{contact.pk}/share-link/", {"channel": "sms"}, format="json"
    )
    assert response.status_code == 400
    assert not PortalLink.objects.exists()


def test_share_link_to_an_address_not_on_file_is_a_400_on_to(api_client):
    contact, case = contact_on_case()
    response = api_client.post(
        f"/api/v1/cases/{case.pk}/contacts/{contact.pk}/share-link/",
        {"channel": "email", "to": "someone@else.example"},
        format="json",
    )
    assert response.status_code == 400
    assert "to" in response.json()["error"]["fields"]


def test_share_link_for_a_contact_not_on_the_case_is_a_404(api_client):
    _contact, case = contact_on_case()
    stranger = ContactFactory()
    response = api_client.post(
        f"/api/v1/cases/{case.pk}/contacts/{stranger.pk}/share-link/", {"channel": "sms"}, format="json"
    )
    assert response.status_code == 404


def test_fill_a_form_with_the_webs_checks(api_client):
    from portal.tests.factories import FORM_FIELDS

    contact, case = contact_on_case()
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake", form_fields=FORM_FIELDS)
    url = f"/api/v1/contacts/{contact.pk}/tasks/{task.pk}/fill/"
    required = [field["name"] for field in FORM_FIELDS if field.get("required")]
    if required:
        missing = api_client.post(url, {"response": {}}, format="json")
        assert missing.status_code == 400
        assert f"response.{required[0]}" in missing.json()["error"]["fields"]
    answers = {field["name"]: _answer(field) for field in FORM_FIELDS}
    filled = api_client.post(url, {"response": answers}, format="json")
    assert filled.status_code == 200, filled.json()
    assert filled.json()["status"] == "submitted"


def test_mark_a_plain_task_done_and_another_contacts_task_is_a_404(api_client):
    contact, case = contact_on_case()
    task = TaskFactory(case=case, contact=contact, title="Call the clinic")
    done = api_client.post(
        f"/api/v1/contacts/{contact.pk}/tasks/{task.pk}/fill/", {"response": {"done": True}}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    stranger = ContactFactory()
    other = api_client.post(
        f"/api/v1/contacts/{stranger.pk}/tasks/{task.pk}/fill/", {"response": {"done": True}}, format="json"
    )
    assert other.status_code == 404


def _answer(field):
    kind = field.get("type", "text")
    if kind == "date":
        return "2026-01-02"
    if kind == "yesno":
        return "yes"
    if kind == "choice":
        return field["choices"][0]
    return "Jane Roe"
