"""The queue is computed by a real Celery worker: a full scan on request, then refreshed
incrementally when contacts change."""

import datetime
import time

import pytest
from django.urls import reverse

from conftest import wait_for
from contacts.models import DuplicateCandidate, DuplicateScan
from contacts.tasks import scan_duplicates_task
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user


def _wait_until(condition, worker, timeout=90):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.2)


def _person(first, number, dob=datetime.date(1975, 5, 5)):
    contact = ContactFactory(first_name=first, last_name="Okafor", date_of_birth=dob)
    ContactPhoneFactory(contact=contact, number=number)
    return contact


def test_scan_button_fills_the_queue_in_the_background(celery_worker, client, settings):
    settings.DUPLICATE_AUTO_REFRESH = False  # only the scan may fill the queue here
    a, b = _person("Chinedu", "+13125550170"), _person("CHINEDU", "(312) 555-0170")
    worker = celery_worker()
    client.force_login(admin_user())
    response = client.post(reverse("contacts:duplicates_scan"))
    assert response.status_code == 302
    scan = DuplicateScan.objects.get()
    _wait_until(lambda: DuplicateScan.objects.get(pk=scan.pk).status == DuplicateScan.Status.DONE, worker)
    assert list(DuplicateCandidate.objects.values_list("contact_a", "contact_b")) == [(a.pk, b.pk)]
    html = client.get(reverse("contacts:duplicates")).content.decode()
    assert f"pair-{a.pk}-{b.pk}" in html and "Last full scan" in html


def test_a_new_duplicate_appears_in_the_queue_without_a_full_scan(celery_worker):
    worker = celery_worker()
    original = _person("Ngozi", "+13125550171")
    assert wait_for(scan_duplicates_task.delay(DuplicateScan.objects.create().pk), timeout=90) == {
        "contacts": 1,
        "pairs": 0,
    }
    twin = _person("Ngozi", "+1 312 555 0171")  # saved outside a transaction: queued at once
    _wait_until(lambda: DuplicateCandidate.objects.filter(contact_a=original, contact_b=twin).exists(), worker)
    twin.date_of_birth = datetime.date(2001, 1, 1)
    twin.first_name = "Adaeze"
    twin.save()
    _wait_until(lambda: not DuplicateCandidate.objects.exists(), worker)


@pytest.mark.django_db
def test_one_refresh_per_transaction_and_none_for_a_rolled_back_one(django_capture_on_commit_callbacks):
    from django.db import transaction

    from contacts import tasks

    with pytest.raises(RuntimeError), transaction.atomic():
        ContactFactory()
        raise RuntimeError("rolled back")
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        a = ContactFactory()
        b = ContactFactory()
        ContactPhoneFactory(contact=b)
    assert len(callbacks) == 1  # one refresh for the whole transaction
    assert tasks._pending_refresh.ids == {a.pk, b.pk}  # nothing left from the rolled-back one


@pytest.mark.django_db
def test_the_daily_scan_fills_the_queue_and_skips_while_one_runs(settings):
    a, b = _person("Emeka", "+13125550172"), _person("Emeka", "312-555-0172")
    assert "contacts.scheduled_duplicate_scan" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    from contacts.tasks import scheduled_duplicate_scan_task

    assert scheduled_duplicate_scan_task() == {"contacts": 2, "pairs": 1}
    assert DuplicateCandidate.objects.filter(contact_a=a, contact_b=b).exists()
    DuplicateScan.objects.create(status=DuplicateScan.Status.RUNNING)
    assert scheduled_duplicate_scan_task() == {}
