"""Staff share a portal link by SMS or email from a case, and manage the links sent."""

import datetime
import re

import pytest
from django.core import mail
from freezegun import freeze_time

from activity.models import ActivityEvent
from cases.tests.factories import TaskFactory
from contacts.tests.factories import ContactPhoneFactory, UserFactory
from portal import services, sms
from portal.models import DeliveryStatus, PortalLink, PortalSession
from portal.tests.factories import FORM_FIELDS, contact_on_case, issued_link

pytestmark = pytest.mark.django_db

DAYTIME = "2026-11-25 16:00:00"  # 10:00 in Chicago, inside the calling window
NIGHT = "2026-11-25 09:30:00"  # 03:30 in Chicago


@pytest.fixture
def staff(client):
    user = UserFactory(username="paula")
    client.force_login(user)
    return user


def share_url(case, contact, task=None):
    return f"/cases/{case.pk}/share/{contact.pk}/" + (f"?task={task.pk}" if task else "")


def deliver_captured(callbacks):
    """Run the delivery the commit would have queued, in this process."""
    for link in PortalLink.objects.filter(delivery_status__in=["queued", "scheduled"]):
        services.deliver_link(link_id=link.pk)


def token_in(text):
    return re.search(r"/p/([A-Za-z0-9_-]+)/", text).group(1)


@freeze_time(DAYTIME)
def test_share_link_by_sms_texts_a_link_that_opens_the_task(client, staff, django_capture_on_commit_callbacks):
    contact, case = contact_on_case(first_name="Maria")
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", form_fields=FORM_FIELDS)
    phone = contact.phones.get()

    page = client.get(share_url(case, contact, task))
    assert page.status_code == 200
    assert f'value="sms:{phone.pk}"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            share_url(case, contact, task),
            {
                "destination": f"sms:{phone.pk}",
                "message": "Hi {first_name}, {firm} needs a form from you: {link}",
                "second_factor": "",
                "expires_in_days": 7,
                "task": task.pk,
            },
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert "sending…" in client.get(f"/cases/{case.pk}/links/").content.decode()  # the list refreshes itself
    deliver_captured(callbacks)
    assert "hx-trigger" not in client.get(f"/cases/{case.pk}/links/").content.decode()

    link = PortalLink.objects.get()
    assert (link.channel, link.sent_to, link.task, link.delivery_status) == ("sms", phone.number, task, "sent")
    assert len(sms.outbox) == 1 and sms.outbox[0].to == phone.number
    assert sms.outbox[0].body.startswith("Hi Maria, Kayse Law Group needs a form from you: http")
    token = token_in(sms.outbox[0].body)
    assert len(token) >= 22  # at least 128 bits
    assert link.token_hash == services.hash_token(token) and token not in link.message_template
    assert ActivityEvent.objects.filter(event_type="portal_link", contact_id=contact.pk).count() == 2


@freeze_time(DAYTIME)
def test_share_link_by_email_sends_an_email_with_the_link(client, staff, django_capture_on_commit_callbacks):
    contact, case = contact_on_case(first_name="Lee")
    email = contact.emails.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            share_url(case, contact),
            {"destination": f"email:{email.pk}", "message": "Hello {first_name}: {link}", "expires_in_days": 3},
        )
    assert response.status_code == 302
    deliver_captured(callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email.email]
    assert services.find_link(token_in(mail.outbox[0].body)).contact == contact
    link = PortalLink.objects.get()
    assert link.purpose == "case" and link.case == case
    assert datetime.timedelta(days=2, hours=23) < link.expires_at - link.created_at <= datetime.timedelta(days=3)


@freeze_time(DAYTIME)
def test_do_not_text_blocks_sharing_by_sms(client, staff):
    contact, case = contact_on_case(do_not_text=True)
    phone = contact.phones.get()
    page = client.get(share_url(case, contact)).content.decode()
    assert "asked not to be texted" in page
    response = client.post(
        share_url(case, contact), {"destination": f"sms:{phone.pk}", "message": "{link}", "expires_in_days": 7}
    )
    assert response.status_code == 400
    assert "asked not to be texted" in response.content.decode()
    assert not PortalLink.objects.exists()


@freeze_time(DAYTIME)
def test_do_not_email_blocks_sharing_by_email(client, staff):
    contact, case = contact_on_case(do_not_email=True)
    response = client.post(
        share_url(case, contact),
        {"destination": f"email:{contact.emails.get().pk}", "message": "{link}", "expires_in_days": 7},
    )
    assert response.status_code == 400
    assert not PortalLink.objects.exists()


@freeze_time(DAYTIME)
def test_a_landline_cannot_get_a_text(client, staff):
    contact, case = contact_on_case()
    landline = ContactPhoneFactory(
        contact=contact, number="+13125559876", kind="home", line_type="landline", is_primary=False
    )
    page = client.get(share_url(case, contact)).content.decode()
    assert "+13125559876 is a landline" in page
    response = client.post(
        share_url(case, contact), {"destination": f"sms:{landline.pk}", "message": "{link}", "expires_in_days": 7}
    )
    assert response.status_code == 400
    assert not PortalLink.objects.exists()


def test_outside_the_calling_window_the_text_waits_for_8_their_time(client, staff, django_capture_on_commit_callbacks):
    contact, case = contact_on_case()
    phone = contact.phones.get()
    with freeze_time(NIGHT):
        page = client.get(share_url(case, contact)).content.decode()
        assert "The text will go at 08:00 their time" in page
        assert "Send at 08:00 their time</button>" in page
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(
                share_url(case, contact), {"destination": f"sms:{phone.pk}", "message": "{link}", "expires_in_days": 7}
            )
        assert response.status_code == 302
        link = PortalLink.objects.get()
        assert link.delivery_status == DeliveryStatus.SCHEDULED
        assert link.send_after == datetime.datetime.fromisoformat("2026-11-25T08:00:00-06:00")
        # Run early (a retry, say), the delivery holds again rather than texting at night.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert services.deliver_link(link_id=link.pk) == "held until the calling window opens"
        assert len(callbacks) == 1 and sms.outbox == []
    with freeze_time("2026-11-25 14:00:00"):
        assert services.deliver_link(link_id=link.pk) == "sent"
    assert len(sms.outbox) == 1


@freeze_time(DAYTIME)
def test_a_held_text_is_not_sent_if_the_contact_opts_out_meanwhile():
    contact, case = contact_on_case()
    link, _token = issued_link(contact, case=case, sent_to=contact.phones.get().number)
    PortalLink.objects.filter(pk=link.pk).update(delivery_status="scheduled")
    contact.do_not_text = True
    contact.save()
    assert services.deliver_link(link_id=link.pk).startswith("not sent")
    link.refresh_from_db()
    assert link.delivery_status == "failed" and "asked not to be texted" in link.delivery_error
    assert sms.outbox == []


@freeze_time(DAYTIME)
def test_a_failed_delivery_is_shown_on_the_case(client, staff, settings):
    settings.SMS_BACKEND = "portal.tests.test_share_link.BrokenBackend"
    contact, case = contact_on_case()
    link, _token = issued_link(contact, case=case, sent_to=contact.phones.get().number)
    PortalLink.objects.filter(pk=link.pk).update(delivery_status="queued")
    with pytest.raises(services.DeliveryError):
        services.deliver_link(link_id=link.pk)
    link.refresh_from_db()
    assert link.delivery_status == "failed"
    page = client.get(f"/cases/{case.pk}/links/").content.decode()
    assert "not delivered: provider down" in page


class BrokenBackend(sms.BaseBackend):
    def send(self, message):
        raise ConnectionError("provider down")


def test_revoking_a_link_stops_it_and_ends_its_sessions(client, staff):
    contact, case = contact_on_case()
    link, token = issued_link(contact, case=case)
    session = PortalSession.objects.create(
        key_hash="x" * 64, link=link, contact=contact, channel="web", last_seen_at=link.created_at
    )
    response = client.post(f"/cases/{case.pk}/links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    session.refresh_from_db()
    assert link.state == "revoked" and session.ended_at is not None
    assert services.find_link(token) is None
    assert ActivityEvent.objects.filter(event_type="portal_link", description__contains="revoked").exists()


@freeze_time(DAYTIME)
def test_resend_sends_a_new_token_and_the_old_one_stops(client, staff, django_capture_on_commit_callbacks):
    contact, case = contact_on_case()
    link, old_token = issued_link(contact, case=case, sent_to=contact.phones.get().number, message_template="{link}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/cases/{case.pk}/links/{link.pk}/resend/")
    assert response.status_code == 302 and len(callbacks) == 1
    services.deliver_link(link_id=link.pk)
    assert services.find_link(old_token) is None
    assert services.find_link(token_in(sms.outbox[-1].body)).pk == link.pk


def test_links_of_another_case_cannot_be_revoked_from_this_one(client, staff):
    contact, case = contact_on_case()
    _other_contact, other_case = contact_on_case()
    link, _token = issued_link(contact, case=case)
    assert client.post(f"/cases/{other_case.pk}/links/{link.pk}/revoke/").status_code == 404


def test_a_contact_not_on_the_case_cannot_be_shared_with(client, staff):
    _contact, case = contact_on_case()
    stranger, _ = contact_on_case()
    assert client.get(share_url(case, stranger)).status_code == 404


def test_the_portal_links_tab_lists_links_with_their_state(client, staff, django_assert_max_num_queries):
    contact, case = contact_on_case(first_name="Ana")
    form = TaskFactory(case=case, contact=contact, kind="form", title="Questionnaire", status="submitted")
    for _ in range(5):
        issued_link(contact, case=case)
    revoked, _ = issued_link(contact, case=case)
    services.revoke_link(link=revoked, user=staff)
    opened, _ = issued_link(contact, case=case)
    PortalLink.objects.filter(pk=opened.pk).update(first_used_at=opened.created_at)
    issued_link(contact, task=form)
    with django_assert_max_num_queries(10):
        page = client.get(f"/cases/{case.pk}/links/").content.decode()
    assert page.count("link-state-sent") == 5 and page.count("link-state-revoked") == 1
    assert page.count("link-state-opened") == 1 and page.count("link-state-completed") == 1
    assert page.count(">Resend</button>") == 7 and page.count(">Revoke</button>") == 7  # not the revoked one
    assert 'aria-current="page">Portal links</a>' in page


def test_staff_reply_appears_in_the_thread(client, staff):
    contact, case = contact_on_case()
    response = client.post(f"/cases/{case.pk}/messages/{contact.pk}/reply/", {"body": "We got your photos."})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/messages/"
    assert "We got your photos." in client.get(response["Location"]).content.decode()


def test_dev_outbox_exists_only_in_debug(client, staff, settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path / "email")
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.SMS_BACKEND = "portal.sms.FileBackend"
    sms.send_sms(to="+13125550101", body="Hi, open http://localhost:8000/p/abc123/")
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
    settings.DEBUG = True
    page = client.get("/dev/outbox/").content.decode()
    assert "SMS to +13125550101" in page and 'href="http://localhost:8000/p/abc123/"' in page


@freeze_time(DAYTIME)
def test_delivery_is_retried_then_shown_as_failed(settings):
    """The real task, run eagerly: each failure is retried, the last one marks the link."""
    from portal.tasks import deliver_portal_link

    settings.SMS_BACKEND = "portal.tests.test_share_link.BrokenBackend"
    contact, case = contact_on_case()
    link, _token = issued_link(contact, case=case, sent_to=contact.phones.get().number)
    PortalLink.objects.filter(pk=link.pk).update(delivery_status="queued")
    result = deliver_portal_link.apply(args=[link.pk])
    assert result.get() == "failed: provider down"
    link.refresh_from_db()
    assert link.delivery_status == "failed" and link.delivery_error == "provider down"
    assert ActivityEvent.objects.filter(description__contains="could not be sent").count() == 1


def test_staff_hear_of_a_new_portal_message(staff, django_capture_on_commit_callbacks):
    contact, case = contact_on_case(first_name="Rosa")
    link, _token = issued_link(contact, case=case, created_by=staff)
    session = PortalSession.objects.create(
        key_hash="k" * 64, link=link, contact=contact, channel="mobile", last_seen_at=link.created_at
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.post_message(session=session, body="Can we move my appointment?", case=case)
    assert len(callbacks) == 1
    assert services.notify_staff_of_message(message_id=message.pk) == [staff.email]
    assert mail.outbox[-1].subject == f"New portal message from {contact.display_name}"
    assert f"/cases/{case.pk}/messages/\n" in mail.outbox[-1].body


def test_the_profile_shows_the_portal_thread_and_replies_come_back_to_it(client, staff):
    contact, case = contact_on_case()
    from cases.models import Message

    Message.objects.create(contact=contact, case=case, direction="inbound", body="Hello firm", sent_at=case.created_at)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "Hello firm" in page and f"/cases/{case.pk}/messages/{contact.pk}/reply/" in page
    response = client.post(
        f"/cases/{case.pk}/messages/{contact.pk}/reply/", {"body": "Hello Rosa", "next": contact.get_absolute_url()}
    )
    assert response["Location"] == contact.get_absolute_url()
    evil = client.post(
        f"/cases/{case.pk}/messages/{contact.pk}/reply/", {"body": "Hi", "next": "https://evil.example/"}
    )
    assert evil["Location"].startswith(f"/cases/{case.pk}/")


@freeze_time(DAYTIME)
def test_a_link_being_sent_is_not_sent_twice_at_once():
    from django.core.cache import cache

    contact, case = contact_on_case()
    link, _token = issued_link(contact, case=case, sent_to=contact.phones.get().number)
    PortalLink.objects.filter(pk=link.pk).update(delivery_status="queued")
    cache.add(f"portal-deliver:{link.pk}", 1)  # another worker holds it
    assert services.deliver_link(link_id=link.pk) == "already being sent"
    assert sms.outbox == []
    cache.delete(f"portal-deliver:{link.pk}")
    assert services.deliver_link(link_id=link.pk) == "sent"
    assert services.deliver_link(link_id=link.pk) == "already sent"
    assert len(sms.outbox) == 1


@freeze_time(DAYTIME)
def test_opening_the_dialog_records_no_dnc_check_and_sending_records_one(client, staff):
    from activity.models import EventType
    from contacts.dnc import add_to_internal_list

    contact, case = contact_on_case(first_name="Maria")
    phone = contact.phones.get()
    listed = ContactPhoneFactory(contact=contact, number="+13125550177", is_primary=False)
    add_to_internal_list(number=listed.number, reason="asked not to be called")
    checks = ActivityEvent.objects.filter(event_type=EventType.DNC_CHECK, contact_id=contact.pk)

    for _ in range(3):
        page = client.get(share_url(case, contact)).content.decode()
    assert checks.count() == 0  # only a look: the dialog still shows which number may be texted
    assert "Blocked: (312) 555-0177 is on the internal list." in page
    assert re.search(rf'value="sms:{listed.pk}"[^>]*disabled', page)
    contact.refresh_from_db()
    assert not contact.do_not_call  # a look changes nothing either

    response = client.post(
        share_url(case, contact),
        {"destination": f"sms:{phone.pk}", "message": "{link}", "second_factor": "", "expires_in_days": 7},
    )
    assert response.status_code == 302
    assert list(checks.values_list("data__number", flat=True)) == [phone.number]
