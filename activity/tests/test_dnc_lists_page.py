import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEvent, DncNumber, DncRegistryVersion
from contacts.tests.factories import UserFactory, admin_user

pytestmark = pytest.mark.django_db
URL = "/settings/dnc/"


def _wait_for(condition, worker, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, worker.output()
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_an_admin_imports_the_registry_file_through_a_real_worker(client, celery_worker, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    worker = celery_worker()
    client.force_login(admin_user())
    upload = SimpleUploadedFile("dnc-2026-11-01.txt", b"2125550143\n3125550188\n")
    response = client.post(URL, {"action": "import", "file": upload, "file_date": "2026-11-01"}, follow=True)
    assert "being imported in the background" in response.content.decode()
    _wait_for(lambda: DncRegistryVersion.objects.filter(kind="national", is_current=True).exists(), worker)
    assert DncRegistryVersion.objects.get(kind="national").number_count == 2
    assert list((tmp_path / "dnc").iterdir()) == []  # the uploaded copy is gone
    page = client.get(URL).content.decode()
    assert "National Do-Not-Call registry of 2026-11-01 imported: 2 numbers" in page


@pytest.mark.django_db(transaction=True)
def test_a_file_without_numbers_is_refused_in_plain_words(client, celery_worker, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    worker = celery_worker()
    client.force_login(admin_user())
    upload = SimpleUploadedFile("empty.csv", b"name,notes\nhello,world\n")
    client.post(URL, {"action": "import", "file": upload, "file_date": "2026-11-01"})
    _wait_for(lambda: ActivityEvent.objects.filter(description__contains="was not imported").exists(), worker)
    assert not DncRegistryVersion.objects.exists()
    assert "No phone numbers found in the file" in client.get(URL).content.decode()


def test_a_future_file_date_is_refused_at_once(client):
    client.force_login(admin_user())
    upload = SimpleUploadedFile("dnc.txt", b"2125550143\n")
    response = client.post(URL, {"action": "import", "file": upload, "file_date": "2999-01-01"})
    assert "The file&#x27;s date is in the future" in response.content.decode()


def test_an_admin_adds_a_number_to_the_internal_list(client):
    client.force_login(admin_user())
    response = client.post(
        URL, {"action": "internal", "number": "(312) 555-0100", "reason": "Asked by phone"}, follow=True
    )
    assert "+13125550100 is on the internal Do-Not-Call list." in response.content.decode()
    assert DncNumber.objects.get().reason == "Asked by phone"


def test_staff_can_check_but_not_change_the_lists(client):
    client.force_login(UserFactory())
    response = client.post(URL, {"action": "internal", "number": "3125550100"})
    assert response.status_code == 403
    assert "Only an Admin can change the Do-Not-Call lists." in response.content.decode()
    assert not DncNumber.objects.exists()
    response = client.get(URL, {"number": "312 555 0100"})
    assert "is not on any Do-Not-Call list checked" in response.content.decode()
    assert ActivityEvent.objects.get(event_type="dnc_check").data["number"] == "+13125550100"


def test_checking_something_that_is_not_a_number_says_so(client):
    client.force_login(UserFactory())
    response = client.get(URL, {"number": "hello"})
    assert "This is not a phone number." in response.content.decode()
    assert not ActivityEvent.objects.exists()


def test_the_page_is_linked_from_the_activity_tab(client):
    from contacts.tests.factories import ContactFactory

    client.force_login(UserFactory())
    contact = ContactFactory()
    assert URL in client.get(reverse("contacts:activity", args=[contact.pk])).content.decode()


def test_the_old_address_leads_to_settings(client):
    client.force_login(UserFactory())
    response = client.get("/activity/dnc/", {"number": "3125550100"})
    assert response.status_code == 301 and response.url == f"{URL}?number=3125550100"


def test_the_lists_are_readable_in_the_admin(client):
    from contacts.dnc import add_to_internal_list

    admin = admin_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    add_to_internal_list(number="3125550100", reason="Asked by phone", actor=admin)
    assert "+13125550100" in client.get("/admin/activity/dncnumber/?q=%2B13125550100").content.decode()
    assert "internal list" in client.get("/admin/activity/dncregistryversion/").content.decode()
