"""Each scope allows exactly its calls: a token with only the scope a call needs gets past the
scope check; a token with every other scope gets 403 insufficient_scope. And a token never
does more than its user may: a Staff user's token is refused what the Staff role is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.tests.conftest import ALL_SCOPES
from cases.tests.factories import TaskFactory
from contacts.importing.service import store_upload
from contacts.merge import contact_merge
from contacts.tests.factories import ContactFactory, admin_user
from portal.tests.factories import contact_on_case

# (method, url template, body, scope)
CALLS = [
    ("get", "/api/v1/contacts/", None, "read"),
    ("post", "/api/v1/contacts/", {"first_name": "New"}, "write"),
    ("get", "/api/v1/contacts/{contact}/", None, "read"),
    ("patch", "/api/v1/contacts/{contact}/", {"city": "Austin"}, "write"),
    ("post", "/api/v1/contacts/{other}/archive/", None, "write"),
    ("get", "/api/v1/contacts/{contact}/duplicates/", None, "read"),
    ("get", "/api/v1/contacts/{contact}/activity/", None, "read"),
    ("get", "/api/v1/contacts/{contact}/compliance-report/?date_from=2026-01-01&date_to=2026-12-31", None, "read"),
    ("get", "/api/v1/contacts/{contact}/tasks/", None, "read"),
    ("post", "/api/v1/contacts/{contact}/tasks/{task}/fill/", {"response": {"done": True}}, "write"),
    ("post", "/api/v1/contacts/{other}/cases/", {"case": "{case}"}, "write"),
    ("post", "/api/v1/contacts/{contact}/merge/", {"merged": "{twin}", "dry_run": True}, "merge"),
    ("post", "/api/v1/merges/{record}/undo/", None, "merge"),
    ("get", "/api/v1/duplicates/", None, "read"),
    ("post", "/api/v1/duplicates/dismiss/", {"contact_a": "{contact}", "contact_b": "{other}"}, "merge"),
    ("get", "/api/v1/contacts/export/", None, "export"),
    ("post", "/api/v1/imports/", "upload", "import"),
    ("get", "/api/v1/imports/{batch}/", None, "import"),
    ("post", "/api/v1/imports/{batch}/preview/", {"mapping": ["first_name", "last_name"]}, "import"),
    ("post", "/api/v1/imports/{batch}/run/", {}, "import"),
    ("get", "/api/v1/cases/", None, "read"),
    ("get", "/api/v1/cases/{case}/", None, "read"),
    ("get", "/api/v1/cases/{case}/tasks/", None, "read"),
    ("post", "/api/v1/cases/{case}/contacts/{contact}/share-link/", {"channel": "email"}, "write"),
]


@pytest.fixture
def world(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    admin = admin_user(username="api-admin")
    contact, case = contact_on_case(first_name="Ana", last_name="Diaz", timezone="America/Chicago")
    twin = ContactFactory(first_name="Ana", last_name="Diaz")
    gone = ContactFactory(first_name="Old", last_name="Record")
    record = contact_merge(survivor=twin, merged=gone, user=admin)
    csv = SimpleUploadedFile("people.csv", b"First,Last\nAmy,Ng\n", content_type="text/csv")
    batch = store_upload(csv, user=admin)
    task = TaskFactory(case=case, contact=contact, title="Call the clinic")
    return {
        "admin": admin,
        "task": task.pk,
        "contact": contact.pk,
        "other": ContactFactory().pk,
        "twin": twin.pk,
        "case": case.pk,
        "record": record.pk,
        "batch": batch.pk,
    }


def _call(client, method, url, body, world):
    url = url.format(**world)
    if body == "upload":
        upload = SimpleUploadedFile("more.csv", b"First,Last\nBo,Li\n", content_type="text/csv")
        return client.post(url, {"file": upload}, format="multipart")
    if isinstance(body, dict):
        body = {
            key: int(value.format(**world)) if isinstance(value, str) and "{" in value else value
            for key, value in body.items()
        }
        return getattr(client, method)(url, body, format="json")
    return getattr(client, method)(url)


@pytest.mark.parametrize(("method", "url", "body", "scope"), CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_the_scope_a_call_needs_lets_it_through(make_client, world, method, url, body, scope):
    client = make_client(scopes=[scope], user=world["admin"])
    response = _call(client, method, url, body, world)
    assert response.status_code not in (401, 403, 500), (response.status_code, response.content[:300])


@pytest.mark.parametrize(("method", "url", "body", "scope"), CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_every_other_scope_is_refused(make_client, world, method, url, body, scope):
    client = make_client(scopes=[other for other in ALL_SCOPES if other != scope], user=world["admin"])
    response = _call(client, method, url, body, world)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_every_api_url_is_in_the_table(world):
    from django.urls import get_resolver, resolve

    (api,) = [entry for entry in get_resolver().url_patterns if getattr(entry, "namespace", None) == "api"]
    every = {f"api:{pattern.name}" for pattern in api.url_patterns} - {"api:schema", "api:docs", "api:not_found"}
    tested = {resolve(url.format(**world).split("?")[0]).view_name for _m, url, _b, _s in CALLS}
    assert every == tested


@pytest.mark.parametrize(
    ("method", "url", "body", "scope"),
    [
        ("get", "/api/v1/contacts/export/", None, "export"),
        ("post", "/api/v1/contacts/{contact}/merge/", {"merged": "{twin}", "dry_run": True}, "merge"),
        ("post", "/api/v1/merges/{record}/undo/", None, "merge"),
        ("post", "/api/v1/imports/", "upload", "import"),
    ],
)
def test_a_staff_users_token_cannot_do_what_staff_may_not(make_client, world, staff_user, method, url, body, scope):
    client = make_client(scopes=ALL_SCOPES, user=staff_user)
    response = _call(client, method, url, body, world)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
