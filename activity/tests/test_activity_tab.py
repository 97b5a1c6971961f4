import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEvent
from activity.selectors import PAGE_SIZE
from activity.services import record_contact_change, record_data_access, record_event
from activity.tests.tamper import raw_sql
from contacts.models import Contact
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(username="pat", first_name="Pat", last_name="Lee")
    client.force_login(user)
    return user


def _url(contact, **params):
    from urllib.parse import urlencode

    url = reverse("contacts:activity", args=[contact.pk])
    return f"{url}?{urlencode(params)}" if params else url


def _rows(response):
    """(event type, description) of each row of the log, in page order."""
    html = response.content.decode()
    types = re.findall(r'<span class="event-label[^"]*">([^<]+)</span>', html)
    descriptions = re.findall(r"<summary>([^<]+)", html)
    return list(zip(types, [d.strip() for d in descriptions], strict=True))


def test_the_tab_shows_the_four_columns_newest_first(client, staff):
    contact = ContactFactory()
    record_event(event_type="create", description="Contact created", contact_id=contact.pk, user=staff)
    record_contact_change(contact=contact, before={"city": "Austin"}, after={"city": "Dallas"}, actor=staff)
    response = client.get(_url(contact))
    assert response.status_code == 200
    headers = re.findall(r'<th scope="col">([^<]+)</th>', response.content.decode())
    assert headers[:4] == ["Event Type", "Description", "User/System", "Timestamp"]
    rows = _rows(response)
    # Opening the tab is itself audited, and is the newest event.
    assert rows[0] == ("Compliance: Data Access", "Pat Lee accessed activity log")
    assert rows[1:] == [("Update", "City changed from Austin to Dallas"), ("Create", "Contact created")]
    assert response.context["active_tab"] == "activity"


def test_compliance_events_are_labelled_and_marked(client, staff):
    contact = ContactFactory()
    record_contact_change(contact=contact, before={"do_not_call": False}, after={"do_not_call": True}, actor=staff)
    html = client.get(_url(contact)).content.decode()
    assert '<tr class="event event-compliance"' in html
    assert '<span class="event-label badge badge-compliance">Compliance: Update</span>' in html


def test_rows_expand_to_before_and_after_and_the_request_source(client, staff):
    contact = ContactFactory()
    record_contact_change(
        contact=contact, before={"preferred_contact_method": "phone"}, after={"preferred_contact_method": "sms"}
    )
    html = client.get(_url(contact), HTTP_USER_AGENT="TestBrowser/1.0").content.decode()
    assert "<details>" in html
    assert '<tr><th scope="row">Preferred contact method</th><td>Phone call</td><td>Text message</td></tr>' in html
    assert "TestBrowser/1.0" in html  # the data-access event's source


def test_the_user_column_names_staff_system_and_labels(client, staff):
    contact = ContactFactory()
    record_event(event_type="import", description="Imported", contact_id=contact.pk, actor_label="Import #12")
    record_event(event_type="system", description="Nightly check", contact_id=contact.pk)
    html = client.get(_url(contact)).content.decode()
    actors = re.findall(r'<td class="event-actor">([^<]+)</td>', html)
    assert actors == ["Pat Lee", "System", "Import #12"]


def test_filters_by_type_compliance_user_and_system(client, staff):
    contact = ContactFactory()
    other = UserFactory(username="kim", first_name="Kim", last_name="Ng")
    record_event(event_type="note", description="Note by Kim", contact_id=contact.pk, user=other)
    record_event(event_type="create", description="Created by the system", contact_id=contact.pk)
    record_contact_change(contact=contact, before={"do_not_text": False}, after={"do_not_text": True}, actor=other)

    by_type = _rows(client.get(_url(contact, event_type="note")))
    assert by_type == [("Note", "Note by Kim")]
    compliance = _rows(client.get(_url(contact, compliance="on")))
    assert [row[0] for row in compliance] == ["Compliance: Data Access", "Compliance: Update"]
    by_user = _rows(client.get(_url(contact, user=other.pk)))
    assert [row[1] for row in by_user] == [
        "Call preferences changed by staff (Kim Ng): Do not text changed from No to Yes",
        "Do not text changed from No to Yes",
        "Note by Kim",
    ]
    system = _rows(client.get(_url(contact, user="system")))
    assert system == [("Create", "Created by the system")]


def test_the_date_range_is_read_in_the_viewers_time_zone(client, staff):
    contact = ContactFactory()
    early, late = (
        record_event(event_type="note", description=text, contact_id=contact.pk) for text in ("early", "late")
    )
    # Place the two events either side of midnight in Tokyo, behind the app's back.
    raw_sql(
        "UPDATE activity_activityevent SET occurred_at = %s WHERE id = %s",
        [datetime.datetime(2026, 3, 1, 14, 30, tzinfo=datetime.UTC), early.pk],  # 23:30 on March 1 in Tokyo
    )
    raw_sql(
        "UPDATE activity_activityevent SET occurred_at = %s WHERE id = %s",
        [datetime.datetime(2026, 3, 1, 15, 30, tzinfo=datetime.UTC), late.pk],  # 00:30 on March 2 in Tokyo
    )
    client.cookies["kayse_tz"] = "Asia/Tokyo"
    rows = _rows(client.get(_url(contact, date_from="2026-03-02", date_to="2026-03-02")))
    assert rows == [("Note", "late")]
    rows = _rows(client.get(_url(contact, date_from="2026-03-01", date_to="2026-03-01")))
    assert rows == [("Note", "early")]
    html = client.get(_url(contact, date_from="2026-03-02")).content.decode()
    assert "Mar 2, 2026 12:30 AM" in html
    assert "Times shown in Asia/Tokyo" in html


def test_an_invalid_date_says_so(client, staff):
    contact = ContactFactory()
    html = client.get(_url(contact, date_from="not-a-date")).content.decode()
    assert "Enter a valid date." in html
    assert "These filters are not valid" in html


def test_the_timestamp_shows_the_exact_time_on_hover(client, staff):
    contact = ContactFactory()
    event = record_event(event_type="note", description="n", contact_id=contact.pk)
    client.cookies["kayse_tz"] = "America/Chicago"
    html = client.get(_url(contact, event_type="note")).content.decode()
    local = timezone.localtime(event.occurred_at, ZoneInfo("America/Chicago"))
    assert f'title="{local:%A, %B} {local.day}, {local:%Y, %H:%M:%S}.{local:%f} C' in html


def test_merged_records_history_shows_on_the_survivor_marked(client, staff):
    survivor, merged = ContactFactory(), ContactFactory()
    record_event(event_type="note", description="Note on the merged record", contact_id=merged.pk)
    record_event(event_type="note", description="Note on the survivor", contact_id=survivor.pk)
    Contact.objects.filter(pk=merged.pk).update(merged_into=survivor)
    html = client.get(_url(survivor, event_type="note")).content.decode()
    assert "Note on the merged record" in html and "Note on the survivor" in html
    assert f"From merged record #{merged.pk}" in html
    assert html.count("event-merged") == 1
    # The merged record's own tab leads to the survivor's.
    response = client.get(_url(merged, event_type="note"))
    assert response.status_code == 302
    assert response["Location"] == _url(survivor, event_type="note")


def test_pages_are_keyset_paginated(client, staff):
    contact = ContactFactory()
    for number in range(PAGE_SIZE * 2 + 5):
        record_event(event_type="note", description=f"note {number}", contact_id=contact.pk)
    first = client.get(_url(contact, event_type="note"))
    assert [row[1] for row in _rows(first)][:2] == [f"note {PAGE_SIZE * 2 + 4}", f"note {PAGE_SIZE * 2 + 3}"]
    assert len(_rows(first)) == PAGE_SIZE
    older = first.context["page"].older_cursor
    second = client.get(_url(contact, event_type="note", before=older))
    assert _rows(second)[0][1] == f"note {PAGE_SIZE + 4}"
    third = client.get(_url(contact, event_type="note", before=second.context["page"].older_cursor))
    assert [row[1] for row in _rows(third)] == [f"note {n}" for n in range(4, -1, -1)]
    assert third.context["page"].older_cursor is None
    back = client.get(_url(contact, event_type="note", after=third.context["page"].newer_cursor))
    assert [row[1] for row in _rows(back)] == [row[1] for row in _rows(second)]
    assert f"event_type=note&amp;before={older}" in first.content.decode()


def test_the_page_costs_a_fixed_number_of_queries(client, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survivor = ContactFactory()
    merged = [ContactFactory(merged_into=survivor) for _ in range(3)]
    url = _url(survivor, user=staff.pk, date_from="2020-01-01")

    def queries():
        client.get(url)  # the audit of the first view is coalesced from then on
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for contact in [survivor, *merged]:
        record_event(event_type="note", description="n", contact_id=contact.pk, user=staff)
    few = queries()
    for contact in [survivor, *merged]:
        for number in range(40):
            record_event(event_type="note", description=f"n{number}", contact_id=contact.pk, user=staff)
    # Per request: session, user, contact, the audit, merge lookups, the user list, the date
    # bound, one id scan per merged record, the page's rows (and the profile header's own).
    assert queries() == few
    assert few <= 30


def test_an_htmx_filter_gets_only_the_results(client, staff):
    contact = ContactFactory()
    response = client.get(_url(contact), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="activity-results")
    html = response.content.decode()
    assert '<table class="data activity-log"' in html
    assert '<nav class="tabs"' not in html


def test_a_wrong_contact_id_is_a_404(client, staff):
    assert client.get(reverse("contacts:activity", args=[999999])).status_code == 404


def test_opening_the_tab_again_soon_is_coalesced(client, staff):
    contact = ContactFactory()
    client.get(_url(contact))
    client.get(_url(contact, event_type="note"))
    events = ActivityEvent.objects.filter(contact_id=contact.pk, event_type="data_access")
    assert events.count() == 1
    assert events.get().tally.count == 2
    html = client.get(_url(contact, compliance="on")).content.decode()
    assert '<span class="badge">×3</span>' in html


def test_the_dnc_check_button_records_a_check(client, staff):
    from contacts.tests.factories import ContactPhoneFactory

    contact = ContactFactory()
    ContactPhoneFactory(contact=contact, number="+13125550100")
    response = client.post(reverse("activity:dnc_check", args=[contact.pk]), follow=True)
    assert "is not on any Do-Not-Call list checked" in response.content.decode()
    check = ActivityEvent.objects.get(contact_id=contact.pk, event_type="dnc_check")
    assert check.actor_user == staff
    assert check.label == "Compliance: DNC Check"


def test_data_access_from_elsewhere_is_listed(client, staff):
    contact = ContactFactory()
    record_data_access(contact=contact, actor=staff, what="document #3 (retainer.pdf)")
    assert ("Compliance: Data Access", "Pat Lee accessed document #3 (retainer.pdf)") in _rows(
        client.get(_url(contact, compliance="on"))
    )


def test_after_a_real_merge_the_survivor_shows_both_histories(client, staff):
    merge = pytest.importorskip("contacts.merge", reason="the merge service does not exist yet")
    from contacts.tests.factories import admin_user

    survivor, merged = ContactFactory(), ContactFactory()
    record_event(event_type="note", description="Note before the merge", contact_id=merged.pk)
    merge.contact_merge(survivor=survivor, merged=merged, user=admin_user(username="boss"))
    html = client.get(_url(survivor, event_type="note")).content.decode()
    assert "Note before the merge" in html
    assert f"From merged record #{merged.pk}" in html


def test_viewing_the_profile_is_an_audited_data_access_coalesced_on_refresh(client, staff):
    contact = ContactFactory()
    for _ in range(3):
        assert client.get(reverse("contacts:detail", args=[contact.pk])).status_code == 200
    event = ActivityEvent.objects.get(contact_id=contact.pk, event_type="data_access")
    assert (event.label, event.description) == ("Compliance: Data Access", "Pat Lee accessed profile")
    assert event.tally.count == 3


@pytest.mark.parametrize(
    ("cookie", "zone"), [("Asia%2FTokyo", "Asia/Tokyo"), ("Mars/Olympus", "America/New_York"), ("", "America/New_York")]
)
def test_the_viewers_zone_comes_from_the_cookie_else_the_firms(client, staff, settings, cookie, zone):
    settings.TIME_ZONE = "America/New_York"
    contact = ContactFactory()
    client.cookies["kayse_tz"] = cookie
    assert f"Times shown in {zone};" in client.get(_url(contact)).content.decode()


def test_a_refreshed_tab_costs_a_handful_of_queries(client, staff, django_assert_max_num_queries):
    contact = ContactFactory()
    ContactPhoneFactory(contact=contact, number="+13125550142")
    ContactEmailFactory(contact=contact, email="pat@example.com")
    record_event(event_type="note", description="Note added", contact_id=contact.pk)
    client.get(_url(contact))
    # Session, user, the contact with its header and merged records, the data-access tally
    # (read, bumped), the page's rows, the users of the filter (once, even when one is chosen).
    with django_assert_max_num_queries(7):
        html = client.get(_url(contact)).content.decode()
    assert 'href="tel:+13125550142"' in html and 'href="mailto:pat@example.com"' in html
    assert '<span class="badge">×2</span>' in html
    with django_assert_max_num_queries(7):
        html = client.get(_url(contact, user=staff.pk)).content.decode()
    assert f'<option value="{staff.pk}" selected>Pat Lee</option>' in html


@pytest.mark.parametrize("merged_records", [2, 7])  # one id scan per record, or one for them all
def test_pages_walk_every_event_of_the_history_both_ways(merged_records):
    from activity.selectors import activity_page, contact_history_ids

    survivor = ContactFactory()
    merged = [ContactFactory(merged_into=survivor) for _ in range(merged_records)]
    for number in range(120):
        contact = [survivor, *merged][number % (merged_records + 1)]
        record_event(event_type="note", description=f"n{number}", contact_id=contact.pk)
    history = contact_history_ids(survivor)
    every = list(ActivityEvent.objects.order_by("-id").values_list("id", flat=True))
    pages, cursor = [], None
    while True:
        page = activity_page(contact_ids=history, before=cursor, size=50)
        pages.append([event.pk for event in page.events])
        if page.older_cursor is None:
            break
        cursor = page.older_cursor
    assert [pk for page in pages for pk in page] == every
    assert [len(page) for page in pages] == [50, 50, 20]
    back = activity_page(contact_ids=history, after=page.newer_cursor, size=50)
    assert [event.pk for event in back.events] == pages[1]
    assert back.newer_cursor == pages[1][0] and back.older_cursor == pages[1][-1]


def test_a_survivors_filters_that_match_nothing_say_so(client, staff):
    survivor = ContactFactory()
    merged = ContactFactory(merged_into=survivor)
    for contact in (survivor, merged):
        record_event(event_type="note", description="n", contact_id=contact.pk)
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    for params in ({"date_from": later}, {"event_type": "export"}):
        html = client.get(_url(survivor, **params)).content.decode()
        assert "No events match these filters." in html
    assert "From merged record" in client.get(_url(survivor, event_type="note")).content.decode()


def test_the_filter_and_report_fields_drawn_once_are_the_same_and_follow_users_and_filters(client, staff):
    from kayse.fragments import forget_fragments

    contact = ContactFactory()

    def forms_html(**params):
        html = client.get(_url(contact, **params)).content.decode()
        filters = html[html.index('class="filters activity-filters"') : html.index('<div id="activity-results"')]
        return filters + html[html.index('class="filters report-form"') : html.index('class="filters dnc-form"')]

    forget_fragments()
    drawn = forms_html()
    assert forms_html() == drawn  # the second from the process's copy
    assert f'<option value="{staff.pk}">Pat Lee</option>' in drawn
    chosen = forms_html(user=staff.pk, event_type="note", compliance="on")
    assert f'<option value="{staff.pk}" selected>Pat Lee</option>' in chosen
    assert '<option value="note" selected>Note</option>' in chosen and "checked" in chosen
    UserFactory(username="new", first_name="Noor", last_name="Ali")
    assert ">Noor Ali</option>" in forms_html()
    assert forms_html(date_from="not-a-date").count('value="not-a-date"') == 1
