"""The contact's portal: entering from a link, the pages, and that every page is scoped."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activity.models import ActivityEvent
from cases.models import Appointment, Message
from cases.tests.factories import TaskFactory
from contacts.models import Contact, LoginEvent
from documents.models import Document
from portal import services
from portal.models import PortalSession
from portal.tests.factories import FORM_FIELDS, contact_on_case, issued_link

pytestmark = pytest.mark.django_db

PHONE_UA = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36"
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def enter(client, token, **headers):
    return client.post(f"/p/{token}/", headers={"User-Agent": PHONE_UA, **headers})


@pytest.fixture
def signed_in(client):
    """A contact on a case with a form task, signed in to the portal from a case link."""
    contact, case = contact_on_case(first_name="Rosa")
    task = TaskFactory(case=case, contact=contact, kind="form", title="Intake questionnaire", form_fields=FORM_FIELDS)
    link, token = issued_link(contact, case=case)
    assert enter(client, token).status_code == 302
    return contact, case, task, link


def test_opening_a_link_only_shows_continue_and_uses_nothing(client):
    contact, case = contact_on_case(first_name="Rosa")
    link, token = issued_link(contact, case=case)
    response = client.get(f"/p/{token}/")
    assert response.status_code == 200
    assert "Continue" in response.content.decode() and "Hello Rosa" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert settings.PORTAL_SESSION_COOKIE not in response.cookies
    link.refresh_from_db()
    assert link.first_used_at is None and not PortalSession.objects.exists()


def test_continue_starts_a_session_and_drops_the_token_from_the_address(client):
    contact, case = contact_on_case()
    link, token = issued_link(contact, case=case)
    response = enter(client, token)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    cookie = response.cookies[settings.PORTAL_SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/portal/"
    assert token not in cookie.value
    session = PortalSession.objects.get()
    assert session.key_hash == services.hash_token(cookie.value)
    link.refresh_from_db()
    assert link.first_used_at is not None and link.state == "opened"
    assert ActivityEvent.objects.filter(
        event_type="portal_visit", actor_label=f"Portal: {contact.display_name}"
    ).exists()
    page = client.get("/portal/")
    assert page.status_code == 200 and case.title in page.content.decode()


def test_a_task_link_lands_on_its_form(client):
    contact, case = contact_on_case()
    task = TaskFactory(case=case, contact=contact, kind="form", form_fields=FORM_FIELDS)
    _link, token = issued_link(contact, task=task)
    assert enter(client, token)["Location"] == f"/portal/tasks/{task.pk}/"


@pytest.mark.parametrize(
    ("headers", "channel", "login_source"),
    [
        ({"Sec-CH-UA-Mobile": "?1", "User-Agent": DESKTOP_UA}, "mobile", "mobile"),
        ({"Sec-CH-UA-Mobile": "?0", "User-Agent": PHONE_UA}, "web", "web"),
        ({"User-Agent": PHONE_UA}, "mobile", "mobile"),
        ({"User-Agent": DESKTOP_UA}, "web", "web"),
    ],
)
def test_each_visit_records_a_login_event_and_the_login_source(client, headers, channel, login_source):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    client.post(f"/p/{token}/", headers=headers)
    assert LoginEvent.objects.get(contact=contact).channel == channel
    assert Contact.objects.get(pk=contact.pk).login_source == login_source


def test_the_installed_app_counts_as_mobile(client):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    client.post(f"/p/{token}/", {"display_mode": "standalone"}, headers={"User-Agent": DESKTOP_UA})
    client.get("/portal/?source=pwa", headers={"User-Agent": DESKTOP_UA})
    assert list(LoginEvent.objects.values_list("channel", flat=True)) == ["mobile", "mobile"]
    assert Contact.objects.get(pk=contact.pk).login_source == "mobile"


def test_unknown_expired_and_revoked_links_get_the_same_friendly_page(client):
    contact, case = contact_on_case()
    _expired, expired_token = issued_link(contact, case=case, expires_in=datetime.timedelta(seconds=-1))
    revoked, revoked_token = issued_link(contact, case=case)
    services.revoke_link(link=revoked, user=None)
    _live, live_token = issued_link(contact, case=case)
    tampered = live_token[:-2] + ("AA" if not live_token.endswith("AA") else "BB")
    pages = [client.get(f"/p/{token}/") for token in ("nope", expired_token, revoked_token, tampered)]
    assert {page.status_code for page in pages} == {404}
    bodies = {
        page.content.decode().replace(page.cookies.get("csrftoken").value if page.cookies.get("csrftoken") else "", "")
        for page in pages
    }
    assert len(bodies) == 1
    body = bodies.pop()
    assert settings.FIRM_PHONE in body and contact.first_name not in body and case.title not in body
    assert client.post(f"/p/{expired_token}/").status_code == 404
    assert not PortalSession.objects.exists()


def test_links_of_merged_or_archived_contacts_stop_working(client):
    contact, case = contact_on_case()
    survivor, _ = contact_on_case()
    _link, token = issued_link(contact, case=case)
    Contact.objects.filter(pk=contact.pk).update(merged_into=survivor)
    assert client.get(f"/p/{token}/").status_code == 404


def test_second_factor_last_four_digits(client):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case, second_factor="phone_last4")
    page = client.get(f"/p/{token}/").content.decode()
    assert "last four digits" in page and contact.first_name not in page
    wrong = client.post(
        f"/p/{token}/", {"answer": "0000" if not contact.phones.get().number.endswith("0000") else "1111"}
    )
    assert wrong.status_code == 200 and "does not match" in wrong.content.decode()
    assert not PortalSession.objects.exists()
    right = client.post(f"/p/{token}/", {"answer": contact.phones.get().number[-4:]})
    assert right.status_code == 302 and PortalSession.objects.count() == 1


def test_second_factor_date_of_birth(client):
    contact, case = contact_on_case(date_of_birth=datetime.date(1980, 2, 29))
    _link, token = issued_link(contact, case=case, second_factor="dob")
    assert client.post(f"/p/{token}/", {"answer": "1980-03-01"}).status_code == 200
    assert client.post(f"/p/{token}/", {"answer": "1980-02-29"}).status_code == 302


def test_too_many_second_factor_attempts_lock_the_link(client):
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case, second_factor="phone_last4")
    right = contact.phones.get().number[-4:]
    wrong = "0000" if right != "0000" else "1111"
    for _ in range(4):
        assert client.post(f"/p/{token}/", {"answer": wrong}).status_code == 200
    locked = client.post(f"/p/{token}/", {"answer": wrong})
    assert locked.status_code == 429 and "Too many tries" in locked.content.decode()
    assert client.post(f"/p/{token}/", {"answer": right}).status_code == 429
    assert not PortalSession.objects.exists()


def test_the_entry_page_is_rate_limited_per_address(client):
    for _ in range(30):
        client.get("/p/guess/")
    assert client.get("/p/guess/").status_code == 429


def test_pages_need_a_portal_session(client):
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/ended/"


def test_an_idle_session_ends(client, signed_in):
    PortalSession.objects.update(
        last_seen_at=timezone.now() - settings.PORTAL_SESSION_IDLE - datetime.timedelta(seconds=1)
    )
    assert client.get("/portal/")["Location"] == "/portal/ended/"
    assert PortalSession.objects.get().ended_at is not None


def test_revoking_the_link_ends_the_session(client, signed_in):
    _contact, _case, _task, link = signed_in
    services.revoke_link(link=link, user=None)
    assert client.get("/portal/")["Location"] == "/portal/ended/"


def test_signing_out_ends_the_session(client, signed_in):
    client.post("/portal/signout/")
    assert client.get("/portal/tasks/")["Location"] == "/portal/ended/"


def test_home_shows_the_stage_in_plain_words_and_the_timeline(client, signed_in):
    _contact, case, _task, _link = signed_in
    case.stage = "treatment"
    case.save()
    page = client.get("/portal/").content.decode()
    assert "You are getting medical care" in page
    assert page.count('class="done"') == 2 and 'aria-current="step"' in page
    assert "You have 1 thing to do." in page


def test_another_contacts_objects_are_not_found(client, signed_in):
    other, other_case = contact_on_case()
    other_task = TaskFactory(case=other_case, contact=other, kind="form", form_fields=FORM_FIELDS)
    other_appointment = Appointment.objects.create(
        case=other_case, contact=other, title="Exam", starts_at=timezone.now(), ends_at=timezone.now()
    )
    Message.objects.create(
        contact=other, case=other_case, direction="outbound", body="Secret note", sent_at=timezone.now()
    )
    assert client.get(f"/portal/tasks/{other_task.pk}/").status_code == 404
    assert client.post(f"/portal/tasks/{other_task.pk}/", {"action": "submit"}).status_code == 404
    assert client.get(f"/portal/appointments/{other_appointment.pk}.ics").status_code == 404
    assert "Secret note" not in client.get("/portal/messages/").content.decode()
    assert other_case.title not in client.get("/portal/").content.decode() or other_case.title == "Auto accident"


def test_a_case_link_is_scoped_to_its_case(client, signed_in):
    contact, _case, _task, _link = signed_in
    from cases.tests.factories import CaseContactFactory, CaseFactory

    second = CaseFactory(title="Workplace claim")
    CaseContactFactory(case=second, contact=contact)
    second_task = TaskFactory(case=second, contact=contact, title="Other form")
    assert "Workplace claim" not in client.get("/portal/").content.decode()
    assert client.get(f"/portal/tasks/{second_task.pk}/").status_code == 404


def test_submitting_a_form_checks_required_fields_then_marks_it_submitted(client, signed_in):
    contact, _case, task, _link = signed_in
    missing = client.post(f"/portal/tasks/{task.pk}/", {"action": "submit", "full_name": "Rosa Diaz"})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    task.refresh_from_db()
    assert task.status == "open"

    draft = client.post(f"/portal/tasks/{task.pk}/", {"action": "draft", "full_name": "Rosa Diaz"})
    assert draft.status_code == 302
    task.refresh_from_db()
    assert task.status == "in_progress" and task.response["full_name"] == "Rosa Diaz"
    assert 'value="Rosa Diaz"' in client.get(f"/portal/tasks/{task.pk}/").content.decode()

    answers = {
        "action": "submit",
        "full_name": "Rosa Diaz",
        "incident_date": "2026-10-02",
        "treated": "yes",
        "injury": "Neck",
        "signature": "Rosa Diaz",
    }
    assert client.post(f"/portal/tasks/{task.pk}/", answers).status_code == 302
    task.refresh_from_db()
    assert task.status == "submitted" and task.completed_at is not None
    assert task.response["incident_date"] == "2026-10-02" and task.response["treated"] == "yes"
    assert ActivityEvent.objects.filter(event_type="task", description__startswith="Submitted").exists()
    assert client.post(f"/portal/tasks/{task.pk}/", answers).status_code == 200  # already sent: nothing changes


def test_bad_choices_and_dates_are_refused(client, signed_in):
    _contact, _case, task, _link = signed_in
    response = client.post(
        f"/portal/tasks/{task.pk}/",
        {"action": "submit", "full_name": "R", "incident_date": "yesterday", "treated": "maybe", "signature": "R"},
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_uploading_photos_stores_them_via_the_portal(client, signed_in):
    contact, case, _task, _link = signed_in
    files = [SimpleUploadedFile("receipt.png", PNG, "image/png"), SimpleUploadedFile("bill.png", PNG, "image/png")]
    response = client.post("/portal/documents/", {"files": files})
    assert response.status_code == 302 and response["Location"] == "/portal/documents/?sent=2"
    documents = Document.objects.filter(contact=contact)
    assert documents.count() == 2 and all(d.via_portal and d.case_id == case.pk for d in documents)
    page = client.get("/portal/documents/?sent=2").content.decode()
    assert "receipt.png" in page and "We received 2 files." in page


def test_a_file_that_is_not_a_document_is_refused(client, signed_in):
    response = client.post("/portal/documents/", {"files": [SimpleUploadedFile("x.png", b"MZ\x90\x00 not a png")]})
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_messages_reach_the_firm_and_score_sentiment(client, signed_in):
    contact, case, _task, _link = signed_in
    response = client.post("/portal/messages/", {"body": "Nobody has called me back in weeks, this is terrible."})
    assert response.status_code == 302
    message = Message.objects.get(contact=contact)
    assert (message.direction, message.channel, message.case_id) == ("inbound", "portal", case.pk)
    contact.refresh_from_db()
    assert contact.sentiment_label == "negative" and contact.sentiment_score < 0
    assert "Nobody has called me back" in contact.sentiment_reason
    assert "Nobody has called me back" in client.get("/portal/messages/").content.decode()
    assert client.post("/portal/messages/", {"body": "   "}).status_code == 200


def test_appointments_show_in_the_contacts_time_zone_with_a_calendar_file(client, signed_in):
    contact, case, _task, _link = signed_in
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    appointment = Appointment.objects.create(
        case=case,
        contact=contact,
        title="Medical exam",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        location="Office",
    )
    page = client.get("/portal/appointments/").content.decode()
    assert "Medical exam" in page and "America/Chicago" in page
    ics = client.get(f"/portal/appointments/{appointment.pk}.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert f"DTSTART:{starts.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in ics.content.decode()
    Appointment.objects.filter(pk=appointment.pk).update(location="Room 2\r\nATTENDEE:mailto:x@example.com")
    lines = client.get(f"/portal/appointments/{appointment.pk}.ics").content.decode().split("\r\n")
    assert not any(line.startswith("ATTENDEE") for line in lines)


def test_pages_are_small_and_hardened(client, signed_in):
    for url in ("/portal/", "/portal/tasks/", "/portal/documents/", "/portal/messages/", "/portal/appointments/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]
        assert len(response.content) < 15_000
        assert "<script>" not in response.content.decode() and 'style="' not in response.content.decode()


def test_the_portal_speaks_the_contacts_language(client):
    contact, case = contact_on_case(language="es", first_name="Lucía")
    _link, token = issued_link(contact, case=case)
    assert "Continuar" in client.get(f"/p/{token}/").content.decode()


def test_the_manifest_lets_phones_install_the_portal(client):
    data = client.get("/portal/manifest.webmanifest").json()
    assert data["display"] == "standalone" and data["start_url"] == "/portal/?source=pwa"


def test_a_form_with_a_file_field_stores_the_photo(client, signed_in):
    contact, case, _task, _link = signed_in
    task = TaskFactory(
        case=case,
        contact=contact,
        kind="form",
        title="Photo ID",
        form_fields=[{"name": "id_photo", "label": "Photo of your ID", "type": "file", "required": True}],
    )
    assert client.post(f"/portal/tasks/{task.pk}/", {"action": "submit"}).status_code == 200
    upload = io.BytesIO(PNG)
    upload.name = "id.png"
    assert client.post(f"/portal/tasks/{task.pk}/", {"action": "submit", "id_photo": upload}).status_code == 302
    task.refresh_from_db()
    document = Document.objects.get(pk=task.response["id_photo"]["document"])
    assert document.via_portal and document.contact == contact


def test_unknown_expired_and_revoked_links_cost_the_same_queries(client, django_assert_num_queries):
    """Same work whatever the reason a link fails, so timing tells nothing."""
    contact, case = contact_on_case()
    _expired, expired_token = issued_link(contact, case=case, expires_in=datetime.timedelta(seconds=-1))
    revoked, revoked_token = issued_link(contact, case=case)
    services.revoke_link(link=revoked, user=None)
    counts = []
    for token in ("unknown-token", expired_token, revoked_token):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/p/{token}/").status_code == 404
        counts.append(len(queries))
    assert len(set(counts)) == 1


def test_portal_pages_use_a_few_queries_whatever_the_history(client, signed_in, django_assert_max_num_queries):
    contact, case, _task, _link = signed_in
    for i in range(30):
        TaskFactory(case=case, contact=contact, title=f"Task {i}")
        Message.objects.create(contact=contact, case=case, direction="outbound", body=f"m{i}", sent_at=timezone.now())
    for url in ("/portal/", "/portal/tasks/", "/portal/messages/", "/portal/appointments/", "/portal/documents/"):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
