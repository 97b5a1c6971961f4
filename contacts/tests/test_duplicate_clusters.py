"""Groups of records that may be one person: grouped across the whole queue, and merged in one go."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.dedupe.clustering import clusters, queue_clusters
from contacts.models import Contact, DuplicateCandidate, MergeRecord
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory, admin_user

GROUP_URL = reverse("contacts:duplicates_group")


def _queued(a, b, score, **flags):
    a, b = sorted((a, b), key=lambda contact: contact.pk)
    return DuplicateCandidate.objects.create(contact_a=a, contact_b=b, score=score, phone_match=True, **flags)


def _maria(**fields):
    contact = ContactFactory(first_name="Maria", last_name="Lopez", **fields)
    ContactPhoneFactory(contact=contact, number="+13125550166")
    return contact


# --- The union-find -------------------------------------------------------------------------


def test_pairs_sharing_a_contact_are_one_group_in_the_order_of_their_first_pair():
    pairs = [(1, 2, 99), (7, 8, 90), (2, 3, 60), (4, 5, 55), (3, 9, 50), (5, 4, 40)]
    assert clusters(pairs) == [
        [(1, 2, 99), (2, 3, 60), (3, 9, 50)],
        [(7, 8, 90)],
        [(4, 5, 55), (5, 4, 40)],
    ]


def test_a_pair_joining_two_groups_makes_one():
    assert clusters([(1, 2), (3, 4), (2, 3)]) == [[(1, 2), (3, 4), (2, 3)]]
    assert clusters([]) == []


# --- The whole queue ------------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_clusters_are_ordered_by_best_score_then_lowest_id_and_filtered():
    a, b, c, d, e, f = (ContactFactory() for _ in range(6))
    _queued(a, b, 70)
    _queued(b, c, 95)  # a, b, c: best 95
    _queued(d, e, 95, email_match=True)  # d, e: best 95 too, higher ids
    _queued(e, f, 55)
    found = queue_clusters(min_score=50)
    assert [cluster.contact_ids for cluster in found] == [(a.pk, b.pk, c.pk), (d.pk, e.pk, f.pk)]
    assert [cluster.best_score for cluster in found] == [95, 95]
    assert [pair[2] for pair in found[0].pairs] == [95, 70]
    assert [cluster.contact_ids for cluster in queue_clusters(min_score=60)] == [(a.pk, b.pk, c.pk), (d.pk, e.pk)]
    assert [cluster.contact_ids for cluster in queue_clusters(min_score=0, rule="email")] == [(d.pk, e.pk)]


@pytest.mark.django_db
def test_three_records_of_one_person_show_together_even_when_their_pairs_are_pages_apart(client):
    first, second, third = _maria(), _maria(), _maria()
    _queued(first, second, 99)
    for index in range(25):  # 25 other pairs scoring between the two of Maria's
        _queued(ContactFactory(last_name=f"Other{index}"), ContactFactory(last_name=f"Other{index}"), 90 - index)
    _queued(second, third, 52)  # on page 2 of a queue paged by pair
    client.force_login(admin_user())

    page_one = client.get(reverse("contacts:duplicates")).content.decode()
    page_two = client.get(reverse("contacts:duplicates"), {"page": 2}).content.decode()

    assert f"pair-{first.pk}-{second.pk}" in page_one and f"pair-{second.pk}-{third.pk}" in page_one
    assert "3 records may be one person" in page_one
    assert f"?ids={first.pk},{second.pk},{third.pk}" in page_one  # Merge all 3 records…
    assert page_one.count("records may be one person") == 1
    assert f"pair-{second.pk}-{third.pk}" not in page_two and f"pair-{first.pk}-" not in page_two
    assert "Page 1 of 2 · 26 groups" in page_one


@pytest.mark.django_db
def test_the_page_skips_pairs_of_merged_or_archived_contacts(client):
    first, second, third = _maria(), _maria(), _maria()
    _queued(first, second, 99)
    _queued(second, third, 90)
    Contact.objects.filter(pk=third.pk).update(archived_at=timezone.now())
    client.force_login(admin_user())
    html = client.get(reverse("contacts:duplicates")).content.decode()
    assert f"pair-{first.pk}-{second.pk}" in html and f"pair-{second.pk}-{third.pk}" not in html
    assert "records may be one person" not in html  # two live records left: the pair's own Merge… does it


@pytest.mark.django_db
def test_staff_without_the_merge_permission_see_no_group_merge_and_get_403(client):
    first, second, third = _maria(), _maria(), _maria()
    _queued(first, second, 99)
    _queued(second, third, 90)
    client.force_login(UserFactory())
    assert "Merge all" not in client.get(reverse("contacts:duplicates")).content.decode()
    ids = f"{first.pk},{second.pk},{third.pk}"
    assert client.get(GROUP_URL, {"ids": ids}).status_code == 403
    assert client.post(GROUP_URL, {"ids": ids, "keep": first.pk}).status_code == 403
    assert not Contact.objects.exclude(merged_into=None).exists()


# --- Merging a group ------------------------------------------------------------------------


@pytest.mark.django_db
def test_group_page_lists_the_records_with_the_oldest_chosen_to_keep(client):
    first, second, third = _maria(), _maria(date_of_birth=datetime.date(1966, 6, 6)), _maria()
    client.force_login(admin_user())
    response = client.get(GROUP_URL, {"ids": f"{third.pk},{first.pk},{second.pk}"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Merge 3 records into one" in html and "Jun 6, 1966" in html
    assert f'name="keep" value="{first.pk}" aria-describedby="record-{first.pk}" checked' in html
    assert f'name="keep" value="{second.pk}" aria-describedby="record-{second.pk}">' in html
    assert f'name="ids" value="{first.pk},{second.pk},{third.pk}"' in html


@pytest.mark.django_db
def test_group_merge_merges_every_record_into_the_chosen_one_and_each_can_be_undone(client):
    first = _maria()
    second = _maria(date_of_birth=datetime.date(1966, 6, 6))
    third = _maria(address_line1="12 Oak St")
    ContactEmailFactory(contact=third, email="maria.lopez@example.com")
    client.force_login(admin_user())

    response = client.post(GROUP_URL, {"ids": f"{first.pk},{second.pk},{third.pk}", "keep": second.pk})

    records = list(MergeRecord.objects.order_by("id"))
    assert [(r.survivor_id, r.merged_contact_id) for r in records] == [(second.pk, first.pk), (second.pk, third.pk)]
    assert response.status_code == 302
    assert response.url == f"{reverse('contacts:duplicates_group_done')}?merges={records[0].pk},{records[1].pk}"
    kept = Contact.objects.get(pk=second.pk)
    assert kept.merged_into_id is None and kept.address_line1 == "12 Oak St"  # blanks filled
    assert kept.phones.count() == 1 and kept.emails.count() == 1
    assert set(Contact.objects.filter(merged_into=second).values_list("pk", flat=True)) == {first.pk, third.pk}

    done = client.get(response.url).content.decode()
    for record in records:
        assert reverse("contacts:merge_done", args=[record.pk]) in done
    assert "Merge of #" in done and "Maria Lopez" in done

    for record in reversed(records):  # the last merge first
        assert client.post(reverse("contacts:merge_undo", args=[record.pk])).status_code == 302
    assert not Contact.objects.exclude(merged_into=None).exists()
    assert Contact.objects.get(pk=second.pk).address_line1 == ""
    assert Contact.objects.get(pk=third.pk).emails.count() == 1


@pytest.mark.django_db
def test_group_merge_refuses_a_group_it_cannot_merge_and_merges_nothing(client):
    first, second, third = _maria(), _maria(), _maria()
    client.force_login(admin_user())
    archived = _maria(archived_at=timezone.now())
    merged_away = _maria(merged_into=first)
    many = ",".join(str(ContactFactory().pk) for _ in range(21))
    cases = {
        str(first.pk): "at least two records",
        f"{first.pk},{first.pk}": "at least two records",
        many: "At most 20 records",
        f"{first.pk},{second.pk},{archived.pk}": "is archived",
        f"{first.pk},{second.pk},{merged_away.pk}": "has already been merged",
    }
    for ids, message in cases.items():
        for response in (client.get(GROUP_URL, {"ids": ids}), client.post(GROUP_URL, {"ids": ids, "keep": first.pk})):
            assert response.status_code == 400
            assert message in response.content.decode() and "Nothing was merged" in response.content.decode()
    response = client.post(GROUP_URL, {"ids": f"{first.pk},{second.pk}", "keep": third.pk})  # not one of them
    assert response.status_code == 400 and "Choose the record to keep" in response.content.decode()
    assert not MergeRecord.objects.exists()


@pytest.mark.django_db
def test_group_merge_of_ids_that_are_not_contacts_is_a_404(client):
    first = _maria()
    client.force_login(admin_user())
    assert client.get(GROUP_URL, {"ids": f"{first.pk},999999"}).status_code == 404
    assert client.get(GROUP_URL, {"ids": f"{first.pk},abc"}).status_code == 404
    assert client.post(GROUP_URL, {"ids": f"{first.pk},999999", "keep": first.pk}).status_code == 404
    assert client.get(reverse("contacts:duplicates_group_done"), {"merges": "999999"}).status_code == 404
