"""Comparing two profiles field by field: each comparison puts a pair in one of its levels.

A level is what a paralegal would say of the two values: "exact", "a nickname", "a typo away",
"different"... Level 0 of every comparison is "one or both missing", which is no evidence either
way. The model (`model.py`) gives each level a match weight; this module only decides levels,
so the same vector serves training, scoring and the explanation shown to staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from contacts.dedupe.profiles import Profile, has_digit
from contacts.nicknames import FORMAL_NAMES, canonical_first_names, name_family

# Kinds of level: how the firm's rules (settings.DUPLICATE_RULES) treat them.
NULL, EXACT, FUZZY, DIFFERENT = "null", "exact", "fuzzy", "different"


@dataclass(frozen=True)
class Comparison:
    name: str
    label: str
    levels: tuple[tuple[str, str], ...]  # (label, kind), level 0 first
    rule: str  # the duplicate rule its agreement counts for: phone, email, name or fuzzy
    term_frequency: bool = False  # exact agreement weighed by how common the value is


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "first_name",
        "First name",
        (
            ("missing", NULL),
            ("same", EXACT),
            ("nickname, preferred or middle name", EXACT),
            ("a typo away", FUZZY),
            ("similar", FUZZY),
            ("initial only", FUZZY),
            ("different", DIFFERENT),
        ),
        "name",
        term_frequency=True,
    ),
    Comparison(
        "last_name",
        "Last name",
        (
            ("missing", NULL),
            ("same", EXACT),
            ("one of two surnames", EXACT),
            ("a typo away", FUZZY),
            ("similar", FUZZY),
            ("different", DIFFERENT),
        ),
        "name",
        term_frequency=True,
    ),
    Comparison(
        "date_of_birth",
        "Date of birth",
        (
            ("missing", NULL),
            ("same", EXACT),
            ("one digit or day/month off", FUZZY),
            ("within a year", FUZZY),
            ("within ten years", DIFFERENT),
            ("different", DIFFERENT),
        ),
        "fuzzy",
    ),
    Comparison(
        "address",
        "Street address",
        (
            ("missing", NULL),
            ("same", EXACT),
            ("nearly the same", FUZZY),
            ("same number, similar street", FUZZY),
            ("different", DIFFERENT),
        ),
        "fuzzy",
    ),
    Comparison(
        "city",
        "City",
        (("missing", NULL), ("same", EXACT), ("a typo away", FUZZY), ("different", DIFFERENT)),
        "fuzzy",
        term_frequency=True,
    ),
    Comparison(
        "postcode",
        "Postcode",
        (("missing", NULL), ("same", EXACT), ("one digit off", FUZZY), ("different", DIFFERENT)),
        "fuzzy",
        term_frequency=True,
    ),
    Comparison("state", "State", (("missing", NULL), ("same", EXACT), ("different", DIFFERENT)), "fuzzy"),
    Comparison("phone", "Phone", (("missing", NULL), ("a shared number", EXACT), ("different", DIFFERENT)), "phone"),
    Comparison(
        "email",
        "Email",
        (
            ("missing", NULL),
            ("a shared address", EXACT),
            ("same mailbox name, other provider", FUZZY),
            ("different", DIFFERENT),
        ),
        "email",
    ),
    Comparison(
        "external_id",
        "External ID",
        (("missing", NULL), ("same", EXACT), ("different", DIFFERENT)),
        "name",
    ),
)
INDEX = {comparison.name: i for i, comparison in enumerate(COMPARISONS)}
FIRST, LAST, DOB, ADDRESS, CITY, POSTCODE, STATE, PHONE, EMAIL, EXTERNAL_ID = range(len(COMPARISONS))
FIRST_DIFFERENT = 6
FIRST_INITIAL = 5
LAST_DIFFERENT = 5
DOB_DIFFERENT = 5
# Years between two dates of birth from which two people of one name are parent and child.
GENERATION_YEARS = 14


def _typo_of(a: str, b: str) -> bool:
    return OSA.distance(a, b) <= 1 or (min(len(a), len(b)) >= 4 and JaroWinkler.similarity(a, b) >= 0.92)


def first_name_level(a: str, a_set: frozenset, b: str, b_set: frozenset) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    if a_set & b_set:
        return 2
    return _first_names_level(a, b) if a < b else _first_names_level(b, a)


@lru_cache(maxsize=1 << 20)
def _first_names_level(a: str, b: str) -> int:
    """The level of two different first names that are not nicknames of one another (cached:
    the same names meet again and again in a scan)."""
    if has_digit(a) or has_digit(b):
        return FIRST_DIFFERENT  # "First12" and "First123": numbered, not mistyped
    if len(a) == 1 or len(b) == 1:
        return FIRST_INITIAL if a[0] == b[0] else FIRST_DIFFERENT
    if a in FORMAL_NAMES and b in FORMAL_NAMES:
        return FIRST_DIFFERENT  # two names of their own, however alike: Christine and Christopher
    if _typo_of(a, b):
        return 3
    # A nickname with a typo ("jimy" for James, "petgy" for Margaret) is a typo away from one
    # of the forms of the other's name.
    a_family, b_family = name_family(a), name_family(b)
    if any(_typo_of(a, name) for name in b_family) or any(_typo_of(b, name) for name in a_family):
        return 3
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.8 or Levenshtein.distance(a, b) <= 1:
        return 4
    if len(a) >= 3 and len(b) >= 3 and (a.startswith(b) or b.startswith(a)):
        return 4  # a shortened name: "chris" and "christopher", "alex" and "alexandra"
    return FIRST_DIFFERENT


def last_name_level(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    return _last_names_level(a, b) if a < b else _last_names_level(b, a)


@lru_cache(maxsize=1 << 20)
def _last_names_level(a: str, b: str) -> int:
    if has_digit(a) or has_digit(b):
        return LAST_DIFFERENT  # numbered, not mistyped
    if " " in a or " " in b or "-" in a or "-" in b:  # compound surnames: García López / García
        a_tokens, b_tokens = set(a.replace("-", " ").split()), set(b.replace("-", " ").split())
        if a_tokens <= b_tokens or b_tokens <= a_tokens:
            return 2
        a, b = a.replace("-", " "), b.replace("-", " ")
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.92:
        return 3
    if similarity >= 0.8 or Levenshtein.distance(a, b) <= 1:
        return 4
    return LAST_DIFFERENT


def _one_edit(a: str, b: str) -> bool:
    """Same-length strings that differ in one place or by two neighbours swapped."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _dob_level(a: Profile, b: Profile) -> int:
    if not a.dob or not b.dob:
        return 0
    if a.dob == b.dob:
        return 1
    x, y = a.dob_digits, b.dob_digits
    if _one_edit(x, y) or (x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]):
        return 2
    days = abs((a.dob - b.dob).days)
    if days <= 366:
        return 3
    return 4 if days <= 3653 else DOB_DIFFERENT


def _address_level(a: Profile, b: Profile) -> int:
    if not a.address or not b.address:
        return 0
    if a.address == b.address:
        return 1
    if fuzz.token_sort_ratio(a.address, b.address, score_cutoff=88):
        return 2
    if (
        a.street_number
        and a.street_number == b.street_number
        and a.address != a.street_number  # a bare house number says nothing of the street
        and b.address != b.street_number
        and fuzz.partial_ratio(a.address, b.address, score_cutoff=75)
    ):
        return 3
    return 4


def _city_level(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if JaroWinkler.similarity(a, b) >= 0.88 else 3


def _postcode_level(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if len(a) == len(b) and _one_edit(a, b) else 3


def _email_level(a: Profile, b: Profile) -> int:
    if not a.emails or not b.emails:
        return 0
    for x in a.emails:
        if x in b.emails:
            return 1
    # The same mailbox name at another provider counts only when it carries digits: a bare
    # name ("georgeallen") is shared by every George Allen.
    if not a.mailboxes.isdisjoint(b.mailboxes):
        return 2
    return 3


class Vector(NamedTuple):
    """The levels of a pair, and what the household rules need to know beyond them."""

    levels: tuple[int, ...]
    swapped: bool = False  # first and last names matched crosswise
    generation_apart: bool = False  # dates of birth a generation apart
    suffix_conflict: bool = False  # Jr. and Sr., or Jr. and no suffix (II and III...)


def _name_levels(a: Profile, b: Profile) -> tuple[int, int, bool]:
    first = first_name_level(a.first, a.firsts, b.first, b.firsts)
    if first >= 3 and (a.first and a.first == b.middle or b.first and b.first == a.middle):
        first = 2  # goes by the middle name
    last = last_name_level(a.last, b.last)
    if first <= 1 and last <= 2 or not (a.first and a.last and b.first and b.last):
        return first, last, False
    # Swapped first and last names: compare crosswise, keep the better reading.
    crossed_first = first_name_level(a.first, a.firsts, b.last, canonical_first_names(b.last))
    crossed_last = last_name_level(a.last, b.first)
    if _rank(crossed_first, FIRST_DIFFERENT) + _rank(crossed_last, LAST_DIFFERENT) < _rank(
        first, FIRST_DIFFERENT
    ) + _rank(last, LAST_DIFFERENT):
        return crossed_first, crossed_last, True
    return first, last, False


def _rank(level: int, different: int) -> int:
    return different if level == 0 else level


def compare_profiles(a: Profile, b: Profile) -> Vector:
    """The comparison vector of two profiles (see COMPARISONS for the levels)."""
    first, last, swapped = _name_levels(a, b)
    dob = _dob_level(a, b)
    phones = 0
    if a.phones and b.phones:
        phones = 1 if not set(a.phones).isdisjoint(b.phones) else 2
    external = 0
    if a.external_id and b.external_id:
        external = 1 if a.external_id == b.external_id else 2
    city = 0
    if a.city and b.city:
        city = 1 if a.city == b.city else _city_level(a.city, b.city)
    postcode = 0
    if a.postcode and b.postcode:
        postcode = 1 if a.postcode == b.postcode else _postcode_level(a.postcode, b.postcode)
    levels = (
        first,
        last,
        dob,
        _address_level(a, b),
        city,
        postcode,
        (1 if a.state == b.state else 2) if a.state and b.state else 0,
        phones,
        _email_level(a, b) if a.emails and b.emails else 0,
        external,
    )
    generation = dob >= 4 and abs(a.dob.year - b.dob.year) >= GENERATION_YEARS
    suffix_conflict = a.suffix != b.suffix
    return Vector(levels, swapped, generation, suffix_conflict)


def _shares_channel(vector: Vector) -> bool:
    return vector.levels[PHONE] == 1 or vector.levels[EMAIL] == 1


def _shares_address(vector: Vector) -> bool:
    return vector.levels[ADDRESS] in (1, 2)


def household_sign(vector: Vector) -> str:
    """Why the pair looks like two people of one family, or "" (scoring.py, and EM in
    model.py, use it where the contacts hold families)."""
    levels = vector.levels
    same_name = 1 <= levels[FIRST] <= 3 and 1 <= levels[LAST] <= 4
    if same_name and vector.generation_apart:
        return "same name, born a generation apart: parent and child, or two people"
    if not (_shares_channel(vector) or _shares_address(vector)):
        return ""
    if levels[FIRST] == FIRST_DIFFERENT:
        return "different first names: another person of the household"
    if same_name and vector.suffix_conflict and levels[DOB] not in (1, 2):
        return "same name, one a Jr. or Sr.: parent and child"
    return ""
