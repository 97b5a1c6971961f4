"""The one duplicate engine's public face: every caller in the app goes through here.

The engine itself is the package `contacts.dedupe` (profiles, comparisons, blocking, model,
training, scoring, clustering), a Fellegi-Sunter record-linkage model learned from the firm's
own contacts; this module adds what the app needs on top of it:
- the warning on create (`possible_duplicates_for`) and the import's fuzzy look-up of one row
  (`find_matches_for_row`), both through `check_profile` (one contact against the table);
- the import's exact keys for a whole chunk of a file at once (`match_rows`: Kayse id,
  external id, phone, email, name + date of birth);
- the possible-duplicates queue: the full scan (`run_full_scan`) and the background refresh of
  changed contacts (`refresh_candidates_for`).

Four rules a firm can switch off (settings.DUPLICATE_RULES) say what may count in favour of a
match: Phone match, Email match, Name match, Fuzzy match (typos, date of birth, address);
evidence against always counts. A pair's score is its match probability in percent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from contacts.dedupe.blocking import blocking_keys as _blocking_keys
from contacts.dedupe.engine import (  # noqa: F401 (the engine's API, re-exported for callers)
    BirthDateNames,
    Candidate,
    Match,
    ScanStats,
    active_model,
    active_rules,
    auto_match_score,
    check_profile,
    default_min_score,
    dismissed_pairs,
    explain,
    find_candidate_pairs,
    fuzzy_matches,
    pairs_in_profiles,
    train_and_store,
)
from contacts.dedupe.model import Model
from contacts.dedupe.profiles import Profile, load_profiles, profile_for_contact, profile_from_values, soundex  # noqa: F401
from contacts.dedupe.scoring import RULES, Scored, score_pair
from contacts.normalize import name_key

PHONE = "phone"
EMAIL = "email"
NAME = "name"
FUZZY = "fuzzy"
REASON_TO_RULE = {label: rule for rule, label in RULES.items()}


def compare(a: Profile, b: Profile, *, rules: frozenset[str] | None = None, model: Model | None = None) -> Scored:
    """Score two profiles (0-100) with their reasons and evidence; the built-in priors unless
    a model is given (no database needed)."""
    return score_pair(a, b, model or Model(), active_rules() if rules is None else rules)


def blocking_keys(profile: Profile, *, rules: frozenset[str] | None = None) -> set[str]:
    return _blocking_keys(profile, active_rules() if rules is None else rules)


def check_contact(contact, *, min_score: int | None = None, include_dismissed: bool = False) -> list[Match]:
    """Live contacts that may be duplicates of a saved contact (dismissed pairs left out)."""
    from contacts.models import DuplicateDismissal

    profile = profile_for_contact(contact)
    exclude = set()
    if not include_dismissed:
        exclude.update(DuplicateDismissal.objects.filter(contact_a=contact.pk).values_list("contact_b_id", flat=True))
        exclude.update(DuplicateDismissal.objects.filter(contact_b=contact.pk).values_list("contact_a_id", flat=True))
    return check_profile(profile, exclude_ids=exclude, min_score=min_score)


def _with_contacts(matches: list[Match]) -> list[Match]:
    from contacts.models import Contact

    contacts = Contact.objects.prefetch_related("phones", "emails").in_bulk([m.contact_id for m in matches])
    return [Match(m.contact_id, m.score, m.reasons, contacts.get(m.contact_id)) for m in matches]


def possible_duplicates_for(new_contact_values: dict, *, limit: int = 5) -> list[Match]:
    """For the create form's warning: existing contacts that may be the person being entered.

    `new_contact_values` holds the form's fields (see `profile_from_values`); each Match
    carries its `contact` (phones and emails prefetched), best first."""
    matches = check_profile(profile_from_values(new_contact_values, id=-1))[:limit]
    return _with_contacts(matches)


EXTERNAL_ID_MATCH = "External ID match"


def find_matches_for_row(values: dict, *, min_score: int | None = None, limit: int = 5) -> list[Match]:
    """For the import's duplicate rules: existing live contacts matching one import row.

    `values` maps contact fields to the row's values (first_name, last_name, date_of_birth,
    address_line1, postal_code, external_id, phones/emails or phone/email, in any format).
    A contact with the same `external_id` comes first with score 100 and the reason
    "External ID match" (a merged-away record's id leads to the contact it was merged into);
    the others are the engine's matches, whose reasons say which rule matched ("Phone match",
    "Email match", "Name match", "Fuzzy match"). Best first, at most `limit`."""
    from contacts.models import Contact

    profile = profile_from_values(values, id=-1)
    found: list[Match] = []
    if profile.external_id:
        contact = Contact.objects.filter(external_id=profile.external_id).order_by("merged_into", "id").first()
        hops = 0
        while contact is not None and contact.merged_into_id and hops < 20:
            contact = contact.merged_into
            hops += 1
        if contact is not None and contact.archived_at is None and not contact.merged_into_id:
            found.append(Match(contact.pk, 100, (EXTERNAL_ID_MATCH,)))
    for match in check_profile(profile, min_score=min_score):
        if not any(existing.contact_id == match.contact_id for existing in found):
            found.append(match)
    return _with_contacts(found[:limit])


# --- Exact keys, a batch of rows at a time (the import's duplicate rules) -------------------

# The exact keys by which a row of a file is the same contact as an existing one, in the order
# they are tried (the first that finds a contact wins). The two identifiers always count; the
# phone and email keys follow the Phone and Email rules, the name + date of birth key the Name
# rule (settings.DUPLICATE_RULES switches them off for the import as everywhere else).
KAYSE_ID = "kayse_id"
EXTERNAL_ID = "external_id"
NAME_DOB = "name_dob"
EXACT_RULES = {
    KAYSE_ID: "same Kayse id",
    EXTERNAL_ID: "same external id",
    PHONE: "same phone",
    EMAIL: "same email",
    NAME_DOB: "same name and date of birth",
}
_EXACT_RULE_NEEDS = {PHONE: PHONE, EMAIL: EMAIL, NAME_DOB: NAME}
LOOKUP_BATCH = 900


def exact_rules(rules: Iterable[str] | None = None) -> frozenset[str]:
    """The exact keys in use under the engine's rules (default: settings.DUPLICATE_RULES)."""
    rules = active_rules() if rules is None else frozenset(rules)
    return frozenset(key for key in EXACT_RULES if key not in _EXACT_RULE_NEEDS or _EXACT_RULE_NEEDS[key] in rules)


@lru_cache(maxsize=200_000)
def person_key(first: str | None, last: str | None) -> str:
    """The exact name key: folded tokens of first and last name, sorted (word order, case and
    accents do not matter); cached, as the same names come back row after row."""
    return name_key(first, last)


def exact_keys(
    *,
    kayse_id=None,
    external_id: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    first_name: str | None = "",
    last_name: str | None = "",
    date_of_birth: datetime.date | None = None,
    rules: frozenset[str] | None = None,
) -> list[tuple[str, str]]:
    """The (rule, value) keys of one record, in rule order. `phones` are E.164 and `emails`
    normalized (as contacts store them); pass `rules=exact_rules()` once per batch for speed."""
    rules = exact_rules() if rules is None else rules
    keys = [(KAYSE_ID, str(kayse_id))] if kayse_id and KAYSE_ID in rules else []
    if external_id and EXTERNAL_ID in rules:
        keys.append((EXTERNAL_ID, external_id))
    if PHONE in rules:
        keys.extend((PHONE, number) for number in phones)
    if EMAIL in rules:
        keys.extend((EMAIL, address) for address in emails)
    if date_of_birth and NAME_DOB in rules:
        person = person_key(first_name, last_name)
        if person:
            keys.append((NAME_DOB, f"{person}|{date_of_birth.isoformat()}"))
    return keys


@dataclass(frozen=True)
class RowMatch:
    """An existing live contact that one row matches exactly, and by which keys (rule order)."""

    contact_id: int
    keys: tuple[tuple[str, str], ...]

    @property
    def rule(self) -> str:
        return self.keys[0][0]

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(EXACT_RULES[rule] for rule, _value in self.keys))


def _batches(values) -> Iterator[list]:
    values = sorted(values)
    for start in range(0, len(values), LOOKUP_BATCH):
        yield values[start : start + LOOKUP_BATCH]


def _in_conditions(column: str, values) -> Iterator[tuple[str, list]]:
    """`column IN (…)` conditions with their parameters, together covering `values`, in as few
    queries as the database takes: on PostgreSQL one `= ANY(%s)` (a short query text whatever
    the count: psycopg builds the text of a long IN list, and the server parses it, one
    placeholder after another); on SQLite 900 values at a time (its limit of parameters)."""
    from django.db import connection

    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        if values:
            yield f"{quoted} = ANY(%s)", [sorted(values)]
        return
    for batch in _batches(values):
        yield f"{quoted} IN ({', '.join(['%s'] * len(batch))})", batch


def find_exact_keys(wanted: dict[str, set[str]]) -> dict[tuple[str, str], int]:
    """{(rule, value): live contact id} for the wanted keys that a live contact has (the lowest
    id when several do). Indexed lookups only, a few queries per 900 values (on PostgreSQL, one
    per rule); merged-away and archived contacts never match."""
    from django.db import connection
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    from contacts.models import Contact, ContactEmail, ContactPhone

    # Each lookup goes by its own index only (SQLite would otherwise walk the merged_into
    # index over every live contact); whether a contact is live is checked afterwards.
    candidates: list[tuple[str, str, int]] = []
    contacts = Contact.objects.order_by()
    # The plain lookups as plain SQL: the ORM's cost of building an IN of 900 values, many
    # times per import chunk, is far above the database's. Names come from the models.
    lookups = (
        (KAYSE_ID, Contact, "id", "id"),
        (EXTERNAL_ID, Contact, "external_id", "id"),
        (PHONE, ContactPhone, "number", "contact_id"),
        (EMAIL, ContactEmail, "email", "contact_id"),
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for rule, model, column, contact_column in lookups:
            table = quote(model._meta.db_table)
            values = wanted.get(rule, ())
            if rule == KAYSE_ID:
                values = {int(value) for value in values}
            for condition, params in _in_conditions(column, values):
                cursor.execute(
                    f"SELECT {quote(column)}, {quote(contact_column)} FROM {table} WHERE {condition}",  # noqa: S608
                    params,
                )
                candidates += [(rule, str(value), contact_id) for value, contact_id in cursor.fetchall()]
    names = wanted.get(NAME_DOB, set())
    for values in _batches(names):
        # A contact with no middle, preferred or organization name has `search_name`
        # equal to its name key: those are filtered in SQL; the others (their search_name has
        # more words) are checked here. Many contacts share a birthday at a million rows.
        keys = {value.rsplit("|", 1)[0] for value in values}
        plain_name = Q(middle_name="", preferred_name="", organization_name="")
        found = (
            contacts.filter(date_of_birth__in={value.rsplit("|", 1)[1] for value in values})
            .filter(Q(search_name__in=keys) | ~plain_name)
            # The date as the database's ISO text: no per-row date conversion for the candidates.
            .annotate(birth=Cast("date_of_birth", CharField()))
            .values_list("id", "first_name", "last_name", "birth")
        )
        for contact_id, first, last, birth in found:
            value = f"{person_key(first, last)}|{birth}"
            if value in names:
                candidates.append((NAME_DOB, value, contact_id))
    live = set()
    with connection.cursor() as cursor:
        for condition, params in _in_conditions("id", {contact_id for _rule, _value, contact_id in candidates}):
            cursor.execute(
                f"SELECT id FROM {quote(Contact._meta.db_table)} WHERE {condition} "  # noqa: S608
                "AND merged_into_id IS NULL AND archived_at IS NULL",
                params,
            )
            live.update(contact_id for (contact_id,) in cursor.fetchall())
    index: dict[tuple[str, str], int] = {}
    for rule, value, contact_id in candidates:
        key = (rule, value)
        if contact_id in live and (key not in index or contact_id < index[key]):
            index[key] = contact_id
    return index


def match_rows(rows: Iterable, *, rules: Iterable[str] | None = None) -> list[list[RowMatch]]:
    """For the import: the live contacts each row matches exactly, a whole batch of rows at once.

    Each row is a dict of `exact_keys`' arguments or the list of keys `exact_keys` made for it.
    Returns, per row and in the rows' order, its RowMatches, the contact of the row's first
    key first (the import applies its duplicate rule to that one); `reasons` say which rules
    matched ("same phone", ...). Costs a few indexed queries per 900 keys, whatever the
    table's size; keys of switched-off rules are ignored."""
    in_use = exact_rules(rules)
    key_lists = [exact_keys(**row, rules=in_use) if isinstance(row, dict) else row for row in rows]
    wanted: dict[str, set[str]] = defaultdict(set)
    for keys in key_lists:
        for rule, value in keys:
            if rule in in_use:
                wanted[rule].add(value)
    index = find_exact_keys(wanted)
    results = []
    for keys in key_lists:
        by_contact: dict[int, list] = {}
        for key in keys:
            contact_id = index.get(key)
            if contact_id is not None:
                by_contact.setdefault(contact_id, []).append(key)
        results.append([RowMatch(contact_id, tuple(found)) for contact_id, found in by_contact.items()])
    return results


# --- Keeping the possible-duplicates queue (DuplicateCandidate) -----------------------------


def _candidate_row(a_id: int, b_id: int, score: int, reasons: Iterable[str], model_version: str = ""):
    from contacts.models import DuplicateCandidate

    reasons = set(reasons)
    return DuplicateCandidate(
        contact_a_id=min(a_id, b_id),
        contact_b_id=max(a_id, b_id),
        score=score,
        model_version=model_version,
        phone_match=RULES[PHONE] in reasons,
        email_match=RULES[EMAIL] in reasons,
        name_match=RULES[NAME] in reasons,
        fuzzy_match=RULES[FUZZY] in reasons,
    )


def queue_pairs(pairs: Iterable[tuple[int, int, int, Iterable[str], str]]) -> None:
    """Put pairs (contact, contact, score, reasons, model version) in the queue, unless one
    is there already or staff said "not a duplicate"."""
    from django.db.models import Q

    from contacts.models import DuplicateCandidate, DuplicateDismissal

    pairs = list(pairs)
    ids = {contact_id for a, b, *_rest in pairs for contact_id in (a, b)}
    # Only the decisions about these contacts (not every dismissal of the firm, per chunk).
    dismissed = set(
        DuplicateDismissal.objects.filter(Q(contact_a__in=ids) | Q(contact_b__in=ids)).values_list(
            "contact_a_id", "contact_b_id"
        )
    )
    rows = [
        _candidate_row(a, b, score, reasons, version)
        for a, b, score, reasons, version in pairs
        if (min(a, b), max(a, b)) not in dismissed and a != b
    ]
    DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)


def refresh_candidates_for(contact_ids: Iterable[int]) -> int:
    """Re-check these contacts against the table and rewrite their rows of the queue.

    Called in the background whenever a contact, a phone or an email changes, and after a
    merge or an undo. Returns how many pairs the contacts now have."""
    from django.db import transaction
    from django.db.models import Q

    from contacts.models import Contact, DuplicateCandidate

    total = 0
    for contact_id in sorted(set(contact_ids)):
        contact = Contact.objects.filter(pk=contact_id).first()
        rows = []
        if contact is not None and contact.merged_into_id is None and contact.archived_at is None:
            rows = [
                _candidate_row(contact_id, m.contact_id, m.score, m.reasons, m.model_version)
                for m in check_contact(contact)
            ]
        with transaction.atomic():
            DuplicateCandidate.objects.filter(Q(contact_a=contact_id) | Q(contact_b=contact_id)).delete()
            DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)
        total += len(rows)
    return total


def run_full_scan(scan_id: int | None = None, *, batch_size: int = 5000) -> ScanStats:
    """Recompute the whole queue from a full scan; the old queue stays visible until the new
    one is committed in one go."""
    from django.db import transaction
    from django.utils import timezone

    from contacts.models import DuplicateCandidate, DuplicateScan

    scan = DuplicateScan.objects.filter(pk=scan_id).first() if scan_id else None
    if scan is not None:
        DuplicateScan.objects.filter(pk=scan.pk).update(status=DuplicateScan.Status.RUNNING)
    stats = ScanStats()
    try:
        candidates = list(find_candidate_pairs(stats=stats))
        with transaction.atomic():
            DuplicateCandidate.objects.all().delete()
            for start in range(0, len(candidates), batch_size):
                DuplicateCandidate.objects.bulk_create(
                    [
                        _candidate_row(c.contact_a, c.contact_b, c.score, c.reasons, c.model_version)
                        for c in candidates[start : start + batch_size]
                    ],
                    ignore_conflicts=True,
                )
            if scan is not None:
                DuplicateScan.objects.filter(pk=scan.pk).update(
                    status=DuplicateScan.Status.DONE,
                    contacts=stats.contacts,
                    pairs=len(candidates),
                    finished_at=timezone.now(),
                )
    except Exception as error:
        if scan is not None:
            DuplicateScan.objects.filter(pk=scan.pk).update(
                status=DuplicateScan.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
            )
        raise
    return stats
