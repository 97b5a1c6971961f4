"""Settings: the firm's settings, changed by an Admin, read by Staff, each change logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activity.models import ActivityEvent
from contacts.calling_window import calling_window_status
from contacts.tests.factories import ContactFactory, UserFactory, admin_user
from firm.models import FirmSetting
from firm.selectors import firm_setting
from firm.services import change_firm_settings
from portal import services
from portal.tests.factories import contact_on_case

pytestmark = pytest.mark.django_db

SECTION_PAGES = ["settings:index", "settings:portal", "settings:calling_windows", "settings:duplicates"]


def portal_form(**changes):
    """The Portal section's form as the page shows it, with some values changed."""
    values = {
        "portal_link_ttl": 7,
        "portal_message_en": "Hi {first_name}, {firm} shared a secure link for your case: {link}",
        "portal_message_es": "Hola {first_name}, {firm} le envió un enlace seguro sobre su caso: {link}",
        "firm_name": "Kayse Law Group",
        "firm_phone": "+1 555 010 0100",
        "firm_email": "office@example.com",
    }
    return {**values, **changes}


@pytest.mark.parametrize("name", SECTION_PAGES)
def test_staff_read_every_settings_page_without_a_save_button(client, name):
    client.force_login(UserFactory())
    response = client.get(reverse(name))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only an Admin can change them." in page
    assert ">Save</button>" not in page


@pytest.mark.parametrize("name", ["settings:portal", "settings:calling_windows", "settings:duplicates"])
def test_staff_cannot_change_a_setting(client, name):
    client.force_login(UserFactory())
    response = client.post(reverse(name), portal_form(portal_link_ttl=1))
    assert response.status_code == 403
    assert "Only an Admin can change the firm&#x27;s settings." in response.content.decode()
    assert not FirmSetting.objects.exists() and not ActivityEvent.objects.exists()


def test_changing_the_link_expiry_changes_the_next_link_and_is_in_the_activity_log(client):
    admin = admin_user(username="ada")
    client.force_login(admin)
    contact, case = contact_on_case(first_name="Rosa")
    response = client.post(reverse("settings:portal"), portal_form(portal_link_ttl=3), follow=True)
    assert "Saved: 1 setting changed." in response.content.decode()

    before = timezone.now()
    link = services.share_link(contact=contact, user=admin, channel="email", email=contact.emails.get(), case=case)
    assert datetime.timedelta(days=3) <= link.expires_at - before < datetime.timedelta(days=3, minutes=1)

    event = ActivityEvent.objects.get(event_type="settings")
    assert event.description == "Portal: Portal links expire after (days) changed from 7 days to 3 days"
    assert event.actor_user == admin and event.contact_id is None
    assert event.data["before"] == {"PORTAL_LINK_TTL": 7 * 86400}
    assert event.data["after"] == {"PORTAL_LINK_TTL": 3 * 86400}
    assert event.description in client.get(reverse("settings:index")).content.decode()


def test_the_share_dialog_offers_the_firms_expiry_and_message(client):
    admin = admin_user()
    change_firm_settings(
        changes={"PORTAL_LINK_TTL": datetime.timedelta(days=14), "PORTAL_MESSAGE_EN": "{firm} needs you: {link}"},
        user=admin,
    )
    client.force_login(UserFactory())
    contact, case = contact_on_case()
    page = client.get(reverse("portal:share", args=[case.pk, contact.pk])).content.decode()
    assert 'name="expires_in_days" value="14"' in page
    assert "{firm} needs you: {link}</textarea>" in page


def test_spanish_speakers_get_the_spanish_message():
    change_firm_settings(changes={"PORTAL_MESSAGE_ES": "Hola {first_name}: {link}"}, user=admin_user())
    assert services.default_message_template(ContactFactory(language="es")) == "Hola {first_name}: {link}"
    assert services.default_message_template(ContactFactory(language="en")).startswith("Hi {first_name}")


def test_a_message_without_the_link_is_refused_in_plain_words(client):
    client.force_login(admin_user())
    response = client.post(reverse("settings:portal"), portal_form(portal_message_en="Call us back"))
    assert response.status_code == 400
    assert "Keep {link} in the message: it is where the link goes." in response.content.decode()
    assert not FirmSetting.objects.exists()


def test_the_firm_name_set_in_settings_is_on_every_page(client):
    change_firm_settings(changes={"FIRM_NAME": "Diaz & Partners"}, user=admin_user())
    client.force_login(UserFactory())
    assert "Diaz &amp; Partners" in client.get(reverse("contacts:list")).content.decode()


def test_setting_the_default_value_again_removes_the_override():
    admin = admin_user()
    change_firm_settings(changes={"DUPLICATE_MIN_SCORE": 70}, user=admin)
    assert FirmSetting.objects.get().value == 70 and firm_setting("DUPLICATE_MIN_SCORE") == 70
    change_firm_settings(changes={"DUPLICATE_MIN_SCORE": 50}, user=admin)
    assert not FirmSetting.objects.exists() and firm_setting("DUPLICATE_MIN_SCORE") == 50
    assert ActivityEvent.objects.filter(event_type="settings").count() == 2


def test_saving_an_unchanged_form_writes_nothing(client):
    client.force_login(admin_user())
    response = client.post(reverse("settings:portal"), portal_form(), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert not ActivityEvent.objects.exists()


def test_the_environment_is_the_default_and_settings_override_it(settings):
    settings.DUPLICATE_AUTO_MATCH_SCORE = 90
    assert firm_setting("DUPLICATE_AUTO_MATCH_SCORE") == 90
    change_firm_settings(changes={"DUPLICATE_AUTO_MATCH_SCORE": 97}, user=admin_user())
    assert firm_setting("DUPLICATE_AUTO_MATCH_SCORE") == 97


@freeze_time("2026-11-25 14:30:00")  # 08:30 in Chicago
def test_the_firms_calling_hours_narrow_every_contacts_window(client):
    contact = ContactFactory(timezone="America/Chicago")
    assert calling_window_status(contact).allowed
    client.force_login(admin_user())
    response = client.post(
        reverse("settings:calling_windows"),
        {"calling_hours_start": "09:00", "calling_hours_end": "20:00", "calling_window_by_state": "tx 10:00-19:00"},
    )
    assert response.status_code == 302
    status = calling_window_status(contact)
    assert not status.allowed and status.window_start == datetime.time(9, 0)
    assert firm_setting("CALLING_WINDOW_BY_STATE") == {"TX": ["10:00", "19:00"]}
    assert ActivityEvent.objects.filter(event_type="settings").count() == 3


def test_state_hours_that_do_not_read_are_refused_line_by_line(client):
    client.force_login(admin_user())
    response = client.post(
        reverse("settings:calling_windows"),
        {
            "calling_hours_start": "08:00",
            "calling_hours_end": "21:00",
            "calling_window_by_state": "TX 9-21\nCA 21:00-09:00",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 1 (“TX 9-21”) is not a state and two times, like “TX 09:00-20:00”." in page
    assert "Line 2: the calling hours of CA must end after they start." in page


def test_calling_hours_must_end_after_they_start(client):
    client.force_login(admin_user())
    response = client.post(
        reverse("settings:calling_windows"),
        {"calling_hours_start": "21:00", "calling_hours_end": "08:00", "calling_window_by_state": ""},
    )
    assert "The calling hours must end after they start." in response.content.decode()


def test_the_top_navigation_is_contacts_cases_duplicates_settings(client):
    client.force_login(admin_user(is_staff=True))
    page = client.get(reverse("contacts:list")).content.decode()
    nav = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    labels = ("Contacts", "Cases", "Duplicates", "Settings", "Import", "Admin", "Security log")
    assert [label for label in labels if f">{label}<" in nav] == ["Contacts", "Cases", "Duplicates", "Settings"]
