"""Who may export contacts: Admins; Staff only when the firm sets STAFF_MAY_EXPORT."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from contacts.roles import STAFF, ensure_roles
from contacts.tests.factories import ContactFactory, UserFactory, admin_user

pytestmark = pytest.mark.django_db

EXPORT_WITH_BIRTH_DATES = {"fields": ["first_name", "date_of_birth"], "format": "csv"}


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_may_not_export_by_default(client, method):
    ContactFactory(first_name="Dora", date_of_birth=datetime.date(1970, 5, 6))
    staff = signed_in(client, UserFactory(username="sam"))
    response = getattr(staff, method)(reverse("contacts:export"), EXPORT_WITH_BIRTH_DATES)
    assert response.status_code == 403
    assert b"1970-05-06" not in response.content


def test_staff_may_not_follow_a_background_export_either(client):
    staff = signed_in(client, UserFactory(username="sam"))
    job_id = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    assert staff.get(reverse("contacts:export_job", args=[job_id])).status_code == 403
    assert staff.get(reverse("contacts:export_download", args=[job_id])).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_admins_export(client, method):
    ContactFactory(first_name="Dora", date_of_birth=datetime.date(1970, 5, 6))
    admin = signed_in(client, admin_user(username="ada"))
    response = getattr(admin, method)(reverse("contacts:export"), EXPORT_WITH_BIRTH_DATES)
    assert response.status_code == 200
    if method == "post":
        assert response["Content-Type"].startswith("text/csv")
        assert "1970-05-06" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_export_button_shows_only_to_those_who_may_export(client):
    staff_page = signed_in(client, UserFactory(username="sam")).get(reverse("contacts:list")).content.decode()
    assert reverse("contacts:export") not in staff_page
    admin_page = signed_in(client, admin_user(username="ada")).get(reverse("contacts:list")).content.decode()
    assert reverse("contacts:export") in admin_page


def test_a_firm_can_let_staff_export(client, settings):
    settings.STAFF_MAY_EXPORT = True
    ensure_roles()
    staff = signed_in(client, UserFactory(username="sam"))
    assert staff.post(reverse("contacts:export"), EXPORT_WITH_BIRTH_DATES).status_code == 200


def test_staff_who_could_export_before_lose_it_at_the_next_migrate(client, settings):
    """Earlier versions gave the Staff role the export permission; migrate takes it back."""
    Group.objects.get(name=STAFF).permissions.add(Permission.objects.get(codename="export_contacts"))
    settings.STAFF_MAY_EXPORT = False
    ensure_roles()
    staff = signed_in(client, UserFactory(username="sam"))
    assert staff.post(reverse("contacts:export"), EXPORT_WITH_BIRTH_DATES).status_code == 403
