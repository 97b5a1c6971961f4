"""The import wizard's pages: who may import, clear messages for bad files, each step."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.importing.service import preview_import, run_import
from contacts.models import Contact, ImportBatch, ImportMapping, ImportStatus
from contacts.tests.factories import UserFactory, admin_user
from contacts.tests.import_helpers import csv_bytes

pytestmark = pytest.mark.django_db

FILE = csv_bytes([["First Name", "Last Name", "Mobile Phone", "Favourite colour"],
                  ["Ann", "Lee", "312 555 0101", "blue"], ["Bo", "Ray", "12", "red"]])  # fmt: skip


@pytest.fixture
def admin_client(client):
    client.force_login(admin_user(username="ada"))
    return client


def upload(client, content, name="people.csv", **data):
    return client.post(reverse("import:start"), {"file": SimpleUploadedFile(name, content), **data})


def test_staff_without_the_import_permission_are_refused(client):
    client.force_login(UserFactory(username="sam"))
    assert client.get(reverse("import:start")).status_code == 403


def test_upload_shows_the_columns_with_samples_and_matches(admin_client):
    response = upload(admin_client, FILE)
    batch = ImportBatch.objects.get()
    assert response.url == reverse("import:map", args=[batch.pk])
    page = admin_client.get(response.url).content.decode()
    assert "Favourite colour" in page and "312 555 0101" in page
    assert batch.mapping == ["first_name", "last_name", "phone_mobile", ""]
    assert "1 column will be ignored" in page


@pytest.mark.parametrize(
    "content, name, message",
    [
        (bytes(range(256)) * 20, "photo.csv", "binary data"),
        (b"", "empty.csv", "The submitted file is empty"),
        (b"PK\x03\x04broken", "cut.xlsx", "damaged or incomplete"),
        (b"First Name,Last Name,Phone\r\n,,\r\n", "headers-only.csv", "no rows of contacts"),
    ],
    ids=["binary-garbage", "empty", "corrupt-xlsx", "headers-only"],
)
def test_bad_files_get_a_plain_message_and_nothing_is_kept(admin_client, content, name, message):
    response = upload(admin_client, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_wrong_encoding_choice_is_explained(admin_client):
    content = "Name\r\nJosé Müller\r\n".encode("cp1252")
    response = upload(admin_client, content, encoding="utf-8")
    assert "cannot be read as utf-8" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    response = upload(admin_client, b"Name\r\n" + b"Ann\r\n" * 400)
    assert "the limit is 1.0 KB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def mapping_post(batch, **extra):
    data = {f"column_{index}": key for index, key in enumerate(batch.mapping)}
    data.update({"duplicate_rule": "skip", "error_mode": "valid_rows", "encoding": batch.encoding})
    data.update({"delimiter": batch.delimiter})
    data.update(extra)
    return data


def test_the_whole_wizard_preview_run_result_rejected_rows_and_undo(admin_client, django_capture_on_commit_callbacks):
    batch = ImportBatch.objects.get(pk=upload(admin_client, FILE).url.split("/")[-3])
    data = mapping_post(batch, column_3="notes", save_as="Old CRM")
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(reverse("import:map", args=[batch.pk]), data)
    assert response.url == reverse("import:progress", args=[batch.pk])
    assert len(callbacks) == 1  # the dry run is queued for the worker
    assert ImportMapping.objects.get(name="Old CRM").columns["Favourite colour"] == "notes"
    batch.refresh_from_db()
    preview_import(batch)  # what the worker does
    assert admin_client.get(reverse("import:progress", args=[batch.pk])).url == reverse(
        "import:preview", args=[batch.pk]
    )
    page = admin_client.get(reverse("import:preview", args=[batch.pk])).content.decode()
    assert 'data-count="new">1<' in page and 'data-count="errors">1<' in page
    assert "bad phone “12”" in page
    assert not Contact.objects.exists()
    with django_capture_on_commit_callbacks():
        response = admin_client.post(reverse("import:run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED
    run_import(batch)
    result = admin_client.get(reverse("import:result", args=[batch.pk])).content.decode()
    assert 'data-count="new">1<' in result and f"?import_batch={batch.pk}" in result
    rejected = admin_client.get(reverse("import:rejected", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(rejected.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["Line", "First Name", "Last Name", "Mobile Phone", "Favourite colour", "Reason"],
        ["3", "Bo", "Ray", "12", "red", "bad phone “12”"],
    ]
    admin_client.post(reverse("import:undo", args=[batch.pk]))
    assert not Contact.objects.exists()


def test_the_mapping_needs_a_name_column(admin_client):
    batch = ImportBatch.objects.get(pk=upload(admin_client, FILE).url.split("/")[-3])
    data = mapping_post(batch, column_0="", column_1="")
    response = admin_client.post(reverse("import:map", args=[batch.pk]), data)
    assert "Match at least one column to a name" in response.content.decode()


def test_status_reports_rows_done_rate_and_time_left(admin_client):
    batch = ImportBatch.objects.get(pk=upload(admin_client, FILE).url.split("/")[-3])
    from django.utils import timezone

    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING,
        rows_total=100,
        rows_done=40,
        started_at=timezone.now() - timezone.timedelta(seconds=4),
    )
    data = admin_client.get(reverse("import:status", args=[batch.pk])).json()
    assert data["percent"] == 40 and data["finished"] is False
    assert 8 <= data["rate"] <= 10 and 5 <= data["seconds_left"] <= 8


def test_cancel_asks_the_running_import_to_stop(admin_client):
    batch = ImportBatch.objects.get(pk=upload(admin_client, FILE).url.split("/")[-3])
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    admin_client.post(reverse("import:cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.cancel_requested


def test_a_wrong_batch_id_is_a_404(admin_client):
    assert admin_client.get(reverse("import:result", args=[999])).status_code == 404


def test_an_xlsx_sheet_can_be_chosen_on_the_mapping_page(admin_client):
    from contacts.tests.test_import_readers import xlsx_bytes

    content = xlsx_bytes({"Summary": [["Report"], ["x"]], "Clients": [["First Name", "Last Name"], ["Ann", "Lee"]]})
    response = upload(admin_client, content, name="book.xlsx")
    batch = ImportBatch.objects.get()
    page = admin_client.get(response.url).content.decode()
    assert 'value="Clients"' in page and "Excel, sheet “Summary”" in page
    admin_client.post(response.url, {"reopen": "1", "sheet": "Clients"})
    batch.refresh_from_db()
    assert batch.sheet == "Clients" and batch.mapping == ["first_name", "last_name"]


def test_a_saved_mapping_is_used_for_the_next_file(admin_client):
    saved = ImportMapping.objects.create(name="Old CRM", columns={"Client": "full_name", "Cell": "phone_mobile"})
    content = csv_bytes([["Client", "Cell"], ["Lee, Ann", "312 555 0101"]])
    upload(admin_client, content, saved_mapping=saved.pk)
    assert ImportBatch.objects.get().mapping == ["full_name", "phone_mobile"]


def test_settings_link_to_import_for_importers_only(client):
    client.force_login(UserFactory(username="sam"))
    assert f'href="{reverse("import:start")}"' not in client.get(reverse("settings:index")).content.decode()
    client.force_login(admin_user(username="ada"))
    assert f'href="{reverse("import:start")}"' in client.get(reverse("settings:index")).content.decode()
