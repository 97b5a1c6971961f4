"""The one duplicate engine: which contacts may be the same person, how sure we are, and why.

Every caller uses it: the warning on create (`possible_duplicates_for`), the import's duplicate
rules (`match_rows`, exact keys for a whole chunk of a file at once: Kayse id, external id,
phone, email, name + date of birth; `find_matches_for_row` for one row with scores), the
possible-duplicates queue and `find_duplicates`
(`find_candidate_pairs`, a full scan) and the background refresh (`check_contact`).

How a pair is scored (0-100), by four rules a firm can switch off (settings.DUPLICATE_RULES):
- **Phone match**: the two share an E.164 number, whatever format it was typed in.
- **Email match**: they share a normalized address.
- **Name match**: the names are the same person's name: case, accents, token order, swapped
  first/last, common nicknames (Bob/Robert), initials (R. Smith).
- **Fuzzy match**: close but not equal: typos and transpositions in the names (Jaro-Winkler,
  rapidfuzz), the same or nearly the same date of birth, the same street address and postcode.
Evidence against always counts, whatever the rules: two different dates of birth pull the
score down, and clearly different first names (family members sharing a phone or an
address) cap it below the threshold. Points are settings.DUPLICATE_WEIGHTS over `WEIGHTS`.

Blocking keeps the full scan sub-quadratic: only contacts that share a key are compared; keys
are the phone, the email, the date of birth with the Soundex code of a name, and the postcode
with Soundex codes of the names. A key shared by more than `MAX_BLOCK` contacts (a firm's
switchboard number) tells nothing and is skipped.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from contacts.nicknames import canonical_first_names
from contacts.normalize import fold, name_key, normalize_email, phone_or_none

PHONE = "phone"
EMAIL = "email"
NAME = "name"
FUZZY = "fuzzy"
RULES = {PHONE: "Phone match", EMAIL: "Email match", NAME: "Name match", FUZZY: "Fuzzy match"}
REASON_TO_RULE = {label: rule for rule, label in RULES.items()}

WEIGHTS = {
    "phone": 35,  # a shared phone number
    "email": 40,  # a shared email address
    "name": 45,  # names equal (times the name similarity when only close)
    "dob": 30,  # the same date of birth
    "dob_near": 12,  # a date of birth one typo away (digit, day/month swap)
    "dob_conflict": -45,  # two different dates of birth
    "address": 10,  # the same street address (typo-tolerant)
    "postcode": 5,  # the same postcode
    "name_conflict_cap": 55,  # highest score when the first or last names clearly differ
}
NAME_EQUAL = 0.97  # name similarity from which the names count as the same (Name match)
NAME_CLOSE = 0.84  # ... and from which they count as a typo away (Fuzzy match)
PART_CONFLICT = 0.72  # a first or last name similarity below this is a different name
MAX_BLOCK = 200


def default_min_score() -> int:
    return int(settings.DUPLICATE_MIN_SCORE)


def active_rules() -> frozenset[str]:
    return frozenset(rule for rule in settings.DUPLICATE_RULES if rule in RULES)


def weights() -> dict[str, float]:
    return {**WEIGHTS, **settings.DUPLICATE_WEIGHTS}


# --- Normalized view of a contact --------------------------------------------------------

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}
_LETTERS = re.compile(r"[^a-z]")


@lru_cache(maxsize=262144)
def soundex(word: str) -> str:
    """American Soundex of a folded word ("robert" -> "R163"): typo-tolerant blocking key."""
    word = _LETTERS.sub("", word)
    if not word:
        return ""
    code = [word[0].upper()]
    last = _SOUNDEX_CODES.get(word[0], "")
    for char in word[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != last:
            code.append(digit)
            if len(code) == 4:
                break
        if char not in "hw":
            last = digit
    return "".join(code).ljust(4, "0")


class Profile:
    """What the engine compares of a contact; built once per contact per scan."""

    __slots__ = ("id", "first", "firsts", "last", "dob", "address", "postcode", "phones", "emails", "external_id")

    def __init__(self, *, id, first, last, dob, address, postcode, phones=(), emails=(), external_id=""):
        self.id = id
        self.first = first
        self.firsts = canonical_first_names(first) if first else frozenset()
        self.last = last
        self.dob = dob
        self.address = address
        self.postcode = postcode
        self.phones = tuple(phones)
        self.emails = tuple(emails)
        self.external_id = external_id


_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "apartment": "apt",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


def _address_key(line: str) -> str:
    return " ".join(_STREET_WORDS.get(token, token) for token in fold(line).replace(".", " ").split())


def _phone_key(raw: str) -> str | None:
    raw = (raw or "").strip()
    if raw.startswith("+") and raw[1:].isdigit():
        return raw  # already E.164, as stored
    return phone_or_none(raw)


def _as_date(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def profile_from_values(values: dict, *, id=None) -> Profile:
    """A profile from a dict of contact fields (form, import row or DB values).

    Keys used: first_name, preferred_name, last_name, organization_name, date_of_birth,
    address_line1, postal_code, external_id, and `phones` / `emails` (lists of strings in any
    format; a single `phone` / `email` key works too)."""
    first = _first_token(values.get("first_name") or values.get("preferred_name"))
    last = fold(values.get("last_name") or "").replace(".", "")
    if not first and not last:
        last = fold(values.get("organization_name") or "")
    raw_phones = list(values.get("phones") or []) + ([values["phone"]] if values.get("phone") else [])
    raw_emails = list(values.get("emails") or []) + ([values["email"]] if values.get("email") else [])
    phones = {p for p in (_phone_key(raw) for raw in raw_phones) if p}
    emails = {e for e in (normalize_email(raw) for raw in raw_emails) if e}
    profile = Profile(
        id=id if id is not None else values.get("id"),
        first=first,
        last=last,
        dob=_as_date(values.get("date_of_birth")),
        address=_address_key(values.get("address_line1") or ""),
        postcode=(values.get("postal_code") or "").strip()[:5],
        phones=sorted(phones),
        emails=sorted(emails),
        external_id=(values.get("external_id") or "").strip(),
    )
    preferred = _first_token(values.get("preferred_name"))
    if preferred and preferred != first:
        profile.firsts = profile.firsts | canonical_first_names(preferred)
    return profile


# --- Comparing two profiles ---------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    score: int
    reasons: tuple[str, ...]


def _first_similarity(a: str, a_set: frozenset, b: str, b_set: frozenset) -> float:
    if a_set & b_set:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial
        return 0.9 if a[0] == b[0] else 0.0
    return JaroWinkler.similarity(a, b)


def _last_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if " " in a or " " in b or "-" in a or "-" in b:  # compound surnames: García López / García
        a_tokens, b_tokens = set(a.replace("-", " ").split()), set(b.replace("-", " ").split())
        if a_tokens <= b_tokens or b_tokens <= a_tokens:
            return 0.97
    return JaroWinkler.similarity(a, b)


def name_similarity(a: Profile, b: Profile) -> tuple[float, float, float]:
    """(similarity, first-name similarity, last-name similarity), best of both name orders."""
    best = (0.0, 0.0, 0.0)
    orders = [(a.first, a.firsts, a.last, b.first, b.firsts, b.last)]
    if b.first and b.last:
        orders.append((a.first, a.firsts, a.last, b.last, canonical_first_names(b.last), b.first))
    for a_first, a_set, a_last, b_first, b_set, b_last in orders:
        last = _last_similarity(a_last, b_last) if a_last and b_last else None
        first = _first_similarity(a_first, a_set, b_first, b_set) if a_first and b_first else None
        parts = [part for part in (first, last) if part is not None]
        if not parts:
            continue
        similarity = sum(parts) / len(parts) if len(parts) == 2 else parts[0] * 0.9
        candidate = (similarity, first if first is not None else 1.0, last if last is not None else 1.0)
        if candidate[0] > best[0]:
            best = candidate
    return best


def _dob_relation(a: datetime.date | None, b: datetime.date | None) -> str:
    if not a or not b:
        return "unknown"
    if a == b:
        return "same"
    if (a.month, a.day) == (b.day, b.month) and a.year == b.year:
        return "near"  # day and month swapped
    a_text, b_text = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differing = [i for i in range(8) if a_text[i] != b_text[i]]
    if len(differing) == 1:
        return "near"  # one digit mistyped
    if len(differing) == 2 and differing[1] == differing[0] + 1:
        i = differing[0]
        if a_text[i] == b_text[i + 1] and a_text[i + 1] == b_text[i]:
            return "near"  # two digits transposed
    return "different"


def compare(a: Profile, b: Profile, *, rules: frozenset[str] | None = None, weight: dict | None = None) -> Comparison:
    """Score how likely two contacts are the same person (0-100), and the rules that said so."""
    rules = active_rules() if rules is None else rules
    w = weight or weights()
    points = 0.0
    reasons = []
    if PHONE in rules and a.phones and b.phones and not set(a.phones).isdisjoint(b.phones):
        points += w["phone"]
        reasons.append(RULES[PHONE])
    if EMAIL in rules and a.emails and b.emails and not set(a.emails).isdisjoint(b.emails):
        points += w["email"]
        reasons.append(RULES[EMAIL])

    similarity, first_similarity, last_similarity = name_similarity(a, b)
    fuzzy = False
    if similarity >= NAME_EQUAL and NAME in rules:
        points += w["name"]
        reasons.append(RULES[NAME])
    elif similarity >= NAME_CLOSE and FUZZY in rules:
        points += w["name"] * similarity
        fuzzy = True

    dob = _dob_relation(a.dob, b.dob)
    if dob == "different":
        points += w["dob_conflict"]
    elif FUZZY in rules and dob == "same":
        points += w["dob"]
        fuzzy = True
    elif FUZZY in rules and dob == "near":
        points += w["dob_near"]
        fuzzy = True

    if FUZZY in rules and a.postcode and a.postcode == b.postcode:
        points += w["postcode"]
        if a.address and b.address and fuzz.token_sort_ratio(a.address, b.address) >= 88:
            points += w["address"]
        fuzzy = True
    if fuzzy:
        reasons.append(RULES[FUZZY])

    if first_similarity < PART_CONFLICT or last_similarity < PART_CONFLICT:
        points = min(points, w["name_conflict_cap"])
    score = max(0, min(100, round(points)))
    return Comparison(score=score, reasons=tuple(reasons) if score else ())


# --- Blocking ------------------------------------------------------------------------------


def _name_codes(profile: Profile) -> set[str]:
    codes = {soundex(name) for name in profile.firsts if name}
    if profile.first:
        codes.add(soundex(profile.first))
    if profile.last:
        codes.add(soundex(profile.last.split(" ")[0]))
    codes.discard("")
    return codes


def blocking_keys(profile: Profile, *, rules: frozenset[str] | None = None) -> set[str]:
    """The keys under which this contact is compared with others (see the module docstring)."""
    rules = active_rules() if rules is None else rules
    keys = set()
    if PHONE in rules:
        keys.update("p" + phone for phone in profile.phones)
    if EMAIL in rules:
        keys.update("e" + email for email in profile.emails)
    if NAME in rules or FUZZY in rules:
        codes = _name_codes(profile)
        if profile.dob:
            keys.update(f"d{profile.dob.isoformat()}{code}" for code in codes)
        if profile.postcode and profile.first and profile.last:
            last_code = soundex(profile.last.split(" ")[0])
            first_codes = {soundex(name) for name in profile.firsts} | {soundex(profile.first)}
            for first_code in first_codes:
                keys.add("z" + profile.postcode + "".join(sorted((first_code, last_code))))
            # A typo in one name still leaves the other name's code and the other's initial.
            keys.add(f"y{profile.postcode}{last_code}{profile.first[0]}")
            keys.add(f"y{profile.postcode}{soundex(profile.first)}{profile.last[0]}")
    return keys


@dataclass(frozen=True)
class Candidate:
    """A pair of contacts that may be one person: contact_a < contact_b."""

    contact_a: int
    contact_b: int
    score: int
    reasons: tuple[str, ...]
    external_id_a: str = ""
    external_id_b: str = ""


@dataclass
class ScanStats:
    contacts: int = 0
    compared: int = 0
    found: int = 0
    skipped_blocks: int = 0
    seconds: dict = field(default_factory=dict)


def pairs_in_profiles(
    profiles: dict[int, Profile],
    *,
    min_score: int | None = None,
    rules: frozenset[str] | None = None,
    exclude: set[tuple[int, int]] | None = None,
    stats: ScanStats | None = None,
) -> Iterator[Candidate]:
    """Every pair among `profiles` (id -> Profile) scoring at least min_score, each once.

    Key families are blocked one at a time, so memory stays the profiles plus one index."""
    threshold = default_min_score() if min_score is None else min_score
    rules = active_rules() if rules is None else rules
    w = weights()
    stats = stats or ScanStats()
    stats.contacts = len(profiles)
    exclude = exclude or set()
    seen: set[int] = set()
    for family in "pedzy":
        index: dict[str, list[int]] = defaultdict(list)
        for profile in profiles.values():
            for key in blocking_keys(profile, rules=rules):
                if key[0] == family:
                    index[key].append(profile.id)
        for ids in index.values():
            if len(ids) < 2:
                continue
            if len(ids) > MAX_BLOCK:
                stats.skipped_blocks += 1
                continue
            ids.sort()
            for i, a_id in enumerate(ids):
                for b_id in ids[i + 1 :]:
                    if a_id == b_id:
                        continue
                    pair = (a_id << 32) | b_id
                    if pair in seen:
                        continue
                    seen.add(pair)
                    if (a_id, b_id) in exclude:
                        continue
                    stats.compared += 1
                    a, b = profiles[a_id], profiles[b_id]
                    result = compare(a, b, rules=rules, weight=w)
                    if result.score >= threshold:
                        stats.found += 1
                        yield Candidate(a_id, b_id, result.score, result.reasons, a.external_id, b.external_id)
        del index


# --- Reading contacts from the database -----------------------------------------------------

_PROFILE_FIELDS = (
    "id",
    "first_name",
    "preferred_name",
    "last_name",
    "organization_name",
    "date_of_birth",
    "address_line1",
    "postal_code",
    "external_id",
)


@lru_cache(maxsize=131072)
def _first_token(name: str | None) -> str:
    return fold(name).replace(".", " ").split(" ")[0] if name else ""


@lru_cache(maxsize=131072)
def _last_key(name: str | None) -> str:
    return fold(name).replace(".", "") if name else ""


def _profile_from_row(row) -> Profile:
    pk, first_name, preferred_name, last_name, organization_name, dob, address, postcode, external_id = row
    first = _first_token(first_name or preferred_name)
    last = _last_key(last_name) or ("" if first else fold(organization_name))
    profile = Profile(
        id=pk,
        first=first,
        last=last,
        dob=dob,
        address=_address_key(address) if address else "",
        postcode=(postcode or "")[:5],
        external_id=external_id,
    )
    if preferred_name and first_name:
        preferred = _first_token(preferred_name)
        if preferred and preferred != first:
            profile.firsts = profile.firsts | canonical_first_names(preferred)
    return profile


def _attach_channels(profiles: dict[int, Profile], contact_ids=None) -> None:
    from contacts.models import ContactEmail, ContactPhone

    phones, emails = defaultdict(list), defaultdict(list)
    phone_rows = ContactPhone.objects.all()
    email_rows = ContactEmail.objects.all()
    if contact_ids is not None:
        phone_rows = phone_rows.filter(contact_id__in=contact_ids)
        email_rows = email_rows.filter(contact_id__in=contact_ids)
    for contact_id, number in phone_rows.values_list("contact_id", "number").iterator(chunk_size=20000):
        if contact_id in profiles:
            phones[contact_id].append(number)
    for contact_id, email in email_rows.values_list("contact_id", "email").iterator(chunk_size=20000):
        if contact_id in profiles:
            emails[contact_id].append(normalize_email(email))
    for contact_id, numbers in phones.items():
        profiles[contact_id].phones = tuple(numbers)
    for contact_id, addresses in emails.items():
        profiles[contact_id].emails = tuple(addresses)


def load_profiles(queryset=None, *, progress: Callable[[int], None] | None = None) -> dict[int, Profile]:
    """Profiles of live contacts (or of `queryset`), streamed in chunks."""
    from contacts.models import Contact

    queryset = Contact.objects.live() if queryset is None else queryset
    profiles: dict[int, Profile] = {}
    for row in queryset.order_by().values_list(*_PROFILE_FIELDS).iterator(chunk_size=20000):
        profiles[row[0]] = _profile_from_row(row)
        if progress and len(profiles) % 100000 == 0:
            progress(len(profiles))
    _attach_channels(profiles, None if len(profiles) > 50000 else list(profiles))
    return profiles


def dismissed_pairs() -> set[tuple[int, int]]:
    from contacts.models import DuplicateDismissal

    return set(DuplicateDismissal.objects.values_list("contact_a_id", "contact_b_id"))


def find_candidate_pairs(
    *, min_score: int | None = None, rules: Iterable[str] | None = None, stats: ScanStats | None = None
) -> Iterator[Candidate]:
    """Full scan of the live contacts: every candidate pair once, dismissed pairs left out."""
    import time

    stats = stats if stats is not None else ScanStats()
    started = time.perf_counter()
    profiles = load_profiles()
    stats.seconds["load"] = time.perf_counter() - started
    yield from pairs_in_profiles(
        profiles,
        min_score=min_score,
        rules=frozenset(rules) if rules is not None else None,
        exclude=dismissed_pairs(),
        stats=stats,
    )
    stats.seconds["total"] = time.perf_counter() - started


# --- One contact against the whole table ----------------------------------------------------


@dataclass(frozen=True)
class Match:
    """An existing contact that may be the same person as the one being checked."""

    contact_id: int
    score: int
    reasons: tuple[str, ...]
    contact: object = None  # the Contact, when the caller asked for instances


ZIP_CANDIDATE_LIMIT = 5000


def _quick_name_close(profile: Profile, row) -> bool:
    """Cheap first look at a row found only by date of birth or postcode: are the names
    close enough to matter? (Without them such a pair cannot reach the threshold.)"""
    first = _first_token(row[1] or row[2])
    last = _last_key(row[3]) or ("" if first else fold(row[4]))
    other = Profile(id=row[0], first=first, last=last, dob=None, address="", postcode="")
    if row[2] and row[1]:
        other.firsts = other.firsts | canonical_first_names(_first_token(row[2]))
    return name_similarity(profile, other)[0] >= NAME_CLOSE


def check_profile(
    profile: Profile,
    *,
    exclude_ids: Iterable[int] = (),
    min_score: int | None = None,
    rules: Iterable[str] | None = None,
) -> list[Match]:
    """Live contacts that may be the person of `profile`, best first.

    Candidates come from indexed lookups only: the same phone, the same email, the same date
    of birth, the same postcode; those found by date of birth or postcode alone are kept
    only when their names are close, so the work stays small at a million contacts."""
    from django.db.models import Q

    from contacts.models import Contact, ContactEmail, ContactPhone

    rules = frozenset(rules) if rules is not None else active_rules()
    threshold = default_min_score() if min_score is None else min_score
    w = weights()
    excluded = set(exclude_ids) | {profile.id}
    # Tombstones and archived contacts are dropped in Python: a `merged_into IS NULL` filter
    # can lead SQLite's planner to that index (every row matches) instead of the selective one.
    live = Contact.objects.order_by()
    fields = (*_PROFILE_FIELDS, "merged_into_id", "archived_at")

    strong: set[int] = set()
    if PHONE in rules and profile.phones:
        strong.update(ContactPhone.objects.filter(number__in=profile.phones).values_list("contact_id", flat=True))
    if EMAIL in rules and profile.emails:
        strong.update(ContactEmail.objects.filter(email__in=profile.emails).values_list("contact_id", flat=True))
    strong -= excluded
    rows = {}
    if strong:
        rows.update((row[0], row) for row in live.filter(pk__in=strong).values_list(*fields))

    if NAME in rules or FUZZY in rules:
        # Without close names, date of birth and address alone cannot reach the threshold.
        names_needed = w["dob"] + w["postcode"] + w["address"] < threshold
        weak_rows = []
        if profile.dob:
            weak_rows += list(live.filter(date_of_birth=profile.dob).values_list(*fields))
        if profile.postcode:
            # A range, not LIKE, so the postcode index serves 60601 and 60601-1234 alike.
            in_postcode = live.filter(postal_code__gte=profile.postcode, postal_code__lt=profile.postcode + "\uffff")
            # As in the full scan's postcode keys (Soundex keeps the first letter): the other
            # record's last name starts like one of this one's names (sort_name is folded
            # "last first middle").
            initials = {name[0] for name in (profile.first, profile.last, *profile.firsts) if name}
            if initials:
                starts = Q()
                for letter in sorted(initials):
                    starts |= Q(sort_name__startswith=letter)
                in_postcode = in_postcode.filter(starts)
            weak_rows += list(in_postcode.values_list(*fields)[:ZIP_CANDIDATE_LIMIT])
        for row in weak_rows:
            if row[0] in rows or row[0] in excluded:
                continue
            if not names_needed or _quick_name_close(profile, row):
                rows[row[0]] = row
    rows = {pk: row[: len(_PROFILE_FIELDS)] for pk, row in rows.items() if row[-2] is None and row[-1] is None}
    if not rows:
        return []
    profiles = {pk: _profile_from_row(row) for pk, row in rows.items()}
    _attach_channels(profiles, list(profiles))
    matches = []
    for other in profiles.values():
        result = compare(profile, other, rules=rules, weight=w)
        if result.score >= threshold:
            matches.append(Match(other.id, result.score, result.reasons))
    matches.sort(key=lambda match: (-match.score, match.contact_id))
    return matches


def profile_for_contact(contact) -> Profile:
    profile = _profile_from_row(tuple(getattr(contact, name) for name in _PROFILE_FIELDS))
    profile.phones = tuple(contact.phones.values_list("number", flat=True))
    profile.emails = tuple(normalize_email(e) for e in contact.emails.values_list("email", flat=True))
    return profile


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


def find_exact_keys(wanted: dict[str, set[str]]) -> dict[tuple[str, str], int]:
    """{(rule, value): live contact id} for the wanted keys that a live contact has (the lowest
    id when several do). Indexed lookups only, a few queries per 900 values; merged-away and
    archived contacts never match."""
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
            for values in _batches(wanted.get(rule, ())):
                params = [int(value) for value in values] if rule == KAYSE_ID else values
                marks = ", ".join(["%s"] * len(params))
                cursor.execute(
                    f"SELECT {quote(column)}, {quote(contact_column)} FROM {table} WHERE {quote(column)} IN ({marks})",  # noqa: S608
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
        for ids in _batches({contact_id for _rule, _value, contact_id in candidates}):
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT id FROM {quote(Contact._meta.db_table)} WHERE id IN ({marks}) "  # noqa: S608
                "AND merged_into_id IS NULL AND archived_at IS NULL",
                ids,
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


def _candidate_row(a_id: int, b_id: int, score: int, reasons: Iterable[str]):
    from contacts.models import DuplicateCandidate

    reasons = set(reasons)
    return DuplicateCandidate(
        contact_a_id=min(a_id, b_id),
        contact_b_id=max(a_id, b_id),
        score=score,
        phone_match=RULES[PHONE] in reasons,
        email_match=RULES[EMAIL] in reasons,
        name_match=RULES[NAME] in reasons,
        fuzzy_match=RULES[FUZZY] in reasons,
    )


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
            rows = [_candidate_row(contact_id, m.contact_id, m.score, m.reasons) for m in check_contact(contact)]
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
                        _candidate_row(c.contact_a, c.contact_b, c.score, c.reasons)
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
