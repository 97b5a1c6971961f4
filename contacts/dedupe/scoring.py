"""From a comparison vector to a match probability, a score 0-100, and the reasons why.

The weight of a pair is the model's prior plus the weight of each comparison's level, with
two adjustments the textbook model lacks:
- term frequency: an exact match on a common name, city or postcode weighs less than on a rare one;
- households: people who share an address, a landline or a surname are often family, so two
  clearly different first names, Jr. and Sr., or dates of birth a generation apart weigh
  strongly against, however much else agrees. A changed last name (marriage) is ordinary
  evidence, which phone, email, birth date and address can outweigh.
The firm's rules (settings.DUPLICATE_RULES) can switch off what counts in favour; evidence
against always counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from contacts.dedupe.comparisons import (
    COMPARISONS,
    DIFFERENT,
    EMAIL,
    EXACT,
    FIRST,
    FUZZY,
    LAST,
    PHONE,
    Vector,
    compare_profiles,
    household_sign,
)
from contacts.dedupe.model import Model
from contacts.dedupe.profiles import Profile

RULES = {"phone": "Phone match", "email": "Email match", "name": "Name match", "fuzzy": "Fuzzy match"}
# The highest weight a pair with a household sign (a different person of the same family) can
# keep, however much else agrees: -2 bits is a probability of 20%.
HOUSEHOLD_CAP = -2.0
_TF_VALUE = {FIRST: "first", LAST: "last", 4: "city", 5: "postcode"}


@dataclass(frozen=True)
class Evidence:
    """One line of the explanation: a field, what was found, and its weight in bits."""

    field: str
    finding: str
    weight: float


@dataclass(frozen=True)
class Scored:
    score: int  # 0-100: the match probability in percent
    probability: float
    weight: float  # total match weight in bits
    reasons: tuple[str, ...]  # the duplicate rules that matched (Phone match, ...)
    evidence: tuple[Evidence, ...]


def _counts(comparison: int, kind: str, rules: frozenset[str]) -> bool:
    """Whether a level in favour counts under the firm's rules."""
    rule = COMPARISONS[comparison].rule
    if comparison == len(COMPARISONS) - 1:
        return True  # the same external id always counts
    if kind == FUZZY and rule in ("name", "email"):
        return "fuzzy" in rules
    return rule in rules


def _tf_value(profile: Profile, comparison: int) -> str:
    return getattr(profile, _TF_VALUE[comparison])


# Only the most specific agreement on where someone lives counts: a shared postcode already
# says the city and the state.
_IMPLIED = {4: (5,), 6: (4, 5)}  # city by postcode; state by city or postcode


def _implied(c: int, levels: tuple[int, ...]) -> bool:
    return c in _IMPLIED and any(levels[other] == 1 for other in _IMPLIED[c])


def weigh(a: Profile, b: Profile, vector: Vector, model: Model, rules: frozenset[str]) -> Scored:
    total = model.prior
    evidence = []
    matched_rules = set()
    fuzzy = False
    for c, level in enumerate(vector.levels):
        if level == 0:
            continue
        comparison = COMPARISONS[c]
        label, kind = comparison.levels[level]
        weight = model.weights[c][level]
        if weight > 0 and _implied(c, vector.levels):
            continue
        if level == 1 and c in _TF_VALUE:
            value = _tf_value(a, c) if not (vector.swapped and c in (FIRST, LAST)) else None
            adjusted = model.tf_weight(c, value) if value else None
            if adjusted is not None:
                weight = adjusted
        if weight > 0 and kind != DIFFERENT and not _counts(c, kind, rules):
            continue
        total += weight
        evidence.append(Evidence(comparison.label, label, weight))
        if weight > 0:
            if c == PHONE and level == 1:
                matched_rules.add("phone")
            elif c == EMAIL and level == 1:
                matched_rules.add("email")
            elif kind == FUZZY or c not in (FIRST, LAST):
                fuzzy = True
    if vector.swapped:
        evidence.append(Evidence("Names", "first and last swapped", 0.0))
    household = household_sign(vector) if model.households else ""
    if household and total > HOUSEHOLD_CAP:
        evidence.append(Evidence("Household", household, HOUSEHOLD_CAP - total))
        total = HOUSEHOLD_CAP
    levels = vector.levels
    first_kind = COMPARISONS[FIRST].levels[levels[FIRST]][1]
    last_kind = COMPARISONS[LAST].levels[levels[LAST]][1]
    if "name" in rules and EXACT in (first_kind, last_kind) and {first_kind, last_kind} <= {EXACT, "null"}:
        matched_rules.add("name")
    elif fuzzy or first_kind == FUZZY or last_kind == FUZZY:
        matched_rules.add("fuzzy")
    probability = 1.0 / (1.0 + 2.0 ** (-total)) if total > -60 else 0.0
    score = probability_score(total)
    reasons = tuple(RULES[rule] for rule in RULES if rule in matched_rules) if score else ()
    evidence.sort(key=lambda item: -abs(item.weight))
    return Scored(score, probability, total, reasons, tuple(evidence))


def _pattern(vector: Vector, model: Model, rules: frozenset[str]) -> tuple:
    """What `weigh` makes of a vector before term frequencies: (total, the exact agreements whose
    weight the value's frequency replaces, with their plain weight, household sign)."""
    total = model.prior
    slots = []
    for c, level in enumerate(vector.levels):
        if level == 0:
            continue
        kind = COMPARISONS[c].levels[level][1]
        weight = model.weights[c][level]
        if weight > 0 and _implied(c, vector.levels):
            continue
        if weight > 0 and kind != DIFFERENT and not _counts(c, kind, rules):
            continue
        if level == 1 and c in _TF_VALUE and model.tf.get(c) and not (vector.swapped and c in (FIRST, LAST)):
            slots.append((c, _TF_VALUE[c], weight))
        total += weight
    return total, tuple(slots), bool(model.households and household_sign(vector))


def quick_weight(a: Profile, vector: Vector, model: Model, rules: frozenset[str]) -> float:
    """The total weight `weigh` gives a pair, without its explanation: what the full scan needs
    for the millions of pairs below the threshold (one look-up per pattern of levels, one per
    term frequency)."""
    key = (rules, vector)
    pattern = model.patterns.get(key)
    if pattern is None:
        pattern = model.patterns[key] = _pattern(vector, model, rules)
    total, slots, household = pattern
    for c, attribute, weight in slots:
        adjusted = model.tf_weight(c, getattr(a, attribute))
        if adjusted is not None and adjusted > 0:
            total += adjusted - weight
    if household and total > HOUSEHOLD_CAP:
        total = HOUSEHOLD_CAP
    return total


def probability_score(weight: float) -> int:
    probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -60 else 0.0
    return max(0, min(100, round(probability * 100)))


def score_pair(a: Profile, b: Profile, model: Model, rules: frozenset[str]) -> Scored:
    return weigh(a, b, compare_profiles(a, b), model, rules)
