"""Permissions are read in one statement and are exactly Django's model permissions."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from contacts.tests.factories import UserFactory
from security.backends import PermissionBackend

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The user as a new request loads it (permissions are kept on the object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def staff_with_own_and_group_permissions():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="export_contacts"))
    group = Group.objects.create(name="Case team")
    group.permissions.add(*Permission.objects.filter(codename__in=["view_contact", "change_contact"]))
    user.groups.add(group)
    return user


def test_own_and_group_permissions_are_djangos_in_one_query(
    staff_with_own_and_group_permissions, django_assert_num_queries
):
    user = _fresh(staff_with_own_and_group_permissions)
    with django_assert_num_queries(1):
        permissions = PermissionBackend().get_all_permissions(user)
        assert user.has_perm("contacts.export_contacts") and user.has_perm("contacts.change_contact")
        assert not user.has_perm("contacts.merge_contact")
    assert {"contacts.export_contacts", "contacts.view_contact", "contacts.change_contact"} <= permissions
    assert permissions == ModelBackend().get_all_permissions(_fresh(user))


def test_a_superuser_has_every_permission_and_an_inactive_user_none(staff_with_own_and_group_permissions):
    admin = UserFactory(is_superuser=True)
    assert PermissionBackend().get_all_permissions(_fresh(admin)) == ModelBackend().get_all_permissions(_fresh(admin))
    assert len(PermissionBackend().get_all_permissions(_fresh(admin))) == Permission.objects.count()
    inactive = staff_with_own_and_group_permissions
    inactive.is_active = False
    inactive.save()
    assert PermissionBackend().get_all_permissions(_fresh(inactive)) == set()
    assert not _fresh(inactive).has_perm("contacts.export_contacts")


def test_a_permission_taken_away_counts_from_the_next_request(staff_with_own_and_group_permissions):
    team = Group.objects.get(name="Case team")
    team.permissions.add(Permission.objects.get(codename="merge_contact"))
    user = _fresh(staff_with_own_and_group_permissions)
    assert user.has_perm("contacts.merge_contact")
    team.permissions.clear()
    assert user.has_perm("contacts.merge_contact")  # this request's answer stays
    assert not _fresh(user).has_perm("contacts.merge_contact")
