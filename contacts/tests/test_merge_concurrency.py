"""Two people merging the same pair at once, or A into B while B goes into A: one merge
happens, the other gets a clear message, and no row is lost or orphaned. Real threads on
the real database (PostgreSQL row locks in the PostgreSQL pass of `make test`, SQLite's
IMMEDIATE transactions otherwise)."""

import threading

import pytest
from django.db import connections

from contacts.merge import MergeError, contact_merge
from contacts.models import Contact, MergeRecord, Note
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user

pytestmark = pytest.mark.django_db(transaction=True)


def _race(jobs):
    """Run each (survivor_id, merged_id) merge in its own thread, released together."""
    user = admin_user()
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, survivor_id, merged_id):
        try:
            barrier.wait(timeout=10)
            survivor, merged = Contact.objects.get(pk=survivor_id), Contact.objects.get(pk=merged_id)
            results[index] = contact_merge(survivor=survivor, merged=merged, user=user)
        except Exception as error:  # a MergeError is expected for all but one; others fail below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _pair_with_rows():
    a, b = ContactFactory(first_name="Ann"), ContactFactory(first_name="Anne")
    for contact in (a, b):
        ContactPhoneFactory(contact=contact)
        for _ in range(5):
            Note.objects.create(contact=contact, body_html="<p>x</p>")
    return a, b


def _assert_one_clean_merge(results, a, b):
    merges = [r for r in results if isinstance(r, MergeRecord)]
    refusals = [r for r in results if isinstance(r, MergeError)]
    assert len(merges) == 1 and len(refusals) == len(results) - 1, results
    assert "already been merged" in str(refusals[0]) or "cannot take a merge" in str(refusals[0])
    record = merges[0]
    survivor_id, merged_id = record.survivor_id, record.merged_contact_id
    assert {survivor_id, merged_id} == {a.pk, b.pk}
    assert MergeRecord.objects.count() == 1
    assert Contact.objects.get(pk=merged_id).merged_into_id == survivor_id
    assert Contact.objects.get(pk=survivor_id).merged_into_id is None
    assert Note.objects.filter(contact_id=survivor_id).count() == 10  # nothing lost
    assert not Note.objects.filter(contact_id=merged_id).exists()  # nothing left behind


def test_two_people_merging_the_same_pair_at_once():
    a, b = _pair_with_rows()
    results = _race([(a.pk, b.pk), (a.pk, b.pk)])
    _assert_one_clean_merge(results, a, b)


def test_a_into_b_and_b_into_a_at_once():
    a, b = _pair_with_rows()
    results = _race([(a.pk, b.pk), (b.pk, a.pk)])
    _assert_one_clean_merge(results, a, b)
