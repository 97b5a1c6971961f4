"""The merge flow at /contacts/<id>/merge/: find, choose, preview, confirm, undo."""

import datetime

import pytest
from django.urls import reverse

from cases.tests.factories import CaseContactFactory
from contacts.models import Contact, MergeRecord
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory, admin_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    survivor = ContactFactory(first_name="Robert", last_name="Smith", date_of_birth=None)
    merged = ContactFactory(first_name="Bob", last_name="Smith", date_of_birth=datetime.date(1970, 1, 1))
    ContactPhoneFactory(contact=survivor, number="+13125550101")
    ContactPhoneFactory(contact=merged, number="+13125550155")
    ContactEmailFactory(contact=merged, email="bob@example.com")
    CaseContactFactory(contact=merged)
    return survivor, merged


def test_typeahead_finds_the_other_record_by_phone(client, pair):
    survivor, merged = pair
    client.force_login(admin_user())
    response = client.get(
        reverse("contacts:merge", args=[survivor.pk]), {"q": "(312) 555-0155"}, HTTP_HX_REQUEST="true"
    )
    assert f"?other={merged.pk}" in response.content.decode()


def test_compare_page_shows_choices_defaults_and_what_moves(client, pair):
    survivor, merged = pair
    client.force_login(admin_user())
    html = client.get(reverse("contacts:merge", args=[survivor.pk]), {"other": merged.pk}).content.decode()
    assert 'name="first_name" value="merged" checked' in html  # both filled: the newer record's
    assert 'name="date_of_birth" value="merged" checked' in html  # empty on the survivor
    assert "1 case" in html
    assert "+13125550155" in html or "(312) 555-0155" in html


def test_confirm_merges_redirects_to_done_and_the_tombstone_redirects(client, pair):
    survivor, merged = pair
    client.force_login(admin_user())
    response = client.post(
        reverse("contacts:merge", args=[survivor.pk]),
        {"other": merged.pk, "first_name": "merged", "primary_phone": "+13125550155"},
    )
    record = MergeRecord.objects.get()
    assert response.status_code == 302 and response.url == reverse("contacts:merge_done", args=[record.pk])
    survivor.refresh_from_db()
    assert survivor.first_name == "Bob"
    assert survivor.phones.get(is_primary=True).number == "+13125550155"
    profile = client.get(reverse("contacts:detail", args=[merged.pk]))
    assert profile.status_code == 302 and profile.url == survivor.get_absolute_url()
    done = client.get(response.url).content.decode()
    assert "Undo merge" in done


def test_undo_from_the_done_page_restores_the_contact(client, pair):
    survivor, merged = pair
    client.force_login(admin_user())
    client.post(reverse("contacts:merge", args=[survivor.pk]), {"other": merged.pk})
    record = MergeRecord.objects.get()
    response = client.post(reverse("contacts:merge_undo", args=[record.pk]))
    assert response.status_code == 302 and response.url == merged.get_absolute_url()
    assert Contact.objects.get(pk=merged.pk).merged_into_id is None


def test_merging_into_itself_is_refused_with_a_message(client, pair):
    survivor, _merged = pair
    client.force_login(admin_user())
    response = client.get(reverse("contacts:merge", args=[survivor.pk]), {"other": survivor.pk}, follow=True)
    assert "cannot be merged into itself" in response.content.decode()


def test_merging_a_tombstone_is_refused(client, pair):
    survivor, merged = pair
    third = ContactFactory()
    client.force_login(admin_user())
    client.post(reverse("contacts:merge", args=[survivor.pk]), {"other": merged.pk})
    response = client.post(reverse("contacts:merge", args=[third.pk]), {"other": merged.pk}, follow=True)
    assert "already been merged" in response.content.decode()
    assert MergeRecord.objects.count() == 1


def test_staff_without_merge_permission_get_403(client, pair):
    survivor, merged = pair
    client.force_login(UserFactory())
    assert client.get(reverse("contacts:merge", args=[survivor.pk])).status_code == 403
    assert client.post(reverse("contacts:merge", args=[survivor.pk]), {"other": merged.pk}).status_code == 403
    assert Contact.objects.get(pk=merged.pk).merged_into_id is None


def test_unknown_contact_is_a_404(client):
    client.force_login(admin_user())
    assert client.get(reverse("contacts:merge", args=[999999])).status_code == 404
