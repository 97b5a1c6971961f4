import io
import re
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activity.models import ActivityEvent, EventType
from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import BundleStatus, DownloadBundle
from documents.services import build_bundle, delete_expired_bundles, request_bundle
from documents.tests.factories import JPEG_BYTES, PDF_BYTES, make_document


def read_zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def wait_for_bundle(client, url, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(url, {"format": "json"}).json()
        if state["status"] in ("ready", "failed"):
            return state
        time.sleep(0.3)
    raise AssertionError(f"bundle not built after {timeout} s")


def outbox_messages() -> list[str]:
    folder = Path(settings.EMAIL_FILE_PATH)
    return [path.read_text() for path in sorted(folder.glob("*.log"))] if folder.exists() else []


def mails_to(address: str, timeout: float = 10) -> list[str]:
    """The outbox's mails to `address`, once one has come: the worker sends it just after it
    marks the bundle ready, so it may land a moment after the page says "ready"."""
    deadline = time.monotonic() + timeout
    while True:
        mails = [message for message in outbox_messages() if address in message]
        if mails or time.monotonic() > deadline:
            return mails
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_download_all_end_to_end_through_a_real_worker(client, celery_worker):
    worker = celery_worker()
    user = UserFactory(username="erin", email="erin@firm.example")
    client.force_login(user)
    contact = ContactFactory(first_name="Ana", last_name="Núñez")
    case = CaseFactory(number="PI-100", title="Rear-end collision")
    CaseContactFactory(case=case, contact=contact)
    make_document(contact, name="report.pdf", case=case, user=user)
    make_document(contact, name="report.pdf", content=PDF_BYTES + b"%second", case=case, user=user)
    make_document(contact, name="photo.jpg", content=JPEG_BYTES, via_portal=True)
    make_document(contact, name="statement.txt", content=b"I was stopped at the light.\n" * 200, user=user)

    response = client.post(reverse("documents:download_all", args=[contact.pk]))
    assert response.status_code == 302
    bundle = DownloadBundle.objects.get()
    assert response["Location"] == reverse("documents:bundle", args=[contact.pk, bundle.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Preparing 4 documents" in page or "ready" in page

    state = wait_for_bundle(client, response["Location"])
    assert state["status"] == "ready", worker.output()
    assert state["files_done"] == state["files_total"] == 4

    download = client.get(state["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment; ")
    assert download["X-Content-Type-Options"] == "nosniff"
    archive = read_zip(b"".join(download.streaming_content))
    names = archive.namelist()
    assert sorted(names) == [
        "No case/photo.jpg",
        "No case/statement.txt",
        "PI-100 Rear-end collision/report (2).pdf",
        "PI-100 Rear-end collision/report.pdf",
        "index.csv",
    ]
    assert archive.read("PI-100 Rear-end collision/report.pdf") == PDF_BYTES
    assert archive.getinfo("No case/photo.jpg").compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("PI-100 Rear-end collision/report.pdf").compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("No case/statement.txt").compress_type == zipfile.ZIP_DEFLATED
    assert archive.testzip() is None
    index = archive.read("index.csv").decode()
    assert index.startswith("path_in_zip,original_name,case,type,size_bytes,sha256")
    assert index.count("\n") == 5
    assert "No case/photo.jpg,photo.jpg,,image/jpeg" in index and ",Portal," in index
    stored = Path(settings.PRIVATE_STORAGE_ROOT) / DownloadBundle.objects.get().file.name
    assert stored.exists() and not Path(f"{stored}.part").exists()
    assert ActivityEvent.objects.filter(contact_id=contact.pk, event_type=EventType.DATA_ACCESS).exists()

    # The email carries a signed link that works (for the same person) for 24 hours.
    mails = mails_to("erin@firm.example")
    assert len(mails) == 1
    link = re.search(r"http://testserver(/documents/bundle-link/\S+/)", mails[0])[1]
    assert DownloadBundle.objects.get().token_hash not in mails[0]  # only the hash is stored
    assert client.get(link).status_code == 200
    client.force_login(UserFactory(username="someone-else"))
    assert client.get(link).status_code == 404  # the link is the requester's only
    client.force_login(user)

    # Asking again with the same documents reuses the ready bundle: no new build.
    again = client.post(reverse("documents:download_all", args=[contact.pk]))
    assert again["Location"] == response["Location"]
    assert DownloadBundle.objects.count() == 1

    with freeze_time(timezone.now() + timedelta(hours=24, minutes=1)):
        client.force_login(user)  # the next day: a new staff session
        expired = client.get(link)
        assert expired.status_code == 410
        assert "request a new bundle" in expired.content.decode().lower()
        assert client.get(state["download_url"]).status_code == 410
        call_command("delete_expired_bundles")
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.EXPIRED and not bundle.file
    assert not stored.exists()


@pytest.mark.django_db
def test_asking_twice_while_building_queues_one_bundle(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    contact = ContactFactory()
    make_document(contact)
    url = reverse("documents:download_all", args=[contact.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(url)
        second = client.post(url)
    assert first["Location"] == second["Location"]
    assert DownloadBundle.objects.count() == 1
    assert len(callbacks) == 1  # one build queued


@pytest.mark.django_db
def test_a_changed_document_set_gets_a_new_bundle():
    user = UserFactory()
    contact = ContactFactory()
    make_document(contact)
    first = request_bundle(contact=contact, user=user, base_url="http://testserver/")
    build_bundle(bundle_id=first.bundle.pk, base_url="http://testserver/")
    assert request_bundle(contact=contact, user=user, base_url="http://testserver/").reused
    make_document(contact, name="new.pdf")
    second = request_bundle(contact=contact, user=user, base_url="http://testserver/")
    assert not second.reused and second.bundle.pk != first.bundle.pk


@pytest.mark.django_db
def test_a_bundle_whose_worker_was_lost_is_given_up_and_asking_again_starts_a_new_one(client):
    user = UserFactory()
    client.force_login(user)
    contact = ContactFactory()
    make_document(contact)
    with freeze_time(timezone.now() - settings.DOWNLOAD_BUNDLE_BUILD_TIMEOUT - timedelta(minutes=1)):
        lost = request_bundle(contact=contact, user=user, base_url="http://testserver/").bundle
    DownloadBundle.objects.filter(pk=lost.pk).update(status=BundleStatus.BUILDING)  # its worker died mid-build
    recent = request_bundle(contact=contact, user=user, base_url="http://testserver/")
    assert not recent.reused and recent.bundle.pk != lost.pk
    lost.refresh_from_db()
    assert lost.status == BundleStatus.FAILED and "Request a new bundle" in lost.error
    # A worker that comes back late leaves the given-up bundle alone.
    assert build_bundle(bundle_id=lost.pk, base_url="http://testserver/").status == BundleStatus.FAILED
    # The page of a stalled bundle says so instead of "Preparing…" for a day.
    with freeze_time(timezone.now() + settings.DOWNLOAD_BUNDLE_BUILD_TIMEOUT + timedelta(minutes=1)):
        client.force_login(user)  # back after longer than the staff session's idle limit
        state = client.get(reverse("documents:bundle", args=[contact.pk, recent.bundle.pk]), {"format": "json"}).json()
        page = client.get(reverse("documents:bundle", args=[contact.pk, recent.bundle.pk])).content.decode()
    assert state["status"] == "failed" and "stopped before it finished" in state["error"]
    assert "Request a new bundle" in page


@pytest.mark.django_db
def test_building_twice_is_harmless():
    user = UserFactory()
    contact = ContactFactory()
    make_document(contact)
    bundle = request_bundle(contact=contact, user=user, base_url="http://testserver/").bundle
    built = build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    again = build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    assert built.status == again.status == BundleStatus.READY
    assert again.file.name == built.file.name


@pytest.mark.django_db
def test_someone_elses_bundle_is_a_404(client):
    owner, other = UserFactory(username="owner"), UserFactory(username="other")
    contact = ContactFactory()
    make_document(contact)
    bundle = request_bundle(contact=contact, user=owner, base_url="http://testserver/").bundle
    build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    client.force_login(other)
    assert client.get(reverse("documents:bundle", args=[contact.pk, bundle.pk])).status_code == 404
    assert client.get(reverse("documents:bundle_download", args=[contact.pk, bundle.pk])).status_code == 404
    client.force_login(owner)
    wrong_contact = ContactFactory()
    assert client.get(reverse("documents:bundle_download", args=[wrong_contact.pk, bundle.pk])).status_code == 404
    assert client.get(reverse("documents:bundle_download", args=[contact.pk, bundle.pk])).status_code == 200


@pytest.mark.django_db
def test_a_forged_link_gets_the_friendly_expired_page(client):
    client.force_login(UserFactory())
    response = client.get(reverse("documents:bundle_link", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "Request a new bundle" in response.content.decode() or "request a new bundle" in response.content.decode()


@pytest.mark.django_db
def test_cleanup_deletes_only_expired_bundles():
    user = UserFactory()
    contact = ContactFactory()
    make_document(contact)
    bundle = request_bundle(contact=contact, user=user, base_url="http://testserver/").bundle
    build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    assert delete_expired_bundles() == 0
    assert delete_expired_bundles(now=timezone.now() + timedelta(hours=25)) == 1
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.EXPIRED


@pytest.mark.django_db
def test_a_failed_build_leaves_no_partial_zip_and_says_so(client):
    user = UserFactory()
    client.force_login(user)
    contact = ContactFactory()
    document = make_document(contact)
    document.file.storage.delete(document.file.name)  # the disk lost the file
    bundle = request_bundle(contact=contact, user=user, base_url="http://testserver/").bundle
    with pytest.raises(FileNotFoundError):
        build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED and not bundle.file
    assert not list((Path(settings.PRIVATE_STORAGE_ROOT) / "bundles").glob("*.part"))
    page = client.get(reverse("documents:bundle", args=[contact.pk, bundle.pk])).content.decode()
    assert "could not be built" in page and "Request a new bundle" in page
    assert not request_bundle(contact=contact, user=user, base_url="http://testserver/").reused
