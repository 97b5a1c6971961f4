"""Which changes become webhook deliveries: each event once, after its transaction commits,
only to the endpoints listening for it."""

import contextlib
from unittest import mock

import pytest
from django.test import RequestFactory

from api.models import WebhookDelivery, WebhookEndpoint
from cases.tests.factories import TaskFactory
from contacts.tests.factories import ContactFactory
from portal import services as portal_services
from portal.models import PortalSession
from portal.tests.factories import FORM_FIELDS, contact_on_case, issued_link


@pytest.fixture
def listening(db):
    return WebhookEndpoint.objects.create(
        url="https://example.com/hook",
        events=["contact.created", "contact.updated", "contact.merged", "portal.form_submitted"],
        secret="whsec_t",
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose commit callbacks (the webhook queueing) run at its end; Celery sends none."""

    @contextlib.contextmanager
    def block():
        with mock.patch("api.tasks.deliver_webhook.delay"), django_capture_on_commit_callbacks(execute=True):
            yield

    return block


def events():
    return list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))


def test_create_then_update_through_the_api(api_client, listening, committed):
    with committed():
        created = api_client.post("/api/v1/contacts/", {"first_name": "Ann"}, format="json").json()
    with committed():
        api_client.patch(f"/api/v1/contacts/{created['id']}/", {"city": "Austin"}, format="json")
    assert events() == ["contact.created", "contact.updated"]
    assert WebhookDelivery.objects.order_by("id").last().payload["data"]["contact"]["city"] == "Austin"


def test_merge_is_one_contact_merged(api_client, listening, committed):
    survivor, merged = ContactFactory(), ContactFactory()
    with committed():
        api_client.post(f"/api/v1/contacts/{survivor.pk}/merge/", {"merged": merged.pk}, format="json")
    assert events() == ["contact.merged"]
    payload = WebhookDelivery.objects.get().payload
    assert payload["data"]["contact"]["id"] == survivor.pk
    assert payload["data"]["merged_contact_id"] == merged.pk


def test_a_portal_form_submitted_is_portal_form_submitted(listening, committed):
    contact, case = contact_on_case()
    task = TaskFactory(case=case, contact=contact, kind="form", form_fields=FORM_FIELDS)
    link, _token = issued_link(contact, task=task)
    request = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0")
    key = portal_services.start_session(link=link, request=request)
    session = PortalSession.objects.get(key_hash=portal_services.hash_token(key))
    with committed():
        portal_services.save_task_response(session=session, task=task, response={"a": "1"}, submit=False)
    assert events() == []  # a draft is not a submission
    with committed():
        portal_services.save_task_response(session=session, task=task, response={"a": "1"}, submit=True)
    assert events() == ["portal.form_submitted"]
    assert WebhookDelivery.objects.get().payload["data"]["task_id"] == task.pk


def test_a_rolled_back_change_is_never_announced(listening, django_capture_on_commit_callbacks):
    from django.db import transaction

    from contacts.services import contact_create

    with django_capture_on_commit_callbacks(execute=True), mock.patch("api.tasks.deliver_webhook.delay"):
        try:
            with transaction.atomic():
                contact_create(data={"first_name": "Gone"}, phones=[], emails=[], user=None)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert events() == []
