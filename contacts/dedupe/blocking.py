"""Blocking: which pairs are compared at all, so the full scan stays far below n².

Two contacts are compared when they share at least one key of a union of rules, each rule
catching what the others miss: a typo in a name still leaves the date of birth and an initial;
a mistyped birth date still leaves the names and the postcode; swapped first and last names give
the same sorted keys. A key shared by more than MAX_BLOCK contacts (a firm's switchboard number,
"John Smith") says little and is skipped; the other rules still reach those contacts.

Each rule is a function of one profile; the scan builds the index of one rule at a time, so its
memory is the profiles plus one rule's keys.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from contacts.dedupe.profiles import Profile, soundex

PHONE, EMAIL, NAME, FUZZY = "phone", "email", "name", "fuzzy"
MAX_BLOCK = 200
COARSE_BLOCK = 50
# At most this many pairs per contact from one rule (a million contacts: a million pairs).
PAIRS_PER_CONTACT = 1
MIN_BUDGET = 50_000
# The street-name rule is a fallback for a missing house number: in data dense in streets (the
# seeded million) it would fill a whole budget and cost a fifth of the scan while finding no
# pair the others miss; a quarter of the budget keeps it to a few percent.
BUDGET_SHARE = {"street name": 0.25}


def rule_budget(name: str, contacts: int) -> int:
    """The most pairs one rule may add for this many contacts (see block_limit)."""
    return max(int(PAIRS_PER_CONTACT * BUDGET_SHARE.get(name, 1.0) * contacts), MIN_BUDGET)


def _pair(a: str, b: str) -> tuple[str, ...]:
    """The distinct non-empty of two values."""
    if a and b:
        return (a,) if a == b else (a, b)
    return (a,) if a else ((b,) if b else ())


def _initials(profile: Profile) -> tuple[str, ...]:
    return _pair(profile.first[:1], profile.last[:1])


def _codes(profile: Profile) -> tuple[str, ...]:
    return _pair(profile.first_code, profile.last_code)


def by_phone(profile: Profile) -> Iterable[str]:
    return profile.phones


def by_email(profile: Profile) -> Iterable[str]:
    return profile.emails


def by_birth_date(profile: Profile) -> Iterable[str]:
    """The date of birth with either name's code (a typo in one name leaves the other's)."""
    digits = profile.dob_digits
    return [digits + initial for initial in _initials(profile)] if digits else ()


def by_birthday(profile: Profile) -> Iterable[str]:
    """A mistyped year or a day/month swap: month and day (either way round) with a name code."""
    digits = profile.dob_digits
    if not digits:
        return ()
    return [md + code for md in (digits[4:], digits[6:] + digits[4:6]) for code in _codes(profile)]


def by_name_codes(profile: Profile) -> Iterable[str]:
    """Both names' Soundex codes, sorted; and with each formal name a nickname stands for."""
    if not (profile.first_code and profile.last_code):
        return ()
    keys = ["".join(sorted((profile.first_code, profile.last_code)))]
    for name in profile.firsts:
        if name != profile.first:
            keys.append("".join(sorted((name[0].upper() + name[1:3], profile.last_code))))
    return keys


def by_name_and_initial(profile: Profile) -> Iterable[str]:
    """Both codes typo-prone: the exact last name with the first initial, and the reverse."""
    if not (profile.first and profile.last):
        return ()
    return (f"{profile.last}|{profile.first[0]}", f"{profile.first}|{profile.last[0]}")


def by_postcode(profile: Profile) -> Iterable[str]:
    if not profile.postcode:
        return ()
    keys = [profile.postcode + code for code in _codes(profile)]
    if profile.dob_digits:
        keys.append(profile.postcode + profile.dob_digits[:4])
    return keys


def by_city(profile: Profile) -> Iterable[str]:
    """A postcode mistyped or missing: the city's code with the names, or with the birth date."""
    if not profile.city:
        return ()
    city = soundex(profile.city)
    keys = [city + code for code in _codes(profile)]
    if profile.dob_digits:
        keys.append(city + profile.dob_digits)
    return keys


def by_street(profile: Profile) -> Iterable[str]:
    """The house number and the start of the street, with an initial or the postcode."""
    if not (profile.address and profile.street_number):
        return ()
    street = next((token for token in profile.address.split() if not token.isdigit()), "")
    if not street:
        return ()
    start = profile.street_number + street[:3]
    keys = [start + initial for initial in _initials(profile)]
    if profile.postcode:
        keys.append(start + "|" + profile.postcode)
    return keys


def by_street_name(profile: Profile) -> Iterable[str]:
    """The house number missing or mistyped: the street's words, without numbers, in the
    postcode, with an initial (both names may be mistyped too)."""
    if not (profile.address and profile.postcode):
        return ()
    street = " ".join(token for token in profile.address.split() if not token.isdigit())
    if not street:
        return ()
    return [f"{street}|{profile.postcode}|{initial}" for initial in _initials(profile)]


# (name, the rule that must be on, key function, largest block compared), in the order the scan
# walks them. The coarse rules (a birthday or a postcode with one name's code) stop at smaller
# blocks: past that size the finer rules reach the same pairs.
RULES: tuple[tuple[str, str | None, Callable[[Profile], Iterable[str]], int], ...] = (
    ("phone", PHONE, by_phone, MAX_BLOCK),
    ("email", EMAIL, by_email, MAX_BLOCK),
    ("birth date", None, by_birth_date, MAX_BLOCK),
    ("birthday", None, by_birthday, COARSE_BLOCK),
    ("name codes", None, by_name_codes, MAX_BLOCK),
    ("name and initial", None, by_name_and_initial, MAX_BLOCK),
    ("postcode", None, by_postcode, COARSE_BLOCK),
    ("city", None, by_city, COARSE_BLOCK),
    ("street", None, by_street, MAX_BLOCK),
    ("street name", None, by_street_name, COARSE_BLOCK),
)


def rules_in_use(rules: frozenset[str]):
    names_on = NAME in rules or FUZZY in rules
    return [
        (name, function, largest)
        for name, needs, function, largest in RULES
        if (needs in rules if needs is not None else names_on)
    ]


def blocking_keys(profile: Profile, rules: frozenset[str]) -> set[str]:
    """Every key under which this contact is compared with others (each prefixed by its rule)."""
    return {f"{name}:{key}" for name, function, _largest in rules_in_use(rules) for key in function(profile)}


def block_limit(sizes: Iterable[int], largest: int, budget: int) -> int:
    """The largest block a rule compares: `largest`, or smaller when its blocks up to that size
    would hold more than `budget` pairs (keys that common, in that data, say little; the
    smaller blocks of the rule and the other rules still reach those contacts)."""
    pairs_by_size = defaultdict(int)
    for size in sizes:
        if 1 < size <= largest:
            pairs_by_size[size] += size * (size - 1) // 2
    total = 0
    for size in sorted(pairs_by_size):
        total += pairs_by_size[size]
        if total > budget:
            return size - 1
    return largest


def candidate_pairs(
    profiles: dict[int, Profile],
    rules: frozenset[str],
    *,
    max_block: int = MAX_BLOCK,
    stats=None,
) -> Iterator[tuple[int, int]]:
    """Every pair of ids (low, high) that shares a key, each once, rule by rule.

    The pairs already given are kept as one sorted array of 64-bit codes (8 bytes a pair, not
    the 50 of a Python set: a million contacts give millions of pairs)."""
    seen = np.empty(0, dtype=np.uint64)
    for name, function, largest in rules_in_use(rules):
        index: dict[str, list[int]] = defaultdict(list)
        for pk, profile in profiles.items():
            for key in function(profile):
                index[key].append(pk)
        largest = block_limit(
            (len(ids) for ids in index.values()), min(largest, max_block), rule_budget(name, len(profiles))
        )
        codes = array("Q")
        for ids in index.values():
            if len(ids) < 2:
                continue
            if len(ids) > largest:
                if stats is not None:
                    stats.skipped_blocks += 1
                continue
            if len(ids) == 2:
                a_id, b_id = ids
                if a_id != b_id:
                    codes.append((min(a_id, b_id) << 32) | max(a_id, b_id))
                continue
            ids.sort()
            for i, a_id in enumerate(ids):
                codes.extend([(a_id << 32) | b_id for b_id in ids[i + 1 :] if b_id != a_id])
        del index
        found = np.sort(np.frombuffer(codes, dtype=np.uint64)) if codes else np.empty(0, dtype=np.uint64)
        del codes
        if found.size:
            found = found[np.concatenate(([True], found[1:] != found[:-1]))]  # each pair once
        if seen.size and found.size:
            at = np.minimum(np.searchsorted(seen, found), seen.size - 1)
            found = found[seen[at] != found]  # not given by an earlier rule
        seen = np.sort(np.concatenate((seen, found))) if seen.size else found
        for start in range(0, found.size, 65536):
            for code in found[start : start + 65536].tolist():
                yield code >> 32, code & 0xFFFFFFFF
