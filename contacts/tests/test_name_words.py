"""PostgreSQL's name-word index gives the same list pages and counts as the full-text path."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from contacts import name_words
from contacts.filters import ContactFilter
from contacts.models import Contact, ContactNameWord
from contacts.search_index import ensure_search_index, name_match, name_tokens
from contacts.selectors import (
    bounded_count,
    contact_list,
    contact_page,
    live_contacts,
    name_search_results,
)
from contacts.tests.factories import ContactFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the name-word index is PostgreSQL's"),
]

SURNAMES = ["Garcia", "Garcon", "Gardner", "Nguyen", "Marquez", "Martin", "Kowalski", "Smith-Garcia"]
FIRST = ["Maria", "Mario", "Garth", "Søren", "Anh", "Marcus"]


@pytest.fixture
def people():
    rows = []
    for i in range(70):
        rows.append(
            ContactFactory(
                first_name=FIRST[i % len(FIRST)],
                middle_name="Marisol" if i % 9 == 0 else "",  # two words starting "mar" for some Marias
                last_name=SURNAMES[i % len(SURNAMES)],
                web_last_login_at=timezone.now() if i % 3 == 0 else None,
                mobile_last_login_at=timezone.now() if i % 4 == 0 else None,
            )
        )
    # The same sort name on several contacts: ties are broken by id on both paths.
    for _ in range(3):
        rows.append(ContactFactory(first_name="Maria", last_name="Garcia"))
    archived = ContactFactory(first_name="Maria", last_name="Garcia", archived_at=timezone.now())
    survivor = rows[0]
    tombstone = ContactFactory(first_name="Maria", last_name="Garcia")
    Contact.objects.filter(pk=tombstone.pk).update(merged_into=survivor)
    return rows, archived, tombstone


def both_paths(params, sort="name", number=1):
    filterset = ContactFilter(QueryDict(params), queryset=Contact.objects.all())
    assert filterset.is_valid()
    found = name_search_results(filterset, sort=sort, number=number)
    assert found is not None, params
    page, count = found
    expected = contact_page(contact_list(filterset_queryset=filterset.qs, sort=sort), number)
    expected_count = bounded_count(live_contacts(filterset.qs))
    assert [c.pk for c in page.object_list] == [c.pk for c in expected.object_list], params
    assert (page.has_next, page.is_last_allowed) == (expected.has_next, expected.is_last_allowed)
    assert count == expected_count
    return page, count


@pytest.mark.parametrize(
    "params",
    [
        "q=garc",
        "q=garcia maria",
        "q=maria garcia",
        "q=mar",  # Marquez, Martin, Maria, Mario, Marisol, Marcus: some contacts twice
        "q=mar mari",  # a word that begins another typed word adds nothing
        "q=soren kowal",
        "q=nguyen&login_source=web",
        "q=ma&login_source=mobile",
        "q=gar&login_source=web_mobile",
        "q=smith garc",
        "q=zzyzx",
    ],
)
def test_pages_and_counts_match_the_full_text_path(people, params):
    for sort in ("name", "-name"):
        for number in range(1, 5):
            page, _ = both_paths(params, sort=sort, number=number)
            if not page.has_next:
                break


def test_archived_and_merged_contacts_are_left_out(people):
    rows, archived, tombstone = people
    page, _ = both_paths("q=maria garcia")
    shown = {c.pk for c in page.object_list}
    assert archived.pk not in shown and tombstone.pk not in shown


def test_the_index_follows_every_kind_of_write(people):
    rows, archived, tombstone = people
    contact = rows[4]  # Marquez
    contact.last_name = "Quixote"
    contact.save()
    assert set(ContactNameWord.objects.filter(contact_id=contact.pk).values_list("word", flat=True)) == {
        "quixote",
        "anh",
    }
    contact.web_last_login_at = contact.mobile_last_login_at = timezone.now()
    contact.save()
    assert set(ContactNameWord.objects.filter(contact_id=contact.pk).values_list("login_source", flat=True)) == {
        "web_mobile"
    }
    Contact.objects.filter(pk=archived.pk).update(archived_at=None)  # restored from the archive
    assert set(ContactNameWord.objects.filter(contact_id=archived.pk).values_list("live", flat=True)) == {True}
    both_paths("q=quix&login_source=web_mobile")
    both_paths("q=maria garcia")
    contact.delete()
    assert not ContactNameWord.objects.filter(contact_id=contact.pk).exists()


def test_a_common_prefix_is_left_to_the_full_text_path(people, monkeypatch):
    monkeypatch.setattr(name_words, "MOST_WORDS", 3)  # "gar": garcia, garcon, gardner, garth
    monkeypatch.setattr(name_words, "DENSE_MATCHES", 5)
    for params in ("q=gar", "q=garcia maria"):
        filterset = ContactFilter(QueryDict(params), queryset=Contact.objects.all())
        assert filterset.is_valid()
        assert name_search_results(filterset, sort="name", number=1) is None
    both_paths("q=garc")  # two words: still served


def gin_ids(text, login_source=None):
    rows = live_contacts(Contact.objects.filter(name_match(name_tokens(text))))
    if login_source:
        rows = rows.filter(login_source=login_source)
    return list(rows.order_by("sort_name", "id").values_list("id", flat=True))


def test_many_names_with_two_words_sharing_the_prefix():
    # Every contact has two or three entries for "ma": the page reads further to fill itself.
    for i in range(12):
        ContactFactory(first_name="Mara", middle_name="Marta" if i % 2 else "", last_name=f"Manning{i:02d}")
    expected = gin_ids("ma")
    for offset in (0, 2, 5, 10):
        ids, total = name_words.page_ids(
            ["ma"], login_source=None, descending=False, offset=offset, limit=3, count_limit=1000
        )
        assert ids == expected[offset : offset + 3]
        assert total == 12
    # Counted on at most 2 × 4 + 2 = 10 entries: "mb" has 12 entries for 3 contacts, so the 10
    # read hold fewer than 5 contacts and all are counted; "man" has 12 contacts: "more than 4".
    for _ in range(3):
        ContactFactory(first_name="Mba Mbb", middle_name="Mbc", last_name="Mbd")
    _, total = name_words.page_ids(["mb"], login_source=None, descending=False, offset=0, limit=3, count_limit=4)
    assert total == 3
    _, total = name_words.page_ids(["man"], login_source=None, descending=False, offset=0, limit=3, count_limit=4)
    assert total > 4


@pytest.mark.parametrize(
    "params,sort",
    [
        ("q=garc&practice_area=employment", "name"),
        ("q=garc", "-created"),
        ("q=g", "name"),
        ("q=555 0100", "name"),
        ("q=maria@example.com", "name"),
        ("q=" + " ".join(f"a{letter}" for letter in "bcdefghijklmnopqrstuvwxyz"), "name"),  # 25 joins: no
    ],
)
def test_other_requests_are_left_to_the_usual_path(people, params, sort):
    filterset = ContactFilter(QueryDict(params), queryset=Contact.objects.all())
    filterset.is_valid()
    assert name_search_results(filterset, sort=sort, number=1) is None


def test_the_list_page_uses_it(people, client, staff):
    response = client.get("/contacts/", {"q": "garcia maria"})
    assert response.status_code == 200
    assert b"Garcia" in response.content
    assert response.context["count"].exact


def test_lost_triggers_are_recreated_and_the_table_refilled(people):
    with connection.cursor() as cursor:
        for name in ("contact_name_word_ai", "contact_name_word_au", "contact_name_word_ad"):
            cursor.execute(f"DROP TRIGGER {name} ON contacts_contact")
    orphan = ContactFactory(first_name="Orphan", last_name="Row")  # written while the triggers were gone
    assert not ContactNameWord.objects.filter(contact_id=orphan.pk).exists()
    ensure_search_index()
    assert set(ContactNameWord.objects.filter(contact_id=orphan.pk).values_list("word", flat=True)) == {"orphan", "row"}
    both_paths("q=orph")


def test_merge_and_undo_keep_the_index_in_step(people):
    from contacts.merge import contact_merge, merge_undo

    survivor = ContactFactory(first_name="Quentin", last_name="Zabriskie")
    merged = ContactFactory(first_name="Quinn", last_name="Zabriskie")
    record = contact_merge(survivor=survivor, merged=merged)
    page, count = both_paths("q=zabr")
    assert [c.pk for c in page.object_list] == [survivor.pk] and count.value == 1
    merge_undo(record=record)
    page, count = both_paths("q=zabr")
    assert {c.pk for c in page.object_list} == {survivor.pk, merged.pk}


def test_rows_written_many_to_a_statement():
    rows = [Contact(first_name=f"Bulk{i}", last_name="Inserted") for i in range(3)]
    for row in rows:
        row.refresh_derived_fields()  # what the importer and the seeder do before a bulk insert
    Contact.objects.bulk_create(rows)
    ids = list(Contact.objects.filter(last_name="Inserted").values_list("pk", flat=True))
    words = set(ContactNameWord.objects.filter(contact_id__in=ids).values_list("contact_id", "word"))
    assert words == {(pk, word) for pk in ids for word in ("inserted",)} | {
        (pk, f"bulk{i}") for pk, i in zip(sorted(ids), range(3), strict=True)
    }
    Contact.objects.filter(pk__in=ids[:2]).delete()
    assert set(ContactNameWord.objects.values_list("contact_id", flat=True)) == {ids[2]}


def test_a_trigger_of_an_earlier_kind_is_replaced(people):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER contact_name_word_ai ON contacts_contact")
        cursor.execute(
            "CREATE TRIGGER contact_name_word_ai AFTER INSERT ON contacts_contact "
            "FOR EACH ROW EXECUTE FUNCTION contact_name_word_remove()"  # per row: not what is made now
        )
    ensure_search_index()
    ContactFactory(first_name="Fresh", last_name="Trigger")
    both_paths("q=fresh trig")
    assert ContactNameWord.objects.filter(word="fresh").count() == 1
