"""The Documents and Notes tabs in Chromium: upload by button and by drag-and-drop,
Download All through a real worker, and a formatted note."""

import zipfile

import pytest
from django.urls import reverse

from contacts.models import Note
from contacts.tests.factories import ContactFactory, UserFactory
from documents.models import Document
from documents.tests.factories import PDF_BYTES, PNG_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server):
    UserFactory(username="riley", first_name="Riley", last_name="Reyes", email="riley@firm.example")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("riley")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/contacts/**")


DROP_FILES = """
async ([name, bytes]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
  }
}
"""


def test_upload_by_button_and_drop_then_download_all(live_server, page, celery_worker, screenshot_dir, tmp_path):
    worker = celery_worker()
    contact = ContactFactory(first_name="Marta", last_name="Gómez")
    sign_in(page, live_server)
    page.goto(live_server.url + reverse("documents:contact_documents", args=[contact.pk]))
    assert page.get_by_text("No documents yet").is_visible()

    page.set_input_files(
        "#id_files", files=[{"name": "police report.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator(".upload-item.is-done").first.wait_for()
    page.locator("table.documents").get_by_text("police report.pdf").wait_for()

    page.evaluate(DROP_FILES, ["x-ray.png", list(PNG_BYTES)])
    page.locator("table.documents").get_by_text("x-ray.png").wait_for()
    assert page.locator(".upload-item.is-done").count() == 2

    page.set_input_files(
        "#id_files",
        files=[{"name": "evil.html", "mimeType": "text/html", "buffer": b"<html><script>x</script></html>"}],
    )
    error = page.locator(".upload-item.is-error .upload-item-status")
    error.wait_for()
    assert "HTML, SVG" in error.text_content()
    assert Document.objects.filter(contact=contact).count() == 2
    page.screenshot(path=str(screenshot_dir / "documents-tab.png"), full_page=True)

    with page.expect_download(timeout=90_000) as download_info:
        page.get_by_role("button", name="Download All").click()
        page.locator("#bundle").wait_for()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip"), worker.output()
    path = tmp_path / "bundle.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["No case/police report.pdf", "No case/x-ray.png", "index.csv"]
    page.get_by_role("link", name="Download zip").wait_for()
    page.screenshot(path=str(screenshot_dir / "documents-download-all.png"), full_page=True)

    # On a phone the list stacks into cards and upload still works with the file picker.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("documents:contact_documents", args=[contact.pk]))
    page.screenshot(path=str(screenshot_dir / "documents-tab-phone.png"), full_page=True)
    assert page.locator("#id_files").is_visible()
    assert page.get_by_role("link", name="Download x-ray.png").is_visible()


def test_write_a_formatted_note_with_an_attachment(live_server, page, screenshot_dir):
    contact = ContactFactory(first_name="Luis", last_name="Pérez")
    sign_in(page, live_server)
    page.goto(live_server.url + reverse("documents:contact_notes", args=[contact.pk]))
    editor = page.get_by_role("textbox", name="Note")
    editor.click()
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("Client called")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type(" about the settlement offer.")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("Send medical records")
    page.set_input_files(
        "#id_attachments", files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    note = Note.objects.get(contact=contact)
    assert "<b>Client called</b>" in note.body_html or "<strong>Client called</strong>" in note.body_html
    assert "<li>Send medical records</li>" in note.body_html
    assert page.locator(".note-body b, .note-body strong").first.text_content() == "Client called"
    assert page.get_by_role("link", name="offer.pdf").is_visible()
    page.screenshot(path=str(screenshot_dir / "notes-tab.png"), full_page=True)
