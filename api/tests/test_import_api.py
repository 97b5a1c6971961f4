"""Importing through the API: upload, map the columns, preview (dry run), run with a
duplicate rule, poll; "import finished" goes to the webhooks listening for it."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import WebhookDelivery, WebhookEndpoint
from contacts.importing.service import preview_import, run_import
from contacts.models import Contact, ImportBatch
from contacts.tests.factories import ContactFactory, ContactPhoneFactory

FILE = b"First Name,Last Name,Mobile Phone,City\nAmy,Ng,(312) 555-0101,Chicago\nBo,Ray,12,\nCy,Li,312 555 0177,\n"


def test_upload_map_preview_run_and_poll(api_client, django_capture_on_commit_callbacks):
    existing = ContactFactory(first_name="Amy", last_name="Ng", city="")
    ContactPhoneFactory(contact=existing, number="+13125550101")
    WebhookEndpoint.objects.create(url="https://example.com/hook", events=["import.finished"], secret="whsec_t")

    upload = SimpleUploadedFile("people.csv", FILE, content_type="text/csv")
    created = api_client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert created.status_code == 201, created.json()
    batch = created.json()
    assert batch["headers"] == ["First Name", "Last Name", "Mobile Phone", "City"]
    assert batch["status"] == "uploaded"

    with django_capture_on_commit_callbacks() as callbacks:
        previewing = api_client.post(
            f"/api/v1/imports/{batch['id']}/preview/",
            {"mapping": ["first_name", "last_name", "phone_mobile", "city"], "duplicate_rule": "merge"},
            format="json",
        )
    assert previewing.status_code == 202, previewing.json()
    assert len(callbacks) == 1  # the dry run is queued for the worker
    preview_import(ImportBatch.objects.get(pk=batch["id"]))  # what the worker does
    checked = api_client.get(f"/api/v1/imports/{batch['id']}/").json()
    assert checked["status"] == "previewed"
    assert checked["preview"]["errors"] == 1
    assert any("12" in note["reason"] for note in checked["notes"])
    assert Contact.objects.count() == 1

    with django_capture_on_commit_callbacks():
        running = api_client.post(f"/api/v1/imports/{batch['id']}/run/", {}, format="json")
    assert running.status_code == 202
    with mock.patch("api.tasks.deliver_webhook.delay"), django_capture_on_commit_callbacks(execute=True):
        run_import(ImportBatch.objects.get(pk=batch["id"]))
    done = api_client.get(f"/api/v1/imports/{batch['id']}/").json()
    assert done["status"] == "done" and done["finished"]
    assert done["counts"]["new"] == 1 and done["counts"]["merged"] == 1, done["counts"]
    existing.refresh_from_db()
    assert existing.city == "Chicago"
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "import.finished" and delivery.payload["data"]["import_batch_id"] == batch["id"]

    again = api_client.post(f"/api/v1/imports/{batch['id']}/run/", {}, format="json")
    assert again.status_code == 409


def test_a_mapping_without_a_name_is_a_400_naming_the_mapping(api_client):
    upload = SimpleUploadedFile("people.csv", FILE, content_type="text/csv")
    batch = api_client.post("/api/v1/imports/", {"file": upload}, format="multipart").json()
    response = api_client.post(
        f"/api/v1/imports/{batch['id']}/preview/", {"mapping": ["", "", "phone_mobile", ""]}, format="json"
    )
    assert response.status_code == 400
    assert "mapping" in response.json()["error"]["fields"]
    short = api_client.post(f"/api/v1/imports/{batch['id']}/preview/", {"mapping": ["first_name"]}, format="json")
    assert short.status_code == 400


def test_an_unreadable_file_is_a_400_on_the_file(api_client):
    upload = SimpleUploadedFile("people.csv", b"", content_type="text/csv")
    response = api_client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
