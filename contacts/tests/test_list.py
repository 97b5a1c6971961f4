"""The contacts list: Login Source, search, filters, sort, columns, pages, counts."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts import selectors
from contacts.models import ListPreference
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("contacts:list")
NOW = timezone.now()


@pytest.fixture
def by_source():
    """One contact of each Login Source, named after it."""
    return {
        "web": ContactFactory(first_name="Wendy", last_name="Web", web_last_login_at=NOW),
        "mobile": ContactFactory(first_name="Mo", last_name="Mobile", mobile_last_login_at=NOW),
        "web_mobile": ContactFactory(
            first_name="Bo", last_name="Both", web_last_login_at=NOW, mobile_last_login_at=NOW
        ),
        "not_installed": ContactFactory(first_name="Nat", last_name="Never"),
    }


def listed(response) -> set[int]:
    return {contact.pk for contact in response.context["page"].object_list}


@pytest.mark.parametrize("option", ["web", "mobile", "web_mobile", "not_installed"])
def test_each_login_source_option_lists_exactly_its_contacts(client, staff, by_source, option):
    response = client.get(URL, {"login_source": option})
    assert listed(response) == {by_source[option].pk}


@pytest.mark.parametrize("params", [{}, {"login_source": "all"}, {"login_source": "bogus"}])
def test_all_missing_or_unknown_login_source_lists_everyone(client, staff, by_source, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert listed(response) == {contact.pk for contact in by_source.values()}


def test_the_login_source_control_offers_exactly_the_five_options_and_marks_the_chosen(client, staff):
    html = client.get(URL, {"login_source": "mobile"}).content.decode()
    for value, label in [
        ("all", "All"),
        ("web", "Web"),
        ("mobile", "Mobile"),
        ("web_mobile", "Web &amp; Mobile"),
        ("not_installed", "Not Installed"),
    ]:
        assert f'value="{value}"' in html
        assert f"<span>{label}</span>" in html
    assert 'value="mobile" id="id_login_source_2" checked' in html


def test_name_search_any_order_partial_and_accent_blind(client, staff):
    jose = ContactFactory(first_name="José", last_name="García")
    ContactFactory(first_name="Joseph", last_name="Smith")
    for text in ["garc jos", "JOSE GARCIA", "García", "jos gar"]:
        assert listed(client.get(URL, {"q": text})) == {jose.pk}, text


def test_phone_search_in_any_format(client, staff):
    phone = ContactPhoneFactory(number="+13125550142")
    ContactPhoneFactory(number="+13125550199")
    for text in ["(312) 555-0142", "312.555.0142", "+1 312 555 0142", "13125550142"]:
        assert listed(client.get(URL, {"q": text})) == {phone.contact_id}, text


def test_search_by_email_external_id_and_case_number(client, staff):
    email = ContactEmailFactory(email="pat@example.com")
    legacy = ContactFactory(external_id="LEG-0042")
    on_case = CaseContactFactory(case=CaseFactory(number="PI-0000777"))
    assert listed(client.get(URL, {"q": " Pat@Example.com "})) == {email.contact_id}
    assert listed(client.get(URL, {"q": "LEG-0042"})) == {legacy.pk}
    assert listed(client.get(URL, {"q": "pi-0000777"})) == {on_case.contact_id}


def test_archived_and_merged_contacts_are_not_listed(client, staff):
    kept = ContactFactory(last_name="Kept")
    ContactFactory(last_name="Gone", archived_at=NOW)
    ContactFactory(last_name="Twin", merged_into=kept)
    assert listed(client.get(URL)) == {kept.pk}


def test_other_filters_narrow_the_list(client, staff):
    dnc = ContactFactory(do_not_call=True, sentiment_label="negative")
    calm = ContactFactory(sentiment_label="positive")
    employment = CaseContactFactory(case=CaseFactory(practice_area="employment")).contact
    assert listed(client.get(URL, {"do_not_contact": "call"})) == {dnc.pk}
    assert listed(client.get(URL, {"sentiment": "positive"})) == {calm.pk}
    assert listed(client.get(URL, {"practice_area": "employment"})) == {employment.pk}
    assert dnc.pk not in listed(client.get(URL, {"do_not_contact": "none"}))


def test_created_between_uses_the_firms_calendar_days(client, staff):
    old = ContactFactory()
    type(old).objects.filter(pk=old.pk).update(created_at=NOW - datetime.timedelta(days=40))
    new = ContactFactory()
    start = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert listed(client.get(URL, {"created_after": start})) == {new.pk}
    assert listed(client.get(URL, {"created_before": start})) == {old.pk}


def test_a_bad_date_gets_a_plain_message_and_no_results(client, staff):
    ContactFactory()
    response = client.get(URL, {"created_after": "yesterday-ish"})
    assert response.status_code == 200
    assert listed(response) == set()
    assert "Enter a valid date." in response.content.decode()


def test_htmx_gets_the_results_only_and_history_restore_the_whole_page(client, staff, by_source):
    partial = client.get(URL, {"login_source": "web"}, headers={"HX-Request": "true"})
    assert "<form" not in partial.content.decode().split("<table")[0]
    assert [t.name for t in partial.templates][0] == "contacts/partials/contact_results.html"
    restore = client.get(
        URL, {"login_source": "web"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert [t.name for t in restore.templates][0] == "contacts/contact_list.html"


def test_the_filter_form_is_a_plain_get_form_with_push_url(client, staff):
    html = client.get(URL).content.decode()
    assert 'method="get" action="/contacts/"' in html
    assert 'hx-push-url="true"' in html


def test_the_filter_form_shows_each_requests_filters_though_it_is_rendered_once_per_query(client, staff):
    def filter_form(params):
        html = client.get(URL, params).content.decode()
        return re.search(r'<form id="contact-filters".*?</form>', html, re.S).group(0)

    negative = filter_form({"sentiment": "negative", "sort": "-created"})
    positive = filter_form({"sentiment": "positive"})
    assert filter_form({"sentiment": "negative", "sort": "-created"}) == negative
    assert '<option value="negative" selected>' in negative and '<option value="-created" selected>' in negative
    assert '<option value="positive" selected>' in positive and '<option value="negative" selected>' not in positive
    # The sort remembered from the first request is the one shown when the URL has none.
    assert '<option value="-created" selected>' in positive
    for _ in range(2):
        assert "Enter a valid date." in filter_form({"created_after": "not-a-date"})


def test_query_count_does_not_grow_with_the_rows(client, staff, django_assert_max_num_queries):
    for index in range(30):
        contact = ContactFactory(last_name=f"Row{index:02d}")
        ContactPhoneFactory(contact=contact)
        ContactEmailFactory(contact=contact)
        CaseContactFactory(contact=contact)
    # session, user, preference, count, page, the rows' phones, emails and cases (one query),
    # 2 × permissions (Export button)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"login_source": "all"})
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(8):
        client.get(URL, {"q": "row"})


def test_sort_from_the_url_is_remembered_for_the_user(client, staff):
    older = ContactFactory(last_name="Aaron")
    newer = ContactFactory(last_name="Zed")
    first = client.get(URL, {"sort": "-created"})
    assert first.context["page"].object_list[0] == newer
    again = client.get(URL)
    assert again.context["sort"] == "-created"
    assert again.context["page"].object_list[0] == newer
    other = UserFactory(username="someone-else")
    client.force_login(other)
    assert client.get(URL).context["page"].object_list[0] == older


def test_column_chooser_saves_the_users_columns(client, staff):
    ContactFactory()
    response = client.post(
        reverse("contacts:columns"),
        {"list": "contacts", "columns": ["phone", "local_time", "not-a-column"], "next": "/contacts/?q=x"},
    )
    assert response.status_code == 302 and response["Location"] == "/contacts/?q=x"
    assert ListPreference.objects.get(user=staff, list_name="contacts").columns == ["phone", "local_time"]
    html = client.get(URL).content.decode()
    assert '<th scope="col">Local time</th>' in html
    assert '<th scope="col">Primary email</th>' not in html


def test_column_chooser_refuses_to_redirect_elsewhere(client, staff):
    response = client.post(reverse("contacts:columns"), {"list": "contacts", "next": "https://evil.example/"})
    assert response["Location"] == reverse("contacts:list")


def test_pages_are_bounded_and_need_no_count(client, staff, monkeypatch):
    for index in range(7):
        ContactFactory(last_name=f"Page{index}")
    monkeypatch.setattr(selectors, "MAX_PAGE", 2)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    response = client.get(URL, {"page": "99"})
    page = response.context["page"]
    assert page.number == 2 and page.has_next is False and page.is_last_allowed is True


def test_every_page_lists_its_share_of_the_sorted_contacts_once(client, staff, monkeypatch):
    contacts = [ContactFactory(last_name=f"Same{index % 3}", first_name=f"N{index}") for index in range(8)]
    ContactFactory(last_name="Same1", archived_at=NOW)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    pages = [client.get(URL, {"sort": "-name", "page": number}).context["page"] for number in (1, 2, 3)]
    listed = [contact.pk for page in pages for contact in page.object_list]
    expected = sorted(contacts, key=lambda contact: (contact.sort_name, contact.pk), reverse=True)
    assert listed == [contact.pk for contact in expected]
    assert [page.has_next for page in pages] == [True, True, False]


def test_next_page_links_keep_the_filters(client, staff):
    for index in range(30):
        ContactFactory(last_name=f"Web{index:02d}", web_last_login_at=NOW)
    html = client.get(URL, {"login_source": "web", "q": "web"}).content.decode()
    assert 'href="?login_source=web&amp;q=web&amp;page=2"' in html


def test_big_results_say_more_than_and_fetch_an_estimate_separately(client, staff, monkeypatch):
    for _ in range(12):
        ContactFactory()
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 5)
    monkeypatch.setattr(selectors.bounded_count, "__kwdefaults__", {"limit": 5})
    html = client.get(URL).content.decode()
    assert "more than 5 contacts" in html
    assert 'hx-get="/contacts/count/?' in html
    count = client.get(reverse("contacts:count"))
    assert "12 contacts" in count.content.decode()


def test_the_estimate_leaves_out_archived_and_merged_contacts(client, staff):
    live = [ContactFactory(web_last_login_at=NOW) for _ in range(8)]
    for _ in range(2):
        ContactFactory(web_last_login_at=NOW, archived_at=NOW)
    ContactFactory(web_last_login_at=NOW, merged_into=live[0])
    assert "8 contacts" in client.get(reverse("contacts:count"), {"login_source": "web"}).content.decode()


def test_about_rounds_to_three_significant_figures():
    assert selectors._about(12_437) == 12_400
    assert selectors._about(999) == 999
    assert selectors._about(1_000_000) == 1_000_000


def test_local_time_and_calling_hours_are_shown(client, staff):
    ContactFactory(
        timezone="Pacific/Kiritimati", calling_window_start=datetime.time(0, 0), calling_window_end=datetime.time(0, 1)
    )
    html = client.get(URL).content.decode()
    assert "outside calling hours" in html


def test_empty_state_offers_a_way_out(client, staff):
    html = client.get(URL, {"q": "nobody-by-this-name"}).content.decode()
    assert "No contacts match these filters." in html
    assert "Show all contacts" in html


def test_the_list_needs_a_signed_in_user(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plans of SQLite's planner")
@pytest.mark.parametrize(
    ("params", "sort", "index"),
    [
        ({}, "name", "contact_sort_name"),
        ({"login_source": "web"}, "name", "contact_login_source"),
        ({"login_source": "mobile"}, "-last_activity", "contact_login_activity"),
        ({"login_source": "not_installed"}, "-created", "contact_login_created"),
        ({"do_not_contact": "call"}, "name", "contact_do_not_call_by_name"),
        ({"do_not_contact": "email"}, "-name", "contact_do_not_email_by_name"),
        ({"practice_area": "employment"}, "name", "contact_sort_name"),
    ],
)
def test_list_pages_walk_an_index_in_order_instead_of_sorting_the_table(params, sort, index):
    """At a million rows a sort of the whole table takes seconds; a new index on a filtered
    column can tempt SQLite's planner into one (as a plain archived_at index once did)."""
    from django.http import QueryDict

    from contacts.filters import ContactFilter
    from contacts.models import Contact

    query = QueryDict(mutable=True)
    query.update(params)
    filterset = ContactFilter(query, queryset=Contact.objects.all())
    assert filterset.is_valid()
    sql, sql_params = selectors.contact_list(filterset_queryset=filterset.qs, sort=sort)[:26].query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " / ".join(row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, sql_params).fetchall())
    assert index in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_local_time_is_the_contacts_own_clock_not_the_viewers(client, staff):
    ContactFactory(first_name="Keala", last_name="Kahale", timezone="Pacific/Honolulu")
    with freeze_time("2026-11-25 20:00:00"):  # 10:00 in Honolulu, 15:00 for a New York viewer
        page = client.get(reverse("contacts:list"), {"q": "Kahale"}).content.decode()
    assert "10:00 AM" in page
    assert "3:00 PM" not in page
