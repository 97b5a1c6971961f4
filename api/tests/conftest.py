import pytest
from rest_framework.test import APIClient

from api.services import token_create
from contacts.tests.factories import UserFactory, admin_user

ALL_SCOPES = ["read", "write", "merge", "import", "export"]


@pytest.fixture
def make_client(db):
    """A client sending `Authorization: Bearer <token>` for a new token of `user` (an Admin
    by default) with `scopes` (all by default)."""

    def make(scopes=None, user=None):
        user = user or admin_user(username="api-admin")
        _token, text = token_create(user=user, name="test", scopes=scopes or ALL_SCOPES)
        client = APIClient(enforce_csrf_checks=True)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
        client.token_text = text
        client.user = user
        return client

    return make


@pytest.fixture
def api_client(make_client):
    return make_client()


@pytest.fixture
def staff_user(db):
    return UserFactory(username="api-staff")
