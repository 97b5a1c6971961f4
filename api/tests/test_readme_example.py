"""The README's curl example, over real HTTP on loopback: create a contact, find its
duplicates, preview the merge, merge, undo."""

import requests

from api.services import token_create
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user


def test_create_find_duplicates_preview_merge_and_undo_over_http(live_server, transactional_db):
    _token, text = token_create(
        user=admin_user(username="intake"), name="Intake form", scopes=["read", "write", "merge"]
    )
    existing = ContactFactory(first_name="María", last_name="Lopez")
    ContactPhoneFactory(contact=existing, number="+13125550101", is_primary=True)
    api = f"{live_server.url}/api/v1"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {text}"

    created = session.post(
        f"{api}/contacts/",
        json={
            "first_name": "Maria",
            "last_name": "Lopez",
            "phones": [{"number": "(312) 555-0101", "kind": "mobile"}],
            "emails": [{"email": "maria@example.com"}],
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]

    found = session.get(f"{api}/contacts/{new_id}/duplicates/", timeout=30).json()
    assert [match["contact"]["id"] for match in found] == [existing.pk]
    assert "Phone match" in found[0]["reasons"]

    preview = session.post(
        f"{api}/contacts/{existing.pk}/merge/",
        json={"merged": new_id, "choices": {"first_name": "merged"}, "dry_run": True},
        timeout=30,
    )
    assert preview.status_code == 200
    assert {"label": "email", "count": 1} in preview.json()["moves"]

    merged = session.post(
        f"{api}/contacts/{existing.pk}/merge/", json={"merged": new_id, "choices": {"first_name": "merged"}}, timeout=30
    )
    assert merged.status_code == 201, merged.text
    survivor = session.get(f"{api}/contacts/{existing.pk}/", timeout=30).json()
    assert survivor["first_name"] == "Maria" and survivor["emails"][0]["email"] == "maria@example.com"

    undone = session.post(f"{api}/merges/{merged.json()['id']}/undo/", timeout=30)
    assert undone.status_code == 200
    assert session.get(f"{api}/contacts/{new_id}/", timeout=30).json()["merged_into"] is None
    assert session.get(f"{api}/contacts/{existing.pk}/", timeout=30).json()["first_name"] == "María"
