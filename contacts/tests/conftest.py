"""Fixtures shared by the contacts app's tests."""

import pytest

from contacts.tests.factories import UserFactory


@pytest.fixture
def staff(client):
    """A Staff user, signed in on `client`."""
    user = UserFactory()
    client.force_login(user)
    return user
