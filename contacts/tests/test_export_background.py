"""Large exports run in a real Celery worker and are fetched from the user's own link."""

import csv
import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from activity.models import ActivityEvent, EventType
from contacts.tests.factories import ContactFactory, admin_user


def test_a_large_export_runs_in_the_worker_and_only_its_owner_downloads_it(client, celery_worker, monkeypatch):
    monkeypatch.setattr("contacts.export_views.BACKGROUND_THRESHOLD", 3)
    for n in range(5):
        ContactFactory(first_name=f"P{n}", last_name="Doe")
    owner = admin_user(username="owner")
    client.force_login(owner)
    celery_worker()
    response = client.post(reverse("contacts:export"), {"fields": ["first_name"], "format": "csv"})
    job_url = response.url
    assert job_url.startswith("/contacts/export/")
    deadline = time.monotonic() + 60
    while not client.get(job_url, HTTP_ACCEPT="application/json").json()["ready"]:
        assert time.monotonic() < deadline, "the export never finished"
        time.sleep(0.3)
    download = client.get(f"{job_url}download/")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["First name"] and sorted(row[0] for row in rows[1:]) == [f"P{n}" for n in range(5)]

    # The worker's email (the file backend by default) carries the link. The worker sends it
    # just after the file is in place, so it may land a moment after the page says ready.
    def link_mailed():
        mails = [path.read_text(errors="replace") for path in Path(settings.EMAIL_FILE_PATH).glob("*.log")]
        return any(
            "Your contacts export is ready" in mail and f"{settings.PORTAL_BASE_URL}{job_url}download/" in mail
            for mail in mails
        )

    while not link_mailed():
        assert time.monotonic() < deadline, "the export's email never came"
        time.sleep(0.2)
    event = ActivityEvent.objects.get(event_type=EventType.DATA_ACCESS)
    assert event.actor_user_id == owner.pk and event.data["rows"] == 5

    client.force_login(admin_user(username="other"))
    assert client.get(f"{job_url}download/").status_code == 404


@pytest.mark.django_db
def test_a_malformed_job_id_is_a_404(client):
    client.force_login(admin_user(username="ada"))
    assert client.get(reverse("contacts:export_download", args=["..%2Fsecret"])).status_code == 404
    assert client.get(reverse("contacts:export_job", args=["not-a-job"]) + "download/").status_code == 404
