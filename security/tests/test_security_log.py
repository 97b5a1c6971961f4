"""The security log: append-only, Admins only, filterable, paged without counting."""

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from contacts.roles import ADMIN
from contacts.tests.factories import ContactFactory, UserFactory, admin_user
from security.models import SecurityEvent, SecurityEventKind
from security.selectors import security_log_page
from security.services import record_security_event

pytestmark = pytest.mark.django_db


def test_staff_may_not_read_the_security_log(client):
    client.force_login(UserFactory())
    assert client.get("/security/log/").status_code == 403


def test_admins_read_it_newest_first(client):
    record_security_event(kind=SecurityEventKind.SIGN_IN_FAILED, username="first-try")
    record_security_event(kind=SecurityEventKind.SIGN_IN_FAILED, username="second-try")
    client.force_login(admin_user())
    response = client.get("/security/log/")
    assert response.status_code == 200
    assert response.text.index("second-try") < response.text.index("first-try")


def test_details_read_as_words(client):
    record_security_event(kind=SecurityEventKind.ROLE_CHANGED, username="pat", details={"is_staff": [False, True]})
    record_security_event(kind=SecurityEventKind.ROLE_CHANGED, username="lee", details={"added": ["Admin", "Staff"]})
    client.force_login(admin_user())
    page = client.get("/security/log/").text
    assert "is staff: no → yes" in page and "added: Admin, Staff" in page


def test_the_log_filters_by_kind_and_user(client):
    record_security_event(kind=SecurityEventKind.SIGN_IN_FAILED, username="pat")
    record_security_event(kind=SecurityEventKind.LOCKOUT, username="pat")
    record_security_event(kind=SecurityEventKind.LOCKOUT, username="lee")
    client.force_login(admin_user(username="ada"))
    response = client.get("/security/log/", {"kind": SecurityEventKind.LOCKOUT, "username": "pat"})
    events = response.context["page"].events
    assert [(event.kind, event.username) for event in events] == [(SecurityEventKind.LOCKOUT, "pat")]


def test_pages_follow_the_id_without_counting(django_assert_num_queries):
    events = [record_security_event(kind=SecurityEventKind.SIGN_IN, username=f"u{n}") for n in range(5)]
    with django_assert_num_queries(1):
        first = security_log_page(size=2)
    assert [event.username for event in first.events] == ["u4", "u3"]
    second = security_log_page(before=first.older_cursor, size=2)
    assert [event.username for event in second.events] == ["u2", "u1"]
    back = security_log_page(after=second.newer_cursor, size=2)
    assert [event.username for event in back.events] == ["u4", "u3"]
    assert security_log_page(before=events[1].pk, size=2).older_cursor is None


def test_security_events_cannot_be_changed_or_deleted():
    event = record_security_event(kind=SecurityEventKind.SIGN_IN, username="pat")
    event.username = "someone else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(pk=event.pk).username == "pat"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql", ["UPDATE security_securityevent SET username = 'x'", "DELETE FROM security_securityevent"]
)
def test_postgresql_refuses_updates_and_deletes_even_in_raw_sql(sql):
    record_security_event(kind=SecurityEventKind.SIGN_IN, username="pat")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert SecurityEvent.objects.get().username == "pat"


def test_the_admin_shows_the_log_read_only(client):
    event = record_security_event(kind=SecurityEventKind.SIGN_IN, username="pat")
    client.force_login(admin_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/security/securityevent/").status_code == 200
    page = client.get(f"/admin/security/securityevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.post(f"/admin/security/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_role_change_is_logged_with_who_made_it(client):
    pat = UserFactory(username="pat")
    client.force_login(admin_user(username="ada", is_staff=True, is_superuser=True))
    admin_group = Group.objects.get(name=ADMIN)
    data = {
        "username": "pat",
        "first_name": "Pat",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [admin_group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    response = client.post(f"/admin/auth/user/{pat.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    changes = SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED, username="pat").order_by("id")
    details = [event.details for event in changes]
    assert {"is_staff": [False, True], "by": "ada", "path": f"/admin/auth/user/{pat.pk}/change/"} in details
    assert any(detail.get("added") == [ADMIN] and detail.get("by") == "ada" for detail in details)
    assert any(detail.get("removed") == ["Staff"] for detail in details)


def test_role_changes_outside_a_request_are_logged_too():
    pat = UserFactory(username="pat")
    pat.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
    pat.is_superuser = True
    pat.save()
    pat.groups.clear()
    details = [
        event.details for event in SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED, username="pat")
    ]
    assert {"added": [ADMIN]} in details
    assert {"is_superuser": [False, True]} in details
    assert {"removed": sorted([ADMIN, "Staff"])} in details


def test_an_export_is_in_the_security_log(client):
    ContactFactory()
    user = admin_user(username="ada")
    client.force_login(user)
    response = client.post(reverse("contacts:export"), {"fields": ["first_name"], "format": "csv"})
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert event.username == "ada" and event.details["rows"] == 1 and event.details["format"] == "csv"
    assert event.client_ip == "127.0.0.1"


def test_deleting_a_user_keeps_their_history():
    pat = UserFactory(username="pat")
    record_security_event(kind=SecurityEventKind.SIGN_IN, user=pat)
    pat.delete()
    assert SecurityEvent.objects.filter(username="pat").exists()
