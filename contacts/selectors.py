"""Reading contacts: the querysets every view, export and command uses."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce

from contacts import name_words
from contacts.calling_window import calling_window_status
from contacts.models import Contact, ContactEmail, ContactPhone, ListPreference
from contacts.normalize import fold, normalize_email, phone_or_none
from contacts.search_index import name_match, name_tokens

# Identifier searches (phone, external id, case number) match a handful of contacts; the cap
# only guards against a pathological identifier shared by thousands of rows.
IDENTIFIER_MATCH_LIMIT = 1000


def case_contact_model():
    """CaseContact, reached through the relation: the cases app sits above contacts."""
    return Contact._meta.get_field("case_links").related_model


def case_model():
    return case_contact_model()._meta.get_field("case").related_model


def _identifier_matches(text: str) -> list[int]:
    """Ids of contacts whose phone (any format), external id or case number is `text`."""
    variants = sorted({text, text.upper()})
    by_external_id = Contact.objects.filter(external_id__in=variants).order_by().values_list("id", flat=True)
    by_case = (
        case_contact_model().objects.filter(case__number__in=variants).order_by().values_list("contact_id", flat=True)
    )
    combined = by_external_id.union(by_case)
    phone = phone_or_none(text) if sum(ch.isdigit() for ch in text) >= 7 else None
    if phone:
        combined = combined.union(ContactPhone.objects.filter(number=phone).order_by().values_list("contact_id"))
    return list(combined[:IDENTIFIER_MATCH_LIMIT])


def name_search_tokens(text: str | None) -> list[str] | None:
    """The folded words of a name search; None when the text searches an email or identifier."""
    text = (text or "").strip()[:200]
    if not text or "@" in text or any(ch.isdigit() for ch in text):
        return None
    return name_tokens(fold(text))


def search_contacts(queryset: QuerySet, text: str) -> QuerySet:
    """Name (any word order, accents folded, a prefix of each word), phone in any format,
    email, external id or case number."""
    text = (text or "").strip()[:200]
    if not text:
        return queryset
    if "@" in text:
        emails = ContactEmail.objects.filter(email=normalize_email(text)).values("contact_id")
        return queryset.filter(pk__in=emails)
    if any(ch.isdigit() for ch in text):
        return queryset.filter(pk__in=_identifier_matches(text))
    tokens = name_search_tokens(text)
    if not tokens:
        return queryset.none()
    if len(tokens) == 1 and len(tokens[0]) == 1:
        # One letter: last names starting with it, a range of the sort index.
        letter = tokens[0]
        return queryset.filter(sort_name__gte=letter, sort_name__lt=chr(ord(letter) + 1))
    # The name index finds the matches; the database sorts those.
    return queryset.filter(name_match(tokens))


# The sorts staff can choose; each is served by an index (see Contact.Meta.indexes).
SORTS = {
    "name": ("Name (A–Z)", ("sort_name", "id")),
    "-name": ("Name (Z–A)", ("-sort_name", "-id")),
    "-created": ("Newest first", ("-created_at", "-id")),
    "created": ("Oldest first", ("created_at", "id")),
    "-last_activity": ("Recent activity", ("-last_activity_at", "-id")),
}
DEFAULT_SORT = "name"

# Columns of the contacts list; name is always shown.
COLUMNS = {
    "phone": "Primary phone",
    "email": "Primary email",
    "cases": "Cases",
    "login_source": "Login source",
    "contact_method": "Preferred contact",
    "sentiment": "Sentiment",
    "local_time": "Local time",
    "last_activity": "Last activity",
}
DEFAULT_COLUMNS = list(COLUMNS)


def live_contacts(queryset: QuerySet) -> QuerySet:
    """Contact.objects.live(), phrased so that SQLite's planner never drives a list by the
    merged_into index (nearly every row is NULL there) instead of the sort index."""
    return queryset.alias(merged_into_or_zero=Coalesce("merged_into_id", Value(0))).filter(
        merged_into_or_zero=0, archived_at__isnull=True
    )


def contact_list(*, filterset_queryset: QuerySet | None = None, sort: str = DEFAULT_SORT) -> QuerySet:
    """Live contacts in the chosen order (add_row_columns adds what a list row shows)."""
    queryset = filterset_queryset if filterset_queryset is not None else Contact.objects.all()
    ordering = SORTS.get(sort, SORTS[DEFAULT_SORT])[1]
    return live_contacts(queryset).order_by(*ordering)


PAGE_SIZE = 25
# Deep offsets get slow on any database; past this page staff are asked to narrow the search.
MAX_PAGE = 400


@dataclass
class ContactPage:
    """One page of a list, fetched with LIMIT/OFFSET bounded by MAX_PAGE (no COUNT needed)."""

    object_list: list
    number: int
    has_next: bool
    is_last_allowed: bool
    size: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return 0 if not self.object_list else (self.number - 1) * self.size + 1

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.object_list)


def page_number(raw) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError, OverflowError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def contact_page(queryset: QuerySet, number: int, *, size: int | None = None) -> ContactPage:
    """Fetch one more row than shown, to know whether a next page exists without counting.

    Past the first page the page's ids come first, then its rows: the rows skipped are read as
    ids (on PostgreSQL from the sort index alone, which carries the live-contact columns), not
    as whole rows (page 400 skips 9,975)."""
    size = size or PAGE_SIZE
    offset = (number - 1) * size
    if offset:
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + size + 1])
        by_id = queryset.model._default_manager.in_bulk(ids)
        rows = [by_id[pk] for pk in ids if pk in by_id]
    else:
        rows = list(queryset[: size + 1])
    return _page_of(rows, number, size)


def _page_of(rows: list, number: int, size: int) -> ContactPage:
    """Page `number` from its rows and the one after them, if any."""
    more = len(rows) > size
    return ContactPage(rows[:size], number, more and number < MAX_PAGE, more and number >= MAX_PAGE, size)


def name_search_results(filterset, *, sort: str, number: int) -> "tuple[ContactPage, ResultCount] | None":
    """A name-search page and its count from PostgreSQL's name-word index (contacts/name_words.py),
    the same rows as contact_page and bounded_count give; None where that index does not serve."""
    data = filterset.form.cleaned_data
    tokens = name_search_tokens(data.get("q"))
    if not tokens or not name_words.usable(tokens, other_filters=bool(filterset.active_filter_count), sort=sort):
        return None
    found = name_words.page_ids(
        tokens,
        login_source=data.get("login_source"),
        descending=sort == "-name",
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE + 1,
        count_limit=EXACT_COUNT_LIMIT,
    )
    if found is None:
        return None
    ids, total = found
    rows = list(contact_list(filterset_queryset=Contact.objects.filter(pk__in=ids), sort=sort)) if ids else []
    return _page_of(rows, number, PAGE_SIZE), ResultCount.bounded(total, EXACT_COUNT_LIMIT)


def annotate_calling_status(contacts, *, now=None) -> None:
    """Attach each contact's local time and calling-window status (pure Python, no queries)."""
    for contact in contacts:
        contact.calling = calling_window_status(contact, primary_phone=contact.primary_phone_number, now=now)


# What a list row shows beside the contact's own fields, for a page of contact ids: each case
# (newest first, as the ORM's order_by("-case__opened_on", "case_id") on either database), the
# primary phone and the primary email. One statement for the three, written out: the ORM
# compiled the same three queries in ~3 ms, ten times the time they took to run.
_ROW_COLUMNS = """
    SELECT 1, link.contact_id, c.number, c.id, c.opened_on
      FROM cases_casecontact link JOIN cases_case c ON c.id = link.case_id WHERE link.contact_id IN ({ids})
    UNION ALL
    SELECT 2, contact_id, number, NULL, NULL FROM contacts_contactphone WHERE is_primary AND contact_id IN ({ids})
    UNION ALL
    SELECT 3, contact_id, email, NULL, NULL FROM contacts_contactemail WHERE is_primary AND contact_id IN ({ids})
    ORDER BY 1, 5 DESC, 4
"""
_CASE, _PHONE, _EMAIL = 1, 2, 3


def add_row_columns(contacts, *, now=None) -> None:
    """What a list row shows beside the contact's own fields: `primary_phone_number`,
    `primary_email_address`, `case_numbers` ((case id, number), newest case first) and the
    calling status. One query for the page whatever its size (_ROW_COLUMNS)."""
    ids = [contact.pk for contact in contacts]
    phones, emails, cases = {}, {}, defaultdict(list)
    if ids:
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(_ROW_COLUMNS.format(ids=placeholders), ids * 3)  # noqa: S608 (placeholders only)
            for kind, contact_id, text, case_id, _opened_on in cursor.fetchall():
                if kind == _CASE:
                    cases[contact_id].append((case_id, text))
                elif kind == _PHONE:
                    phones[contact_id] = text
                else:
                    emails[contact_id] = text
    for contact in contacts:
        contact.primary_phone_number = phones.get(contact.pk)
        contact.primary_email_address = emails.get(contact.pk)
        contact.case_numbers = cases.get(contact.pk, [])
    annotate_calling_status(contacts, now=now)


# Counting is exact up to this many rows; above it the list says "more than …" at once and
# fetches a cached estimate separately, so no request pays for a full-table COUNT. A filter
# matching a share d of contacts reads about EXACT_COUNT_LIMIT / d rows to count: 500 (twenty
# pages) halves what 1,000 cost (a practice area, 8% of contacts: 12,000 rows and ~35 ms of a
# 55 ms page on PostgreSQL at a million contacts).
EXACT_COUNT_LIMIT = 500
COUNT_CACHE_SECONDS = 300


@dataclass(frozen=True)
class ResultCount:
    value: int
    exact: bool

    @classmethod
    def bounded(cls, count: int, limit: int) -> "ResultCount":
        """`count` when it is at most `limit`, else "more than `limit`"."""
        return cls(min(count, limit), count <= limit)


def bounded_count(queryset: QuerySet, *, limit: int = EXACT_COUNT_LIMIT) -> ResultCount:
    return ResultCount.bounded(queryset.order_by()[: limit + 1].count(), limit)


def _about(value: int) -> int:
    """Round to three significant figures: "about 12,400"."""
    if value < 1000:
        return value
    magnitude = 10 ** (len(str(value)) - 3)
    return round(value / magnitude) * magnitude


def estimated_count(filtered: QuerySet, *, cache_key: str, indexed_only: bool = False) -> ResultCount:
    """ "About N" for a big result, computed at most once per COUNT_CACHE_SECONDS per filter.

    With `indexed_only` (no filter, or only Login Source / created dates) the rows are counted
    without the live-contacts condition, which an index answers alone (milliseconds instead of
    a table scan at a million rows), and scaled by the share of live contacts (tombstones and
    archived rows are counted on their own indexes). Searches and other filters narrow the rows
    through their own indexes first, so those are counted exactly."""
    value = cache.get(cache_key)
    if value is None:
        if indexed_only:
            matching = filtered.order_by().count()
            total = Contact.objects.order_by().count()
            hidden = (
                Contact.objects.filter(merged_into__isnull=False).order_by().count()
                + Contact.objects.filter(archived_at__isnull=False).order_by().count()
            )
            value = round(matching * max(total - hidden, 0) / total) if total else 0
        else:
            value = live_contacts(filtered).order_by().count()
        cache.set(cache_key, value, COUNT_CACHE_SECONDS)
    return ResultCount(_about(value), value <= EXACT_COUNT_LIMIT)


# A loose index scan: the smallest zone, then the next one above it, and so on.
_TIME_ZONES_IN_USE = """
    WITH RECURSIVE zone(name) AS (
        SELECT MIN(timezone) FROM contacts_contact
        UNION ALL
        SELECT (SELECT MIN(timezone) FROM contacts_contact WHERE timezone > zone.name) FROM zone
        WHERE zone.name IS NOT NULL
    )
    SELECT name FROM zone WHERE name IS NOT NULL
"""


def time_zones_in_use() -> list[str]:
    """Every distinct time zone on a contact's profile ("" included) in well under a
    millisecond at any size: one probe of the contact_timezone index per zone, where a plain
    DISTINCT would read every contact's entry."""
    with connection.cursor() as cursor:
        cursor.execute(_TIME_ZONES_IN_USE)
        return [name for (name,) in cursor.fetchall()]


def list_preference(*, user, list_name: str) -> ListPreference | None:
    if not user.is_authenticated:
        return None
    return ListPreference.objects.filter(user=user, list_name=list_name).first()


def contact_detail(*, contact_id: int) -> Contact:
    return Contact.objects.prefetch_related("phones", "emails").get(pk=contact_id)


def contact_case_links(*, contact: Contact) -> QuerySet:
    return (
        case_contact_model()
        .objects.filter(contact=contact)
        .select_related("case")
        .order_by("-case__opened_on", "-case_id")
    )


def contact_tasks(*, contact: Contact, search: str = "", status: str = "", due: str = "", today=None) -> QuerySet:
    """Every task and form of every case the contact is on (plus tasks assigned to them)."""
    task_model = case_model()._meta.get_field("tasks").related_model
    on_cases = case_contact_model().objects.filter(contact=contact).values("case_id")
    tasks = task_model.objects.filter(case_id__in=on_cases).select_related("case", "contact", "assigned_to")
    if search:
        tasks = tasks.filter(title__icontains=search.strip()[:100])
    if status:
        tasks = tasks.filter(status=status)
    if due and today is not None:
        if due == "overdue":
            tasks = tasks.filter(due_on__lt=today).exclude(status__in=["done", "cancelled", "submitted"])
        elif due == "week":
            tasks = tasks.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=7))
        elif due == "none":
            tasks = tasks.filter(due_on__isnull=True)
    return tasks.order_by("due_on", "id")


def case_contacts(*, case, filterset_queryset: QuerySet) -> QuerySet:
    """The case's contacts, filtered like the main list (the case modal)."""
    on_case = case_contact_model().objects.filter(case=case).values("contact_id")
    return contact_list(filterset_queryset=filterset_queryset.filter(pk__in=on_case))
