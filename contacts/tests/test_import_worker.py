"""Imports through a real Celery worker: progress, and a worker killed mid-import leaves
whole chunks only, which a resume completes without importing any row twice."""

import os
import signal
import time

import pytest

from conftest import wait_for
from contacts.models import Contact, ContactPhone, ImportBatch, ImportedContact, ImportStatus
from contacts.tasks import preview_import_task, run_import_task
from contacts.tests.factories import admin_user
from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

ROWS = 3000
CHUNK = 25


def big_file():
    rows = [["First Name", "Last Name", "Mobile Phone", "Email"]]
    rows += [[f"P{n}", "Doe", f"+1 312 555 {n:04d}", f"p{n}@example.com"] for n in range(ROWS)]
    return csv_bytes(rows)


@pytest.fixture
def small_chunks(monkeypatch):
    # The worker is a separate process: it reads the chunk size from its environment.
    monkeypatch.setenv("IMPORT_CHUNK_SIZE", str(CHUNK))


def test_preview_and_import_run_in_the_worker(celery_worker, small_chunks):
    batch = batch_from_bytes(big_file(), user=admin_user(username="ada"), duplicate_rule="merge")
    celery_worker()
    assert wait_for(preview_import_task.delay(batch.pk), timeout=120)["new"] == ROWS
    assert not Contact.objects.exists()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    counts = wait_for(run_import_task.delay(batch.pk), timeout=120)
    assert counts["new"] == ROWS
    assert ContactPhone.objects.count() == ROWS


def test_a_killed_worker_leaves_whole_chunks_and_resume_finishes(celery_worker, small_chunks):
    batch = batch_from_bytes(big_file(), user=admin_user(username="ada"))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    worker = celery_worker()
    run_import_task.delay(batch.pk)
    deadline = time.monotonic() + 60
    while ImportBatch.objects.get(pk=batch.pk).rows_done < CHUNK * 4:
        assert time.monotonic() < deadline, worker.output()
        time.sleep(0.01)
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING
    assert 0 < batch.rows_done < ROWS and batch.rows_done % CHUNK == 0
    # Nothing half-written: every committed contact has its phone, email and undo record.
    contacts = Contact.objects.count()
    assert contacts == batch.rows_done == batch.new_count
    assert ContactPhone.objects.count() == contacts == ImportedContact.objects.filter(batch=batch).count()
    assert not Contact.objects.filter(phones__isnull=True).exists()
    assert not Contact.objects.filter(emails__isnull=True).exists()

    celery_worker()
    counts = wait_for(run_import_task.delay(batch.pk), timeout=120)  # what the Resume button queues
    assert counts["new"] == ROWS
    assert Contact.objects.count() == ROWS
    assert Contact.objects.values("first_name").distinct().count() == ROWS


def test_imported_contacts_reach_the_duplicates_queue(celery_worker):
    from contacts.models import DuplicateCandidate
    from contacts.tests.factories import ContactFactory, ContactPhoneFactory

    existing = ContactFactory(first_name="Ann", last_name="Lee")
    ContactPhoneFactory(contact=existing, number="+13125550101")
    rows = [["First Name", "Last Name", "Mobile Phone"], ["Ann", "Lee", "312 555 0101"]]
    batch = batch_from_bytes(csv_bytes(rows), user=admin_user(username="ada"), duplicate_rule="create")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    celery_worker()
    assert wait_for(run_import_task.delay(batch.pk), timeout=60)["new"] == 1
    imported = Contact.objects.exclude(pk=existing.pk).get()
    deadline = time.monotonic() + 60
    pair = DuplicateCandidate.objects.filter(contact_a=existing, contact_b=imported)
    while not pair.exists():
        assert time.monotonic() < deadline, "the imported contact never reached the duplicates queue"
        time.sleep(0.3)
