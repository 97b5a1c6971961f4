"""Creating and editing contacts: phones and emails, one primary each, plain-words errors,
the duplicate warning, enrichment, and compliance logging of preference changes."""

import pytest
from django.urls import reverse

from activity.models import ActivityEvent
from contacts.models import Contact, ContactPhone
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = pytest.mark.django_db
CREATE = reverse("contacts:create")


def form_data(*, phones=(), emails=(), **fields):
    data = {
        "kind": "person",
        "first_name": "Dana",
        "last_name": "Okafor",
        "language": "en",
        "calling_window_start": "08:00",
        "calling_window_end": "21:00",
        "country": "US",
        "phones-TOTAL_FORMS": str(len(phones)),
        "phones-INITIAL_FORMS": "0",
        "emails-TOTAL_FORMS": str(len(emails)),
        "emails-INITIAL_FORMS": "0",
    }
    for index, (number, primary) in enumerate(phones):
        data[f"phones-{index}-number"] = number
        data[f"phones-{index}-kind"] = "mobile"
        if primary:
            data[f"phones-{index}-is_primary"] = "on"
    for index, (email, primary) in enumerate(emails):
        data[f"emails-{index}-email"] = email
        data[f"emails-{index}-kind"] = "home"
        if primary:
            data[f"emails-{index}-is_primary"] = "on"
    data.update(fields)
    return data


def test_create_stores_phones_in_e164_and_emails_normalized(client, staff):
    response = client.post(
        CREATE,
        form_data(phones=[("(312) 555-0142", True), ("312.555.0199", False)], emails=[(" Dana@Example.COM ", False)]),
    )
    assert response.status_code == 302
    contact = Contact.objects.get(last_name="Okafor")
    assert list(contact.phones.values_list("number", "is_primary")) == [("+13125550142", True), ("+13125550199", False)]
    assert list(contact.emails.values_list("email", "is_primary")) == [("dana@example.com", True)]
    assert ActivityEvent.objects.filter(contact_id=contact.pk, event_type="create").exists()


def test_a_bad_phone_is_explained_next_to_the_field_and_nothing_is_saved(client, staff):
    response = client.post(CREATE, form_data(phones=[("555-12", True)]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a valid phone number" in html or "is not a phone number" in html
    assert "Nothing was saved" in html
    assert not Contact.objects.exists()


def test_two_primary_phones_are_refused(client, staff):
    response = client.post(CREATE, form_data(phones=[("3125550142", True), ("3125550199", True)]))
    assert response.status_code == 400
    assert "Only one phone number can be the primary one" in response.content.decode()
    assert not Contact.objects.exists() and not ContactPhone.objects.exists()


def test_several_phones_without_a_primary_ask_which(client, staff):
    response = client.post(CREATE, form_data(phones=[("3125550142", False), ("3125550199", False)]))
    assert "Choose which phone number is the primary one." in response.content.decode()


def test_a_bad_email_and_a_missing_name_are_explained(client, staff):
    response = client.post(CREATE, form_data(first_name="", last_name="", emails=[("not-an-email", True)]))
    html = response.content.decode()
    assert "This is not an email address" in html
    assert "Enter a first or last name." in html


def test_calling_window_must_end_after_it_starts(client, staff):
    response = client.post(CREATE, form_data(calling_window_start="21:00", calling_window_end="08:00"))
    assert "The calling window must end after it starts" in response.content.decode()


def test_same_phone_shows_a_duplicate_warning_before_creating(client, staff):
    existing = ContactPhoneFactory(number="+13125550142", contact=ContactFactory(first_name="Dana", last_name="Okafor"))
    response = client.post(CREATE, form_data(phones=[("312-555-0142", True)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This may be a duplicate" in html
    assert existing.contact.get_absolute_url() in html and "Phone match" in html
    assert Contact.objects.count() == 1
    confirmed = client.post(CREATE, form_data(phones=[("312-555-0142", True)], confirm_not_duplicate="yes"))
    assert confirmed.status_code == 302
    assert Contact.objects.count() == 2


def test_same_email_or_same_name_also_warns(client, staff):
    same_email = ContactEmailFactory(
        email="dana@example.com", contact=ContactFactory(first_name="Dana", last_name="Oka")
    )
    namesake = ContactFactory(first_name="Dána", last_name="OKAFOR", date_of_birth="1980-02-03")
    html = client.post(
        CREATE, form_data(emails=[("DANA@example.com", True)], date_of_birth="1980-02-03")
    ).content.decode()
    assert "This may be a duplicate" in html
    assert same_email.contact.get_absolute_url() in html and "Email match" in html
    assert namesake.get_absolute_url() in html and "Name match" in html


def test_enrichment_fills_city_state_and_time_zone_from_a_zip_code(client, staff):
    response = client.post(CREATE, form_data(postal_code="60601"), follow=True)
    contact = Contact.objects.get(last_name="Okafor")
    assert (contact.city, contact.state, contact.timezone) == ("Chicago", "IL", "America/Chicago")
    assert "Filled in" in response.content.decode() and "ZIP code 60601" in response.content.decode()


def test_enrichment_takes_the_time_zone_from_the_phone_when_there_is_no_zip(client, staff):
    client.post(CREATE, form_data(phones=[("(206) 555-0100", True)]))
    assert Contact.objects.get(last_name="Okafor").timezone == "America/Los_Angeles"


def test_edit_replaces_phones_and_logs_preferences_as_compliance(client, staff):
    contact = ContactFactory(first_name="Dana", last_name="Okafor", do_not_text=False)
    ContactPhoneFactory(contact=contact, number="+13125550142")
    url = reverse("contacts:edit", args=[contact.pk])
    assert client.get(url).status_code == 200
    data = form_data(
        phones=[("3125550142", False), ("(773) 555-0100", True)], do_not_text="on", timezone="America/Chicago"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.do_not_text is True
    assert contact.phones.get(is_primary=True).number == "+17735550100"
    compliance = ActivityEvent.objects.get(contact_id=contact.pk, is_compliance=True)
    assert compliance.label == "Compliance: Update"
    assert compliance.data["before"]["do_not_text"] is False and compliance.data["after"]["do_not_text"] is True
    update = ActivityEvent.objects.get(contact_id=contact.pk, event_type="update", is_compliance=False)
    assert "phones" in update.data["after"]


def test_an_edit_of_only_the_name_is_an_ordinary_update(client, staff):
    contact = ContactFactory(first_name="Dana", last_name="Okafor", timezone="America/Chicago")
    client.post(
        reverse("contacts:edit", args=[contact.pk]), form_data(first_name="Danielle", timezone="America/Chicago")
    )
    events = ActivityEvent.objects.filter(contact_id=contact.pk)
    assert [(e.event_type, e.is_compliance) for e in events] == [("update", False)]
    assert events[0].data["after"]["first_name"] == "Danielle"


def test_the_enrich_action_reports_what_it_filled(client, staff):
    contact = ContactFactory(timezone="", postal_code="77002", city="", state="")
    response = client.post(reverse("contacts:enrich", args=[contact.pk]), follow=True)
    contact.refresh_from_db()
    assert contact.city == "Houston" and contact.timezone == "America/Chicago"
    assert "from ZIP code 77002" in response.content.decode()


def test_editing_an_unknown_contact_is_404(client, staff):
    assert client.get(reverse("contacts:edit", args=[424242])).status_code == 404


def test_edit_form_suggests_a_time_zone_when_there_is_none(client, staff):
    contact = ContactFactory(timezone="", postal_code="98101")
    html = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    assert "Suggested: <strong>America/Los_Angeles</strong> (from the ZIP code 98101)" in html


def test_a_user_without_the_staff_role_cannot_create_edit_or_archive(client):
    client.force_login(UserFactory(role="Nobody"))
    contact = ContactFactory()
    assert client.get(CREATE).status_code == 403
    assert client.get(reverse("contacts:edit", args=[contact.pk])).status_code == 403
    assert client.post(reverse("contacts:archive", args=[contact.pk])).status_code == 403
    contact.refresh_from_db()
    assert contact.archived_at is None
