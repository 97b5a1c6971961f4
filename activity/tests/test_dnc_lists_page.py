import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEvent, DncNumber, DncRegistryVersion
from contacts.tests.factories import UserFactory, admin_user

pytestmark = pytest.mark.django_db
URL = "/activity/dnc/"


def test_an_admin_imports_the_registry_file(client):
    client.force_login(admin_user())
    upload = SimpleUploadedFile("dnc-2026-11-01.txt", b"2125550143\n3125550188\n")
    response = client.post(URL, {"action": "import", "file": upload, "file_date": "2026-11-01"}, follow=True)
    assert "Imported the national registry of 2026-11-01: 2 numbers." in response.content.decode()
    assert DncRegistryVersion.objects.get(kind="national").is_current


def test_a_file_without_numbers_is_refused_in_plain_words(client):
    client.force_login(admin_user())
    upload = SimpleUploadedFile("empty.csv", b"name,notes\nhello,world\n")
    response = client.post(URL, {"action": "import", "file": upload, "file_date": "2026-11-01"})
    assert "No phone numbers found in the file" in response.content.decode()
    assert not DncRegistryVersion.objects.exists()


def test_an_admin_adds_a_number_to_the_internal_list(client):
    client.force_login(admin_user())
    response = client.post(
        URL, {"action": "internal", "number": "(312) 555-0100", "reason": "Asked by phone"}, follow=True
    )
    assert "+13125550100 is on the internal Do-Not-Call list." in response.content.decode()
    assert DncNumber.objects.get().reason == "Asked by phone"


def test_staff_can_check_but_not_change_the_lists(client):
    client.force_login(UserFactory())
    response = client.post(URL, {"action": "internal", "number": "3125550100"}, follow=True)
    assert "Only admins can change the Do-Not-Call lists." in response.content.decode()
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


def test_the_lists_are_readable_in_the_admin(client):
    from contacts.dnc import add_to_internal_list

    admin = admin_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    add_to_internal_list(number="3125550100", reason="Asked by phone", actor=admin)
    assert "+13125550100" in client.get("/admin/activity/dncnumber/?q=%2B13125550100").content.decode()
    assert "internal list" in client.get("/admin/activity/dncregistryversion/").content.decode()
