from activity.models import ActivityEvent, EventType
from contacts.models import Contact
from contacts.tests.factories import ContactFactory


def test_create_contact_with_phones_and_emails(api_client):
    response = api_client.post(
        "/api/v1/contacts/",
        {
            "first_name": "Maria",
            "last_name": "Lopez",
            "phones": [{"number": "(312) 555-0101", "kind": "mobile"}],
            "emails": [{"email": "Maria@Example.com"}],
            "login_source": "web",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phones"] == [{"number": "+13125550101", "kind": "mobile", "is_primary": True}]
    assert body["emails"] == [{"email": "maria@example.com", "kind": "home", "is_primary": True}]
    assert body["login_source"] == "not_installed"  # read-only
    assert ActivityEvent.objects.filter(contact_id=body["id"], event_type=EventType.CREATE).exists()


def test_bad_phone_is_a_400_naming_the_field(api_client):
    response = api_client.post("/api/v1/contacts/", {"first_name": "A", "phones": [{"number": "12"}]}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "phones.0.number" in error["fields"]


def test_a_contact_needs_a_name(api_client):
    response = api_client.post("/api/v1/contacts/", {"city": "Chicago"}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()["error"]["fields"]


def test_list_filters_by_login_source_and_pages_by_cursor(api_client):
    for index in range(3):
        ContactFactory(last_name=f"Web{index}", web_last_login_at="2026-01-01T00:00Z", login_source="web")
    ContactFactory(last_name="Never")
    first = api_client.get("/api/v1/contacts/?login_source=web&page_size=2").json()
    assert [row["last_name"] for row in first["results"]] == ["Web0", "Web1"]
    second = api_client.get(first["next"]).json()
    assert [row["last_name"] for row in second["results"]] == ["Web2"]
    assert second["next"] is None


def test_reading_a_contact_is_a_data_access_event_via_api(api_client):
    contact = ContactFactory()
    response = api_client.get(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 200
    event = ActivityEvent.objects.get(contact_id=contact.pk, event_type=EventType.DATA_ACCESS)
    assert event.is_compliance and "via API" in event.description
    assert event.actor_user_id == api_client.user.pk


def test_patch_keeps_what_is_left_out(api_client):
    contact = ContactFactory(first_name="Ann", last_name="Lee", city="Austin")
    response = api_client.patch(f"/api/v1/contacts/{contact.pk}/", {"do_not_call": True}, format="json")
    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert contact.do_not_call and contact.city == "Austin" and contact.first_name == "Ann"
    assert ActivityEvent.objects.filter(contact_id=contact.pk, is_compliance=True, event_type="update").exists()


def test_archive_hides_the_contact(api_client):
    contact = ContactFactory()
    response = api_client.post(f"/api/v1/contacts/{contact.pk}/archive/")
    assert response.status_code == 200
    assert Contact.objects.get(pk=contact.pk).archived_at is not None
    assert api_client.get("/api/v1/contacts/").json()["results"] == []


def test_unknown_contact_is_a_json_404(api_client):
    response = api_client.get("/api/v1/contacts/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_body_that_is_not_json_is_a_400_on_the_body(api_client):
    response = api_client.post("/api/v1/contacts/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"body": [response.json()["error"]["message"]]}


def test_a_form_encoded_body_is_a_415(api_client):
    response = api_client.post("/api/v1/contacts/", "first_name=A", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
