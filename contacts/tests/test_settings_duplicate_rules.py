"""Settings → Duplicate rules: the rules and thresholds, and what the model has learned."""

import pytest
from django.urls import reverse

from activity.models import ActivityEvent
from contacts.tests.factories import UserFactory, admin_user

pytestmark = pytest.mark.django_db


def test_the_import_cannot_be_surer_than_the_queue(client):
    client.force_login(admin_user())
    response = client.post(
        reverse("settings:duplicates"),
        {"duplicate_rules": ["phone", "email"], "duplicate_min_score": 80, "duplicate_auto_match_score": 60},
    )
    assert response.status_code == 400
    assert "This must be at least the score from which duplicates are suggested (80)" in response.content.decode()


def test_switching_a_duplicate_rule_off_is_saved_and_used(client):
    from contacts.duplicates import active_rules

    client.force_login(admin_user())
    client.post(
        reverse("settings:duplicates"),
        {
            "duplicate_rules": ["phone", "email", "fuzzy"],
            "duplicate_min_score": 50,
            "duplicate_auto_match_score": 95,
            "duplicate_auto_refresh": "on",
        },
    )
    assert active_rules() == {"phone", "email", "fuzzy"}
    event = ActivityEvent.objects.get(event_type="settings")
    assert event.description == (
        "Duplicate rules: Rules that find duplicates changed from Same phone number, Same email address, "
        "Same or similar name (with the date of birth), Fuzzy: name, date of birth and address together to "
        "Same phone number, Same email address, Fuzzy: name, date of birth and address together"
    )


def test_the_duplicate_rules_page_shows_what_the_model_learned(client):
    client.force_login(UserFactory())
    page = client.get(reverse("settings:duplicates")).content.decode()
    assert "What the model has learned" in page
    assert "Not learned yet: the built-in weights are used." in page
    assert "Match weights" in page and "First name" in page


def test_staff_cannot_ask_the_model_to_learn_again(client):
    client.force_login(UserFactory())
    assert client.post(reverse("settings:duplicates_train")).status_code == 403


def test_an_admin_asks_the_model_to_learn_again(client, settings):
    from contacts.models import DuplicateModel

    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(admin_user())
    response = client.post(reverse("settings:duplicates_train"), follow=True)
    assert "The model is learning from the contacts in the background" in response.content.decode()
    assert DuplicateModel.objects.count() == 1
