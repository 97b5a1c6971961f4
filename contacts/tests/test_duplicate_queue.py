"""The possible-duplicates queue at /contacts/duplicates/."""

import datetime

import pytest
from django.urls import reverse

from contacts.duplicates import refresh_candidates_for, run_full_scan
from contacts.models import DuplicateCandidate, DuplicateDismissal
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory, admin_user

pytestmark = pytest.mark.django_db


def _twins(first="Robert", nickname="Bob", number="+13125550101", email=None, dob=datetime.date(1970, 1, 1)):
    a = ContactFactory(first_name=first, last_name="Smith", date_of_birth=dob)
    b = ContactFactory(first_name=nickname, last_name="Smith", date_of_birth=dob)
    for contact in (a, b):
        ContactPhoneFactory(contact=contact, number=number)
        if email:
            ContactEmailFactory(contact=contact, email=email)
    return a, b


def test_queue_lists_pairs_by_score_with_reasons_and_differences(client, django_assert_max_num_queries):
    a, b = _twins(dob=None)
    c, d = _twins("Elizabeth", "Liz", "+13125550102", email="liz@example.com")
    run_full_scan()
    client.force_login(admin_user())
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contacts:duplicates"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f"pair-{c.pk}-{d.pk}") < html.index(f"pair-{a.pk}-{b.pk}")  # 100 before 80
    assert "Phone match" in html and "Email match" in html and "Name match" in html
    assert 'class="differs"' in html  # Robert / Bob differ
    assert f"{reverse('contacts:merge', args=[a.pk])}?other={b.pk}" in html


def test_queue_filters_by_rule_and_score(client):
    a, b = _twins(dob=None)  # phone and name only: 80
    c, d = _twins("Elizabeth", "Liz", "+13125550102", email="liz@example.com")  # 100
    run_full_scan()
    client.force_login(UserFactory())
    html = client.get(reverse("contacts:duplicates"), {"rule": "email"}).content.decode()
    assert f"pair-{c.pk}-{d.pk}" in html and f"pair-{a.pk}-{b.pk}" not in html
    html = client.get(reverse("contacts:duplicates"), {"min_score": "90"}).content.decode()
    assert f"pair-{c.pk}-{d.pk}" in html and f"pair-{a.pk}-{b.pk}" not in html
    html = client.get(reverse("contacts:duplicates"), {"rule": "email"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and f"pair-{c.pk}-{d.pk}" in html  # htmx gets the list only
    assert "Merge…" not in client.get(reverse("contacts:duplicates")).content.decode()  # staff cannot merge


def test_not_a_duplicate_is_stored_and_never_suggested_again(client):
    a, b = _twins()
    run_full_scan()
    client.force_login(UserFactory())
    response = client.post(reverse("contacts:duplicates_dismiss"), {"contact_a": b.pk, "contact_b": a.pk})
    assert response.status_code == 302
    assert DuplicateDismissal.objects.filter(contact_a=a, contact_b=b).exists()
    run_full_scan()
    refresh_candidates_for([a.pk, b.pk])
    assert not DuplicateCandidate.objects.exists()


def test_dismissing_a_missing_contact_is_a_404(client):
    client.force_login(UserFactory())
    assert client.post(reverse("contacts:duplicates_dismiss"), {"contact_a": 1, "contact_b": 999999}).status_code == 404


def test_changes_refresh_the_queue_for_that_contact():
    a, b = _twins()
    refresh_candidates_for([a.pk])
    assert DuplicateCandidate.objects.filter(contact_a=a, contact_b=b).exists()
    b.phones.all().delete()
    b.date_of_birth = datetime.date(1999, 9, 9)
    b.save()
    refresh_candidates_for([b.pk])
    assert not DuplicateCandidate.objects.exists()


def test_bulk_merge_previews_exact_matches_and_merges_the_chosen_pairs(client):
    a, b = _twins(email="bob@example.com")
    c, d = _twins("Ann", "Anne", "+13125550109")  # phone only: not exact
    run_full_scan()
    client.force_login(admin_user())
    preview = client.get(reverse("contacts:duplicates_bulk_merge")).content.decode()
    assert f'value="{a.pk}-{b.pk}"' in preview and f'value="{c.pk}-{d.pk}"' not in preview
    response = client.post(reverse("contacts:duplicates_bulk_merge"), {"pair": [f"{a.pk}-{b.pk}"]})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into_id == a.pk


def test_staff_cannot_bulk_merge_or_scan(client):
    client.force_login(UserFactory())
    assert client.get(reverse("contacts:duplicates_bulk_merge")).status_code == 403
    assert client.post(reverse("contacts:duplicates_scan")).status_code == 403


def test_bulk_merge_folds_a_cluster_of_three_into_the_oldest_record(client):
    dob = datetime.date(1966, 6, 6)
    people = [ContactFactory(first_name="Maria", last_name="Lopez", date_of_birth=dob) for _ in range(3)]
    for contact in people:
        ContactPhoneFactory(contact=contact, number="+13125550166")
        ContactEmailFactory(contact=contact, email="maria.lopez@example.com")
    run_full_scan()
    assert DuplicateCandidate.objects.count() == 3
    client.force_login(admin_user())
    pairs = [f"{a.pk}-{b.pk}" for i, a in enumerate(people) for b in people[i + 1 :]]
    client.post(reverse("contacts:duplicates_bulk_merge"), {"pair": pairs})
    oldest = people[0]
    for contact in people[1:]:
        contact.refresh_from_db()
        assert contact.merged_into_id == oldest.pk
    assert oldest.phones.count() == 1 and oldest.emails.count() == 1
