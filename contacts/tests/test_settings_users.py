"""Settings → Users and roles: Admins change roles and deactivate accounts; Staff read."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from activity.models import ActivityEvent
from contacts.roles import ADMIN, STAFF
from contacts.tests.factories import UserFactory, admin_user
from security.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def test_users_are_listed_with_their_role_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(admin_user(username="ada", first_name="Ada", last_name="Admin"))
    for n in range(12):
        UserFactory(username=f"clerk{n}")
    # session, user, the users, their role groups, 2 × permissions, the recent changes
    with django_assert_max_num_queries(8):
        page = client.get(reverse("settings:users")).content.decode()
    assert "clerk11" in page and "Ada Admin" in page
    assert page.count(">Deactivate<") == 12  # everyone but yourself


def test_an_admin_makes_a_staff_member_admin_and_both_logs_hear_of_it(client):
    admin = admin_user(username="ada")
    clerk = UserFactory(username="sam")
    client.force_login(admin)
    earlier = SecurityEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.post(reverse("settings:user_role", args=[clerk.pk]), {"role": ADMIN}, follow=True)
    assert "is now Admin." in response.content.decode()
    assert list(clerk.groups.values_list("name", flat=True)) == [ADMIN]
    event = ActivityEvent.objects.get(event_type="settings")
    assert event.description == "Users and roles: sam's role changed from Staff to Admin"
    assert (event.data["before"], event.data["after"]) == ({"role": "Staff"}, {"role": "Admin"})
    logged = SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED, user=clerk, id__gt=earlier).order_by(
        "id"
    )
    changes = [(e.details.get("removed"), e.details.get("added")) for e in logged]
    assert changes == [(["Staff"], None), (None, ["Admin"])]


def test_an_admin_cannot_change_their_own_role(client):
    admin = admin_user(username="ada")
    client.force_login(admin)
    response = client.post(reverse("settings:user_role", args=[admin.pk]), {"role": STAFF}, follow=True)
    assert "You can&#x27;t change your own role: ask another Admin." in response.content.decode()
    assert admin.groups.filter(name=ADMIN).exists()


def test_a_deactivated_user_can_no_longer_sign_in(client):
    clerk = UserFactory(username="sam")
    client.force_login(admin_user())
    response = client.post(reverse("settings:user_active", args=[clerk.pk]), {"active": "0"}, follow=True)
    assert "is deactivated: they can no longer sign in." in response.content.decode()
    assert not get_user_model().objects.get(pk=clerk.pk).is_active
    assert ActivityEvent.objects.get(event_type="settings").description == "Users and roles: sam deactivated"
    client.logout()
    response = client.post("/login/", {"username": "sam", "password": "correct horse battery"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_staff_read_the_users_but_cannot_change_them(client):
    client.force_login(UserFactory(username="sam"))
    other = UserFactory(username="lee")
    page = client.get(reverse("settings:users")).content.decode()
    assert "lee" in page and ">Deactivate<" not in page
    assert client.post(reverse("settings:user_role", args=[other.pk]), {"role": ADMIN}).status_code == 403
    assert client.post(reverse("settings:user_active", args=[other.pk]), {"active": "0"}).status_code == 403
    assert not other.groups.filter(name=ADMIN).exists()


def test_an_unknown_user_is_a_404(client):
    client.force_login(admin_user())
    assert client.post(reverse("settings:user_active", args=[10**9]), {"active": "0"}).status_code == 404
