"""The import wizard in a real browser: upload a CSV, match columns, preview, import, result;
and the plain messages bad files get. The dry run and the import run in a real worker."""

import pytest

from contacts.models import Contact, ImportBatch
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user
from contacts.tests.import_helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = csv_bytes([
    ["Given Name", "Family Name", "Mobile Phone", "E-mail Address", "Birthday", "Shoe size"],
    ["Ann", "Lee", "(312) 555-0101", "ann@example.com", "03/12/1985", "7"],
    ["Bo", "Ray", "312 555 0102", "bo@example", "1990-01-01", "9"],
    ["Cy", "Doe", "312 555 0103", "cy@example.com", "31/31/1990", "8"],
    ["Di", "Fox", "312 555 0104", "di@example.com", "", "6"],
])  # fmt: skip


def sign_in(page, live_server):
    user = admin_user(username="ada")
    page.goto(f"{live_server.url}/settings/import/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/settings/import/")


def test_upload_map_preview_import_and_result(live_server, page, celery_worker, screenshot_dir, tmp_path):
    existing = ContactFactory(first_name="Ann", last_name="Lee")
    ContactPhoneFactory(contact=existing, number="+13125550101")
    celery_worker()
    sign_in(page, live_server)
    path = tmp_path / "google-contacts.csv"
    path.write_bytes(FILE)
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    page.screenshot(path=str(screenshot_dir / "import-1-upload.png"), full_page=True)
    page.get_by_role("button", name="Upload and match columns").click()

    page.get_by_role("heading", name="Match columns").wait_for()
    assert page.get_by_label("Given Name").input_value() == "first_name"
    assert page.get_by_label("Shoe size").input_value() == ""
    page.get_by_label("Merge: fill empty fields").check()
    page.screenshot(path=str(screenshot_dir / "import-2-map.png"), full_page=True)
    page.get_by_role("button", name="Preview the import").click()

    page.get_by_role("heading", name="Preview of google-contacts.csv").wait_for(timeout=60000)
    assert page.locator('[data-count="new"]').inner_text() == "1"
    assert page.locator('[data-count="merged"]').inner_text() == "1"
    assert page.locator('[data-count="errors"]').inner_text() == "2"
    assert page.get_by_text("bad email “bo@example”").is_visible()
    assert page.get_by_text("unreadable date “31/31/1990”", exact=False).is_visible()
    assert Contact.objects.count() == 1
    page.screenshot(path=str(screenshot_dir / "import-3-preview.png"), full_page=True)
    page.get_by_role("button", name="Import now").click()

    page.get_by_role("heading", name="Finished").wait_for(timeout=60000)
    assert page.locator('[data-count="new"]').inner_text() == "1"
    assert page.locator('[data-count="merged"]').inner_text() == "1"
    assert page.locator('[data-count="errors"]').inner_text() == "2"
    page.screenshot(path=str(screenshot_dir / "import-4-result.png"), full_page=True)
    assert Contact.objects.count() == 2
    existing.refresh_from_db()
    assert existing.emails.get().email == "ann@example.com"
    batch = ImportBatch.objects.get()
    assert (
        page.get_by_role("link", name="See the imported contacts")
        .get_attribute("href")
        .endswith(f"?import_batch={batch.pk}")
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("garbage.csv", bytes(range(256)) * 50, "binary data"),
        ("empty.csv", b"", "The submitted file is empty"),
        ("latin.csv", "Name\r\nJosé\r\n".encode("cp1252"), "cannot be read as utf-8"),
        ("huge.csv", b"Name\r\n" + b"Ann\r\n" * 300_000, "is 1.4 MB; the limit is 1.0 MB"),
    ],
    ids=["binary", "empty", "wrong-encoding", "huge"],
)
def test_bad_files_get_plain_messages(live_server, page, screenshot_dir, tmp_path, settings, name, content, message):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    sign_in(page, live_server)
    path = tmp_path / name
    path.write_bytes(content)
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    if name == "latin.csv":
        page.get_by_label("Encoding").select_option("utf-8")
    page.get_by_role("button", name="Upload and match columns").click()
    # Too big a file is stopped in the browser before it is sent; the others by the server.
    alert = page.locator("[data-dropzone-name]" if name == "huge.csv" else ".file-error")
    alert.wait_for()
    assert message in alert.inner_text()
    page.screenshot(path=str(screenshot_dir / f"import-bad-{name}.png"), full_page=True)
    assert not ImportBatch.objects.exists()
