"""Merging through the API is the web flow's merge: the same field choices, a dry run that
changes nothing, and an undo that returns the database to its former state."""

from activity.models import ActivityEvent
from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.models import Contact, DuplicateDismissal, MergeRecord, Note
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory
from contacts.tests.test_merge import _portal_link, database_state


def _pair():
    survivor = ContactFactory(first_name="Liz", last_name="Taylor")
    merged = ContactFactory(first_name="Elizabeth", last_name="Taylor", do_not_email=True)
    ContactPhoneFactory(contact=survivor, number="+13125550101", is_primary=True)
    ContactPhoneFactory(contact=merged, number="+13125550101", is_primary=True)
    ContactEmailFactory(contact=merged, email="liz@example.com")
    case = CaseFactory()
    CaseContactFactory(case=case, contact=survivor, role="witness")
    CaseContactFactory(case=case, contact=merged, role="client")
    _portal_link(merged)
    Note.objects.create(contact=merged, body_html="<p>n</p>")
    return survivor, merged


def test_dry_run_shows_the_choices_and_what_moves_and_changes_nothing(api_client):
    survivor, merged = _pair()
    before = database_state()
    response = api_client.post(
        f"/api/v1/contacts/{survivor.pk}/merge/",
        {"merged": merged.pk, "choices": {"first_name": "merged"}, "dry_run": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    first_name = next(row for row in body["fields"] if row["key"] == "first_name")
    assert first_name == {
        "key": "first_name",
        "label": "First name",
        "survivor": "Liz",
        "merged": "Elizabeth",
        "choice": "merged",
    }
    assert {"label": "note", "count": 1} in body["moves"]
    assert database_state() == before
    assert not MergeRecord.objects.exists()


def test_merge_then_undo_restores_everything(api_client):
    survivor, merged = _pair()
    before = database_state()

    response = api_client.post(
        f"/api/v1/contacts/{survivor.pk}/merge/",
        {"merged": merged.pk, "choices": {"first_name": "merged"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    record_id = response.json()["id"]
    survivor.refresh_from_db()
    assert survivor.first_name == "Elizabeth" and survivor.do_not_email
    assert Contact.objects.get(pk=merged.pk).merged_into_id == survivor.pk
    tombstone = api_client.get(f"/api/v1/contacts/{merged.pk}/").json()
    assert tombstone["merged_into"] == survivor.pk
    assert ActivityEvent.objects.filter(contact_id=survivor.pk, event_type="merge").count() == 1

    undone = api_client.post(f"/api/v1/merges/{record_id}/undo/")
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert database_state() == before

    again = api_client.post(f"/api/v1/merges/{record_id}/undo/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_merging_into_itself_or_an_unknown_group_is_a_400(api_client):
    survivor, merged = _pair()
    itself = api_client.post(f"/api/v1/contacts/{survivor.pk}/merge/", {"merged": survivor.pk}, format="json")
    assert itself.status_code == 400 and "merged" in itself.json()["error"]["fields"]
    unknown = api_client.post(
        f"/api/v1/contacts/{survivor.pk}/merge/",
        {"merged": merged.pk, "choices": {"shoe_size": "merged"}},
        format="json",
    )
    assert unknown.status_code == 400 and "choices" in unknown.json()["error"]["fields"]


def test_duplicates_of_a_contact_then_dismiss(api_client):
    survivor, merged = _pair()
    found = api_client.get(f"/api/v1/contacts/{survivor.pk}/duplicates/").json()
    assert [match["contact"]["id"] for match in found] == [merged.pk]
    assert found[0]["score"] >= 50 and found[0]["reasons"]

    response = api_client.post(
        "/api/v1/duplicates/dismiss/", {"contact_a": merged.pk, "contact_b": survivor.pk}, format="json"
    )
    assert response.status_code == 204
    assert DuplicateDismissal.objects.filter(contact_a=survivor.pk, contact_b=merged.pk).exists()
    assert api_client.get(f"/api/v1/contacts/{survivor.pk}/duplicates/").json() == []
