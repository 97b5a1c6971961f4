import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEvent
from activity.services import record_contact_change, record_event
from contacts.models import Contact
from contacts.tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(first_name="Pat", last_name="Lee")
    client.force_login(user)
    return user


def _report(client, contact, **params):
    today = timezone.localdate().isoformat()
    query = {"date_from": today, "date_to": today, "format": "csv", **params}
    return client.get(reverse("activity:compliance_report", args=[contact.pk]), query)


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_report_lists_the_contacts_events_oldest_first(client, staff):
    contact, stranger = ContactFactory(), ContactFactory()
    record_event(event_type="create", description="Created", contact_id=contact.pk, user=staff)
    record_contact_change(contact=contact, before={"do_not_call": False}, after={"do_not_call": True}, actor=staff)
    record_event(event_type="note", description="Someone else", contact_id=stranger.pk)
    response = _report(client, contact)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"compliance-report-contact-{contact.pk}-" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Event ID", "Timestamp", "Event Type", "Compliance", "Description", "User/System", "Contact ID"]
    assert [row[2] for row in rows[1:]] == ["Create", "Update", "Compliance: Update", "Compliance: Data Access"]
    assert all(row[6] == str(contact.pk) for row in rows[1:])
    assert rows[3][5] == "Pat Lee"


def test_compliance_only_and_the_date_range_narrow_the_report(client, staff):
    contact = ContactFactory()
    record_event(event_type="note", description="A note", contact_id=contact.pk)
    rows = _csv(_report(client, contact, compliance="on"))
    assert [row[2] for row in rows[1:]] == ["Compliance: Data Access"]
    rows = _csv(_report(client, contact, date_from="2020-01-01", date_to="2020-12-31"))
    assert rows[1:] == []


def test_downloading_the_report_is_an_audited_data_access(client, staff):
    contact = ContactFactory()
    _csv(_report(client, contact))
    event = ActivityEvent.objects.get(contact_id=contact.pk, event_type="data_access")
    assert event.label == "Compliance: Data Access"
    assert "compliance report" in event.description and "(CSV)" in event.description


def test_the_report_includes_merged_records_history(client, staff):
    survivor, merged = ContactFactory(), ContactFactory()
    record_event(event_type="note", description="Before the merge", contact_id=merged.pk)
    Contact.objects.filter(pk=merged.pk).update(merged_into=survivor)
    rows = _csv(_report(client, survivor))
    assert ["Before the merge", str(merged.pk)] in [[row[4], row[6]] for row in rows]


def test_the_pdf_report_is_a_pdf(client, staff):
    contact = ContactFactory(first_name="Ana", last_name="Ruiz")
    record_contact_change(contact=contact, before={"do_not_text": False}, after={"do_not_text": True}, actor=staff)
    response = _report(client, contact, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000


def test_a_backwards_date_range_is_refused_in_plain_words(client, staff):
    contact = ContactFactory()
    response = _report(client, contact, date_from="2026-02-01", date_to="2026-01-01")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "start date is after its end date" in follow.content.decode()
