"""The possible-duplicates queue at /contacts/duplicates/."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.duplicates import refresh_candidates_for, run_full_scan
from contacts.models import DuplicateCandidate, DuplicateDismissal, DuplicateModel
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


def _queued(a, b, score, model_version="default", **flags):
    """A pair in the queue as the engine would store it (the score fixed, for the page's sake)."""
    return DuplicateCandidate.objects.create(
        contact_a=a, contact_b=b, score=score, model_version=model_version, **{f"{rule}_match": True for rule in flags}
    )


def test_queue_lists_pairs_by_score_with_reasons_and_differences(client):
    a, b = _twins(dob=None)
    c, d = _twins("Elizabeth", "Liz", "+13125550102", email="liz@example.com")
    _queued(a, b, 80, phone=True, name=True)
    _queued(c, d, 100, phone=True, email=True, name=True)
    client.force_login(admin_user())
    response = client.get(reverse("contacts:duplicates"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f"pair-{c.pk}-{d.pk}") < html.index(f"pair-{a.pk}-{b.pk}")  # 100 before 80
    assert "Phone match" in html and "Email match" in html and "Name match" in html
    assert 'class="differs"' in html  # Robert / Bob differ
    assert f"{reverse('contacts:merge', args=[a.pk])}?other={b.pk}" in html


def test_queue_filters_by_rule_and_score(client):
    a, b = _twins(dob=None)
    c, d = _twins("Elizabeth", "Liz", "+13125550102", email="liz@example.com")
    _queued(a, b, 80, phone=True, name=True)
    _queued(c, d, 100, phone=True, email=True, name=True)
    client.force_login(UserFactory())
    html = client.get(reverse("contacts:duplicates"), {"rule": "email"}).content.decode()
    assert f"pair-{c.pk}-{d.pk}" in html and f"pair-{a.pk}-{b.pk}" not in html
    html = client.get(reverse("contacts:duplicates"), {"min_score": "90"}).content.decode()
    assert f"pair-{c.pk}-{d.pk}" in html and f"pair-{a.pk}-{b.pk}" not in html
    html = client.get(reverse("contacts:duplicates"), {"rule": "email"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and f"pair-{c.pk}-{d.pk}" in html  # htmx gets the list only
    assert "Merge…" not in client.get(reverse("contacts:duplicates")).content.decode()  # staff cannot merge


def test_queue_finds_the_pairs_of_a_full_scan(client):
    a, b = _twins(email="bob@example.com")
    run_full_scan()
    client.force_login(UserFactory())
    html = client.get(reverse("contacts:duplicates")).content.decode()
    assert f"pair-{a.pk}-{b.pk}" in html


def _household():
    """Maria Lopez senior and junior: one address, one landline, born a generation apart."""
    people = [
        ContactFactory(
            first_name="Maria",
            last_name="Lopez",
            address_line1="5 Elm St",
            city="Chicago",
            postal_code="60602",
            date_of_birth=born,
        )
        for born in (datetime.date(1950, 3, 1), datetime.date(1979, 6, 9))
    ]
    for person in people:
        ContactPhoneFactory(contact=person, number="+13125550199")
    return people


def _chart(html: str, a, b) -> str:
    start = html.index(f'id="pair-{a.pk}-{b.pk}"')
    return html[html.index('class="weights"', start) : html.index("</table>", html.index('class="weights"', start))]


def test_each_pair_shows_its_match_weights_for_and_against(client):
    senior, junior = _household()
    _queued(senior, junior, 20, phone=True, name=True)
    client.force_login(UserFactory())
    html = client.get(reverse("contacts:duplicates"), {"min_score": 0}).content.decode()
    chart = _chart(html, senior, junior)
    assert "Why: match weights" in html
    # One row per piece of evidence: the field, the finding, the bits as text and a bar.
    assert "Date of birth" in chart and "different" in chart
    assert "Household" in chart and "born a generation apart" in chart
    assert 'class="weight-against"' in chart and "\u22126.4" in chart  # −6.4, a true minus sign
    assert 'class="weight-for"' in chart and "+12.8" in chart  # the shared phone
    assert "bar w-15 capped" in chart  # the household's −29.5 is cut at the scale's end
    assert 'class="bar-track" aria-hidden="true"' in chart  # the bars are decoration; the text says it
    assert "Starting odds" in chart and re.search(r"1 in [\d,]+ pairs is one person", chart)
    assert "Match probability 20% · scored by model default" in html
    assert ' style="' not in html  # the CSP allows no inline style


def test_a_pair_scored_by_an_older_model_says_so(client):
    a, b = _twins()
    _queued(a, b, 90, model_version="20260101-000000", phone=True, name=True)
    client.force_login(UserFactory())
    html = client.get(reverse("contacts:duplicates")).content.decode()
    assert "scored by model 20260101-000000 at 90%" in html
    assert "the weights above are those of model default, in use now" in html


def test_queue_says_which_model_scores_the_pairs(client):
    client.force_login(UserFactory())
    html = client.get(reverse("contacts:duplicates")).content.decode()
    assert "Not trained yet: scores use built-in defaults" in html and "manage.py train_duplicate_model" in html
    DuplicateModel.objects.create(version="20261129-224501", contacts=12345, parameters={})
    html = client.get(reverse("contacts:duplicates")).content.decode()
    assert "Duplicate model 20261129-224501, trained" in html and "on 12,345 contacts" in html


def test_query_count_does_not_grow_with_the_page(client, django_assert_max_num_queries):
    client.force_login(admin_user())
    for index in range(3):
        a, b = _twins(number=f"+1312555{index:04d}")
        _queued(a, b, 90, phone=True)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("contacts:duplicates"))
    for index in range(3, 30):
        a, b = _twins(number=f"+1312555{index:04d}", email=f"twin{index}@example.com")
        _queued(a, b, 90, phone=True, email=True)
    # session, user, 2 × permissions (Merge buttons), the groups, the page's pairs, their
    # contacts, phones, emails, the active model, the scan banner, the model line
    # 13: without a trained model, the prior is scaled to the table's size (one indexed look-up).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("contacts:duplicates"))
    assert len(response.context["clusters"]) == 20
    with CaptureQueriesContext(connection) as full:
        client.get(reverse("contacts:duplicates"))
    assert len(full) == len(few)


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
