"""Staff sessions end after idling or after a working day; staff pages are never cached."""

import time

import pytest

from contacts.tests.factories import ContactFactory, UserFactory
from documents.tests.factories import make_document
from security import sessions
from security.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    UserFactory(username="pat")
    assert client.post("/login/", {"username": "pat", "password": "correct horse battery"}).status_code == 302
    return client


def set_clock(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = int(now - ago)
    session.save()


def test_a_session_idle_for_longer_than_the_limit_goes_back_to_sign_in(staff_client):
    set_clock(staff_client, staff_seen_at=31 * 60)
    response = staff_client.get("/contacts/?q=smith")
    assert response.status_code == 302
    assert response.url == "/login/?next=/contacts/%3Fq%3Dsmith"
    login_page = staff_client.get(response.url)
    assert "You were signed out after 30 minutes without activity." in login_page.text
    assert "_auth_user_id" not in staff_client.session
    expired = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert expired.username == "pat"


def test_a_session_in_use_stays_and_is_kept_alive(staff_client):
    set_clock(staff_client, staff_seen_at=29 * 60)
    assert staff_client.get("/contacts/").status_code == 200
    assert time.time() - staff_client.session[sessions.SEEN_AT] < 5


def test_a_session_ends_after_the_maximum_age_even_when_busy(staff_client):
    set_clock(staff_client, staff_signed_in_at=12 * 3600 + 60, staff_seen_at=10)
    response = staff_client.get("/contacts/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=")
    assert "12 hours after signing in" in staff_client.get(response.url).text


def test_the_idle_limit_comes_from_settings(staff_client, settings):
    from datetime import timedelta

    settings.STAFF_SESSION_IDLE = timedelta(minutes=5)
    set_clock(staff_client, staff_seen_at=6 * 60)
    response = staff_client.get("/contacts/")
    assert response.status_code == 302
    assert "after 5 minutes without activity" in staff_client.get(response.url).text


def test_staff_pages_are_never_stored_by_the_browser(staff_client):
    response = staff_client.get("/contacts/")
    assert "no-store" in response["Cache-Control"]


def test_document_downloads_are_never_stored(staff_client):
    document = make_document(ContactFactory(), name="id.pdf")
    response = staff_client.get(f"/contacts/{document.contact_id}/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_sign_in_page_is_not_stored_either(client):
    assert "no-store" in client.get("/login/")["Cache-Control"]


def test_the_portal_manifest_may_be_cached(client):
    response = client.get("/portal/manifest.webmanifest")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
