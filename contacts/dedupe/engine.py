"""The engine's entry points: a full scan, one contact against the table, and the stored model.

- `pairs_in_profiles`: every likely pair among a set of profiles (the full scan's core; given
  no model it estimates one from the profiles themselves, as Splink does on a new data set);
- `check_profile`: one contact against the whole table through indexed lookups only (the
  warning on create, the import, the background refresh), with the stored model;
- `active_model` / `train_and_store`: the model kept in the database with a version.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from contacts.dedupe.blocking import candidate_pairs
from contacts.dedupe.comparisons import EMAIL, compare_profiles, first_name_level, last_name_level
from contacts.dedupe.labels import measure_on_labels
from contacts.dedupe.model import DUPLICATES_PER_CONTACT, Model
from contacts.dedupe.profiles import (
    PROFILE_FIELDS,
    Profile,
    as_date,
    attach_channels,
    first_token,
    has_digit,
    last_key,
    load_profiles,
    profile_from_row,
    profile_from_values,
)
from contacts.dedupe.scoring import RULES, Scored, probability_score, quick_weight, weigh
from contacts.dedupe.training import MIN_CONTACTS, train_model
from contacts.nicknames import canonical_first_names
from firm.selectors import firm_setting


def default_min_score() -> int:
    return int(firm_setting("DUPLICATE_MIN_SCORE"))


def active_rules() -> frozenset[str]:
    return frozenset(rule for rule in firm_setting("DUPLICATE_RULES") if rule in RULES)


@dataclass(frozen=True)
class Candidate:
    """A pair of contacts that may be one person: contact_a < contact_b."""

    contact_a: int
    contact_b: int
    score: int
    reasons: tuple[str, ...]
    external_id_a: str = ""
    external_id_b: str = ""
    model_version: str = ""


@dataclass
class ScanStats:
    contacts: int = 0
    compared: int = 0
    found: int = 0
    skipped_blocks: int = 0
    compared_for_training: int = 0
    model_version: str = ""
    seconds: dict = field(default_factory=dict)


def pairs_in_profiles(
    profiles: dict[int, Profile],
    *,
    min_score: int | None = None,
    rules: frozenset[str] | None = None,
    exclude: set[tuple[int, int]] | None = None,
    stats: ScanStats | None = None,
    model: Model | None = None,
) -> Iterator[Candidate]:
    """Every pair among `profiles` (id -> Profile) scoring at least min_score, each once.

    Without a `model`, one is estimated from these profiles first (no labels needed)."""
    threshold = default_min_score() if min_score is None else min_score
    rules = active_rules() if rules is None else rules
    stats = stats if stats is not None else ScanStats()
    stats.contacts = len(profiles)
    if model is None:
        started = time.perf_counter()
        model = train_model(profiles, rules=rules, stats=stats)
        stats.seconds["train"] = time.perf_counter() - started
    stats.model_version = model.version
    exclude = exclude or set()
    for a_id, b_id in candidate_pairs(profiles, rules, stats=stats):
        if (a_id, b_id) in exclude:
            continue
        stats.compared += 1
        a, b = profiles[a_id], profiles[b_id]
        vector = compare_profiles(a, b)
        if probability_score(quick_weight(a, vector, model, rules)) < threshold:
            continue
        result = weigh(a, b, vector, model, rules)
        if result.score >= threshold:
            stats.found += 1
            yield Candidate(a_id, b_id, result.score, result.reasons, a.external_id, b.external_id, model.version)


# --- The stored model ---------------------------------------------------------------------------

_cache: dict[str, Model] = {}


def active_model() -> Model:
    """The newest trained model (the built-in priors until one has been trained)."""
    from contacts.models import DuplicateModel

    latest = DuplicateModel.objects.order_by("-id").values_list("id", "version").first()
    if latest is None:
        return default_model()
    pk, version = latest
    if version not in _cache:
        parameters = DuplicateModel.objects.values_list("parameters", flat=True).get(pk=pk)
        _cache.clear()
        _cache[version] = Model.from_json(parameters)
    return _cache[version]


def default_model() -> Model:
    """The built-in priors, with the prior scaled to the size of the table (the highest id: one
    indexed look-up, no count)."""
    from contacts.models import Contact

    size = Contact.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bucket = 1 << max(size, 1000).bit_length()  # one model per power of two
    key = f"default:{bucket}"
    if key not in _cache:
        _cache[key] = Model(lam=DUPLICATES_PER_CONTACT / bucket)
    return _cache[key]


def train_and_store(profiles: dict[int, Profile] | None = None, *, rules: frozenset[str] | None = None):
    """Estimate the model from the live contacts and store it as the new version."""
    from django.utils import timezone

    from contacts.models import DuplicateModel

    started = time.perf_counter()
    profiles = load_profiles() if profiles is None else profiles
    stats = ScanStats()
    now = timezone.now()
    version = now.strftime("%Y%m%d-%H%M%S")
    rules = active_rules() if rules is None else rules
    model = train_model(profiles, rules=rules, version=version, stats=stats)
    parameters = model.as_json()
    report = measure_on_labels(model, rules=rules, threshold=default_min_score())
    parameters["labels"] = {**report.as_json(), "summary": str(report)}
    return DuplicateModel.objects.create(
        version=version,
        contacts=len(profiles),
        compared_pairs=stats.compared_for_training,
        seconds=round(time.perf_counter() - started, 2),
        parameters=parameters,
    )


def model_for_scan(profiles: dict[int, Profile]) -> Model:
    """The stored model, trained first when there is none or the contacts have since doubled
    or halved (the scheduled training keeps it fresh otherwise)."""
    model = active_model()
    if len(profiles) < MIN_CONTACTS:
        return model  # too few contacts to learn from: the priors (or what was learned before)
    if model.version == "default" or not (model.trained_on / 2 <= len(profiles) <= model.trained_on * 2):
        train_and_store(profiles)
        model = active_model()
    return model


def dismissed_pairs() -> set[tuple[int, int]]:
    from contacts.models import DuplicateDismissal

    return set(DuplicateDismissal.objects.values_list("contact_a_id", "contact_b_id"))


def find_candidate_pairs(
    *, min_score: int | None = None, rules: Iterable[str] | None = None, stats: ScanStats | None = None
) -> Iterator[Candidate]:
    """Full scan of the live contacts with the stored model: every candidate pair once,
    dismissed pairs left out."""
    stats = stats if stats is not None else ScanStats()
    started = time.perf_counter()
    profiles = load_profiles()
    stats.seconds["load"] = time.perf_counter() - started
    model = model_for_scan(profiles)
    yield from pairs_in_profiles(
        profiles,
        min_score=min_score,
        rules=frozenset(rules) if rules is not None else None,
        exclude=dismissed_pairs(),
        stats=stats,
        model=model,
    )
    stats.seconds["total"] = time.perf_counter() - started


# --- One contact against the whole table --------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """An existing contact that may be the same person as the one being checked."""

    contact_id: int
    score: int
    reasons: tuple[str, ...]
    contact: object = None  # the Contact, when the caller asked for instances
    model_version: str = ""


ZIP_CANDIDATE_LIMIT = 1000
NAME_CANDIDATE_LIMIT = 200


def _names_close(first: str, firsts, last: str, other_first: str, other_last: str, *, loose: bool = True) -> bool:
    """Whether a first or a last name agrees: loosely (similar, an initial) or, with `loose`
    off, at least as a typo; or this first name is the other's last (swapped names)."""
    first_close, last_close = (5, 4) if loose else (3, 3)
    if (
        first
        and other_first
        and first_name_level(first, firsts, other_first, canonical_first_names(other_first)) <= first_close
    ):
        return True
    if last and other_last and last_name_level(last, other_last) <= last_close:
        return True
    return bool(
        first and other_last and first_name_level(first, firsts, other_last, canonical_first_names(other_last)) <= 3
    )


def _row_names_close(profile: Profile, row, *, loose: bool = True) -> bool:
    """Can a contact found only by date of birth, postcode or name matter? Judged on the
    database row, without building its whole profile (most rows found by date of birth or
    postcode are someone else)."""
    if _names_close(
        profile.first, profile.firsts, profile.last, first_token(row[1] or row[2]), last_key(row[4])[0], loose=loose
    ):
        return True
    # A preferred name.
    return bool(row[2] and profile.first and first_token(row[2]) in profile.firsts)


_ROW_SQL: str | None = None


def _contact_rows(where: str, params, *, limit: int | None = None) -> list[tuple]:
    """Rows of PROFILE_FIELDS + merged_into_id, archived_at of the contacts matching `where`.

    Plain SQL: the one-contact check runs on every save and every create form, and building
    the ORM's queries was a third of its time. Tombstones and archived contacts are dropped by
    the caller: a `merged_into IS NULL` condition can lead SQLite's planner to that index
    (every row matches) instead of the selective one."""
    global _ROW_SQL
    from django.db import connection

    from contacts.models import Contact

    if _ROW_SQL is None:
        quote = connection.ops.quote_name
        columns = [Contact._meta.get_field(name).column for name in PROFILE_FIELDS]
        columns += [Contact._meta.get_field("merged_into").column, Contact._meta.get_field("archived_at").column]
        _ROW_SQL = f"SELECT {', '.join(map(quote, columns))} FROM {quote(Contact._meta.db_table)} WHERE "  # noqa: S608
    sql = _ROW_SQL + where + (f" LIMIT {int(limit)}" if limit else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    # SQLite gives the date of birth as text.
    return [row if not isinstance(row[6], str) else (*row[:6], as_date(row[6]), *row[7:]) for row in found]


@lru_cache(maxsize=1 << 18)
def _names_agree(first: str, last: str, other_first: str, other_last: str) -> bool:
    """`_names_close` for the import's rows, by name alone (cached: an import meets the same
    names again and again)."""
    if has_digit(first) and has_digit(last):
        # Numbered names ("First12") are never typos of one another: only equal ones agree.
        return first in (other_first, other_last) or last == other_last
    return _names_close(first, canonical_first_names(first), last, other_first, other_last)


def _row_last_name_close(profile: Profile, row) -> bool:
    last = last_key(row[4])[0]
    return bool(profile.last and last and last_name_level(profile.last, last) <= 3)


def _same_house_number(profile: Profile, row) -> bool:
    """The row's street address starts with this profile's house number (a married name at
    the same address: same first name, another last name)."""
    address = row[7] or ""
    return bool(profile.street_number) and address.split(" ", 1)[0] == profile.street_number


def check_profile(
    profile: Profile,
    *,
    exclude_ids: Iterable[int] = (),
    min_score: int | None = None,
    rules: Iterable[str] | None = None,
    model: Model | None = None,
) -> list[Match]:
    """Live contacts that may be the person of `profile`, best first.

    Candidates come from indexed lookups only: the same phone, the same email, the same date
    of birth, the same postcode with a name's initial, the same name (either way round)
    anywhere; those not found by phone or email are kept only when a name agrees (loosely for
    those born the same day), so the work stays small at a million contacts."""

    from contacts.models import ContactEmail, ContactPhone

    rules = frozenset(rules) if rules is not None else active_rules()
    threshold = default_min_score() if min_score is None else min_score
    model = model or active_model()
    excluded = set(exclude_ids) | {profile.id}
    # Tombstones and archived contacts are dropped in Python: a `merged_into IS NULL` filter
    # can lead SQLite's planner to that index (every row matches) instead of the selective one.
    strong: set[int] = set()
    if "phone" in rules and profile.phones:
        strong.update(ContactPhone.objects.filter(number__in=profile.phones).values_list("contact_id", flat=True))
    if "email" in rules and profile.emails:
        strong.update(ContactEmail.objects.filter(email__in=profile.emails).values_list("contact_id", flat=True))
    strong -= excluded
    rows = {}
    if strong:
        ids = sorted(strong)
        rows.update((row[0], row) for row in _contact_rows(f"id IN ({', '.join(['%s'] * len(ids))})", ids))

    if "name" in rules or "fuzzy" in rules:
        weak_rows = []
        born_same_day = set()
        if profile.dob:
            weak_rows += _contact_rows("date_of_birth = %s", [profile.dob.isoformat()])
            born_same_day = {row[0] for row in weak_rows}
        initials = sorted({name[0] for name in (profile.first, profile.last, *profile.firsts) if name})
        if profile.postcode and initials:
            # A range, not LIKE, so the postcode index serves 60601 and 60601-1234 alike; the
            # other record's last name starts like one of this one's names (sort_name is folded
            # "last first middle").
            starts = " OR ".join(["sort_name LIKE %s"] * len(initials))
            weak_rows += _contact_rows(
                f"postal_code >= %s AND postal_code < %s AND ({starts})",
                [profile.postcode, profile.postcode + "\uffff", *(f"{letter}%" for letter in initials)],
                limit=ZIP_CANDIDATE_LIMIT,
            )
        if profile.last and profile.first:
            # The same name anywhere, either way round (a move to another postcode).
            # Ranges, not LIKE: SQLite's case-blind LIKE cannot use the sort_name index.
            prefixes = {f"{profile.last} {profile.first}", f"{profile.first} {profile.last}"}
            for prefix in sorted(prefixes):
                weak_rows += _contact_rows(
                    "sort_name >= %s AND sort_name < %s", [prefix, prefix + "\uffff"], limit=NAME_CANDIDATE_LIMIT
                )
        for row in weak_rows:
            if row[0] in rows or row[0] in excluded:
                continue
            if row[0] in born_same_day:
                close = _row_names_close(profile, row)
            else:
                close = _row_last_name_close(profile, row) or (
                    _same_house_number(profile, row) and _row_names_close(profile, row, loose=False)
                )
            if close:
                rows[row[0]] = row
    rows = {pk: row[: len(PROFILE_FIELDS)] for pk, row in rows.items() if row[-2] is None and row[-1] is None}
    if not rows:
        return []
    profiles = {pk: profile_from_row(row) for pk, row in rows.items()}
    # A contact found by neither phone nor email shares neither with this one: its phones and
    # emails can only count against it (or, at most, a mailbox name at another provider). Those
    # that cannot reach the threshold even so are dropped before their phones are read.
    bonus = max(model.weights[EMAIL][2], 0.0)
    for pk in [pk for pk in profiles if pk not in strong]:
        vector = compare_profiles(profile, profiles[pk])
        if probability_score(quick_weight(profile, vector, model, rules) + bonus) < threshold:
            del profiles[pk]
    attach_channels(profiles, list(profiles))
    matches = []
    for other in profiles.values():
        vector = compare_profiles(profile, other)
        if probability_score(quick_weight(profile, vector, model, rules)) < threshold:
            continue
        result = weigh(profile, other, vector, model, rules)
        if result.score >= threshold:
            matches.append(Match(other.id, result.score, result.reasons, model_version=model.version))
    matches.sort(key=lambda match: (-match.score, match.contact_id))
    return matches


def explain(a: Profile, b: Profile, *, model: Model | None = None) -> Scored:
    """The score of a pair with its evidence, field by field (the side-by-side view)."""
    model = model or active_model()
    return weigh(a, b, compare_profiles(a, b), model, active_rules())


_BORN_ON_SQL: str | None = None


def _names_born_on(dates: list[str]) -> dict[str, list[tuple[int, str, str]]]:
    """{ISO date: [(id, folded first name, folded last name)]} of the live contacts born on
    those days. Plain SQL: at a million contacts a chunk of the import meets tens of thousands
    of such rows, and the ORM's per-row conversions were most of the import's time."""
    global _BORN_ON_SQL
    from django.db import connection

    from contacts.models import Contact

    if _BORN_ON_SQL is None:
        quote = connection.ops.quote_name
        fields = ("id", "first_name", "preferred_name", "last_name", "date_of_birth", "merged_into", "archived_at")
        columns = ", ".join(quote(Contact._meta.get_field(name).column) for name in fields)
        dob = quote(Contact._meta.get_field("date_of_birth").column)
        _BORN_ON_SQL = f"SELECT {columns} FROM {quote(Contact._meta.db_table)} WHERE {dob} IN "  # noqa: S608
    by_date: dict[str, list[tuple[int, str, str]]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(dates), 900):
            chunk = [datetime.date.fromisoformat(day) for day in dates[start : start + 900]]
            cursor.execute(_BORN_ON_SQL + f"({', '.join(['%s'] * len(chunk))})", chunk)
            for pk, first, preferred, last, dob, merged_into, archived_at in cursor.fetchall():
                # Tombstones and archived contacts dropped here, not in SQL (see check_profile).
                if merged_into is None and archived_at is None:
                    key = dob if isinstance(dob, str) else dob.isoformat()  # SQLite gives text
                    by_date.setdefault(key, []).append((pk, first_token(first or preferred), last_key(last)[0]))
    return by_date


class BirthDateNames:
    """The names of the live contacts born on each day, for the import's fuzzy look-up: read
    from the database once per import, not once per chunk (a file's rows share birth dates
    across chunks: at a million contacts, each day's forty contacts were read again by every
    chunk with a row born that day), and kept up to date with the contacts the import writes.

    The names only choose which contacts are compared: the comparison itself reads whole,
    current rows. Past LIMIT names the memory starts over."""

    LIMIT = 2_000_000

    def __init__(self):
        self._by_date: dict[str, list[tuple[int, str, str]]] = {}
        self._size = 0

    def lookup(self, days: Iterable[datetime.date]) -> dict[str, list[tuple[int, str, str]]]:
        missing = sorted({day.isoformat() for day in days} - self._by_date.keys())
        if missing:
            if self._size > self.LIMIT:
                self._by_date, self._size = {}, 0
            found = _names_born_on(missing)
            for day in missing:
                self._by_date[day] = names = found.get(day, [])
                self._size += len(names)
        return self._by_date

    def add(self, contact) -> None:
        """A contact the import wrote (created, or updated with new names)."""
        born = as_date(contact.date_of_birth)
        names = self._by_date.get(born.isoformat()) if born else None
        if names is not None:
            names.append(
                (contact.pk, first_token(contact.first_name or contact.preferred_name), last_key(contact.last_name)[0])
            )
            self._size += 1


def fuzzy_matches(
    rows: list[dict],
    *,
    min_score: int | None = None,
    model: Model | None = None,
    names: BirthDateNames | None = None,
) -> list[Match | None]:
    """For the import: the best live contact each row (a dict of contact fields, see
    `profile_from_values`) may be, by the model, or None; a whole chunk of rows at once.

    Candidates are the contacts born on a row's date of birth (a few indexed queries per 900
    dates, whatever the table's size) whose first or last name agrees at least loosely; the
    exact keys (phone, email, ids) are the import's own first step (`match_rows`). An import
    passes one `names` to every chunk."""
    from contacts.models import Contact

    rules = active_rules()
    threshold = default_min_score() if min_score is None else min_score
    model = model or active_model()
    # Only rows with a date of birth can be looked up; their names are folded first, and a
    # whole profile is built only for a row that has a candidate.
    dated = {}
    for i, values in enumerate(rows):
        dob = as_date(values.get("date_of_birth"))
        if dob:
            first = first_token(values.get("first_name") or values.get("preferred_name"))
            dated[i] = (dob, first, last_key(values.get("last_name"))[0])
    # First only the names of everyone born on those days (at a million contacts, dozens a
    # day), then the whole rows of those whose names come close.
    by_date = (names or BirthDateNames()).lookup(dob for dob, _first, _last in dated.values())
    close_ids: dict[int, list[int]] = {}
    for i, (dob, row_first, row_last) in dated.items():
        entries = by_date.get(dob.isoformat(), ())
        if has_digit(row_first) and has_digit(row_last):
            # Numbered names ("First12"): only equal names agree (see _names_agree).
            close = [pk for pk, first, last in entries if row_first in (first, last) or row_last == last]
        else:
            close = [
                pk
                for pk, first, last in entries
                if (row_first == first and row_first)
                or (row_last == last and row_last)
                or _names_agree(row_first, row_last, first, last)
            ]
        if close:
            close_ids[i] = close
    profiles = {i: profile_from_values(rows[i], id=-(i + 1)) for i in close_ids}
    wanted_ids = sorted({pk for ids in close_ids.values() for pk in ids})
    wanted: dict[int, Profile] = {}
    for start in range(0, len(wanted_ids), 900):
        for row in Contact.objects.filter(pk__in=wanted_ids[start : start + 900]).values_list(*PROFILE_FIELDS):
            wanted[row[0]] = profile_from_row(row)
    attach_channels(wanted, list(wanted))
    candidates = {i: [wanted[pk] for pk in ids if pk in wanted] for i, ids in close_ids.items()}
    results: list[Match | None] = []
    for i in range(len(rows)):
        profile = profiles.get(i)
        best = None
        for other in candidates.get(i, ()):
            result = weigh(profile, other, compare_profiles(profile, other), model, rules)
            if result.score >= threshold and (best is None or result.score > best.score):
                best = Match(other.id, result.score, result.reasons, model_version=model.version)
        results.append(best)
    return results


def auto_match_score() -> int:
    """From this score the import treats a fuzzy match as the same contact (its duplicate
    rule applies); below it, down to the queue's threshold, the pair goes to the queue."""
    return int(firm_setting("DUPLICATE_AUTO_MATCH_SCORE"))
