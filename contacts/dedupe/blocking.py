"""Blocking: which pairs are compared at all, so the full scan stays far below n².

Two contacts are compared when they share at least one key of a union of rules, each rule
catching what the others miss: a typo in a name still leaves the date of birth and an initial;
a mistyped birth date still leaves the names and the postcode; swapped first and last names give
the same sorted keys. A key shared by more than MAX_BLOCK contacts (a firm's switchboard number,
"John Smith") says little and is skipped; the other rules still reach those contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from contacts.dedupe.profiles import Profile, soundex

PHONE, EMAIL, NAME, FUZZY = "phone", "email", "name", "fuzzy"
MAX_BLOCK = 200
# Key families, in the order the scan walks them (each its own index, so memory stays small).
FAMILIES = "pedmnfzcas"


def _initials(profile: Profile) -> set[str]:
    return {name[0] for name in (profile.first, profile.last) if name}


def blocking_keys(profile: Profile, rules: frozenset[str]) -> set[str]:
    """The keys under which this contact is compared with others (see the module docstring)."""
    keys = set()
    if PHONE in rules:
        keys.update("p" + phone for phone in profile.phones)
    if EMAIL in rules:
        keys.update("e" + email for email in profile.emails)
    if NAME not in rules and FUZZY not in rules:
        return keys
    initials = _initials(profile)
    codes = {code for code in (profile.first_code, profile.last_code) if code}
    codes.update(f"{name[0].upper()}{name[1:3]}" for name in profile.firsts if name)
    digits = profile.dob_digits
    if digits:
        # The date of birth with an initial of either name (order-free: swapped names agree).
        keys.update(f"d{digits}{initial}" for initial in initials)
        # A mistyped year or a day/month swap: month and day (either way round) with a name code.
        for code in codes:
            keys.add(f"m{digits[4:]}{code}")
            keys.add(f"m{digits[6:]}{digits[4:6]}{code}")
    if profile.first_code and profile.last_code:
        keys.add("n" + "".join(sorted((profile.first_code, profile.last_code))))
        for name in profile.firsts:
            if name != profile.first:
                keys.add("n" + "".join(sorted((name[0].upper() + name[1:3], profile.last_code))))
        # Both codes typo-prone: the exact last name with the first initial, and the reverse.
        keys.add(f"f{profile.last}|{profile.first[0]}")
        keys.add(f"f{profile.first}|{profile.last[0]}")
    if profile.postcode:
        for code in codes:
            keys.add(f"z{profile.postcode}{code}")
        if digits:
            keys.add(f"z{profile.postcode}{digits[:4]}")
    if profile.city:
        city = soundex(profile.city)
        for code in codes:
            keys.add(f"c{city}{code}")
        if digits:
            keys.add(f"d{digits}{city}")
    if profile.address and profile.street_number:
        street = [token for token in profile.address.split() if not token.isdigit()]
        if street:
            for initial in initials:
                keys.add(f"a{profile.street_number}{street[0][:3]}{initial}")
            if profile.postcode:
                keys.add(f"s{profile.street_number}{street[0][:3]}{profile.postcode}")
    return keys


def candidate_pairs(
    profiles: dict[int, Profile],
    rules: frozenset[str],
    *,
    max_block: int = MAX_BLOCK,
    stats=None,
) -> Iterator[tuple[int, int]]:
    """Every pair of ids (low, high) that shares a key, each once."""
    seen: set[int] = set()
    key_lists = {pk: blocking_keys(profile, rules) for pk, profile in profiles.items()}
    for family in FAMILIES:
        index: dict[str, list[int]] = defaultdict(list)
        for pk, keys in key_lists.items():
            for key in keys:
                if key[0] == family:
                    index[key].append(pk)
        for ids in index.values():
            if len(ids) < 2:
                continue
            if len(ids) > max_block:
                if stats is not None:
                    stats.skipped_blocks += 1
                continue
            ids.sort()
            for i, a_id in enumerate(ids):
                for b_id in ids[i + 1 :]:
                    pair = (a_id << 32) | b_id
                    if pair in seen:
                        continue
                    seen.add(pair)
                    yield a_id, b_id
        del index
