"""Estimating the model from a set of profiles (the firm's contacts), with no labels."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable

from contacts.dedupe.blocking import MAX_BLOCK, block_limit, rule_budget, rules_in_use
from contacts.dedupe.comparisons import COMPARISONS, DOB, FIRST, FIRST_DIFFERENT, LAST, compare_profiles
from contacts.dedupe.model import (
    DUPLICATES_PER_CONTACT,
    Model,
    estimate_u,
    expectation_maximisation,
    sample_pairs,
    term_frequencies,
)
from contacts.dedupe.profiles import Profile

U_SAMPLE = 50_000
MIN_CONTACTS = 1000  # fewer, and the model is the built-in priors
SESSION_PAIRS = 200_000
LAMBDA_PAIRS = 300_000
ALL = set(range(len(COMPARISONS)))


def _blocks(profiles: dict[int, Profile], key: Callable[[Profile], str]) -> list[list[int]]:
    blocks = defaultdict(list)
    for profile in profiles.values():
        value = key(profile)
        if value:
            blocks[value].append(profile.id)
    return [ids for ids in blocks.values() if 1 < len(ids) <= MAX_BLOCK]


def _block_pairs(profiles: dict[int, Profile], key: Callable[[Profile], str], limit: int, rnd) -> list[tuple]:
    """Up to `limit` pairs that share `key` (blocks larger than MAX_BLOCK left out): every pair
    when there are fewer, else the pairs of blocks taken in random order."""
    blocks = _blocks(profiles, key)
    rnd.shuffle(blocks)
    pairs = []
    for ids in blocks:
        pairs.extend((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
        if len(pairs) >= limit:
            break
    return pairs[:limit]


def sample_candidate_pairs(profiles: dict[int, Profile], rules: frozenset[str], count: int, rnd):
    """(about how many distinct pairs the blocking compares, a sample of them as (pair, weight)),
    without listing them all, one rule's index in memory at a time.

    Each rule's blocks are sampled in proportion to their pairs; a pair drawn counts only where
    no earlier rule, and no smaller key of the same rule, already pairs the two, so each
    distinct pair is counted once; its weight is its rule's pairs per draw. Blocks too large to
    be compared are left out, so a pair they hold is counted once more where another rule pairs
    it too: a small overcount, only at the largest keys."""
    in_use = rules_in_use(rules)
    per_rule = max(count // max(len(in_use), 1), 1)
    sample, distinct = [], 0.0
    for position, (name, function, largest) in enumerate(in_use):
        index = defaultdict(list)
        for pk, profile in profiles.items():
            for key in function(profile):
                index[key].append(pk)
        largest = block_limit((len(ids) for ids in index.values()), largest, rule_budget(name, len(profiles)))
        blocks = [(key, ids) for key, ids in index.items() if 1 < len(ids) <= largest]
        weights = [len(ids) * (len(ids) - 1) // 2 for _key, ids in blocks]
        total = sum(weights)
        if not total:
            continue
        draws = min(per_rule, total)
        weight = total / draws
        for key, ids in rnd.choices(blocks, weights=weights, k=draws):
            a, b = rnd.sample(ids, 2)
            pa, pb = profiles[a], profiles[b]
            if any(not set(earlier(pa)).isdisjoint(earlier(pb)) for _n, earlier, _l in in_use[:position]):
                continue  # an earlier rule compares this pair already
            if min(set(function(pa)) & set(function(pb))) != key:
                continue  # so does another key of this rule
            distinct += weight
            sample.append(((min(a, b), max(a, b)), weight))
        del index, blocks, weights
    return round(distinct), sample


def _patterns(profiles: dict[int, Profile], pairs, weights=None) -> Counter:
    """{comparison vector: count} of pairs (weighted, when weights are given)."""
    if weights is None:
        return Counter(compare_profiles(profiles[a], profiles[b]) for a, b in pairs)
    patterns = Counter()
    for (a, b), weight in zip(pairs, weights, strict=True):
        patterns[compare_profiles(profiles[a], profiles[b])] += weight
    return patterns


# Whether the contacts hold families: look at pairs that share a street address and a last name
# but not a first name. Families (spouses, children, parents) mostly have their own birth dates;
# where most such pairs share one, they are the same person with a first name garbled beyond
# recognition, and household rules would lose them.
FAMILY_MIN_PAIRS = 10
SAME_BIRTH_DATE_SHARE = 0.5


def household_evidence(profiles: dict[int, Profile], rnd) -> float | None:
    """Among pairs at one street address with one last name and clearly different first names
    (both birth dates known), the share born on the same day; None when there are too few such
    pairs to say (then families are assumed, as a law firm's contacts hold them)."""
    pairs = _block_pairs(
        profiles,
        lambda p: f"{p.address}|{p.last}" if p.address and p.last and p.first and p.dob else "",
        SESSION_PAIRS,
        rnd,
    )
    different = [
        (a, b) for a, b in pairs if compare_profiles(profiles[a], profiles[b]).levels[FIRST] == FIRST_DIFFERENT
    ]
    if len(different) < FAMILY_MIN_PAIRS:
        return None
    return sum(1 for a, b in different if profiles[a].dob == profiles[b].dob) / len(different)


def train_model(
    profiles: dict[int, Profile], *, rules: frozenset[str], seed: int = 42, version: str = "", stats=None
) -> Model:
    """A model estimated from `profiles` (see model.py for the method)."""
    rnd = random.Random(seed)
    ids = list(profiles)
    tf, floors = term_frequencies(
        {
            0: (p.first for p in profiles.values()),
            1: (p.last for p in profiles.values()),
            4: (p.city for p in profiles.values()),
            5: (p.postcode for p in profiles.values()),
        }
    )
    n = len(ids)
    if n < MIN_CONTACTS:
        # Too few contacts to learn from, or to say how common a name is: the priors.
        return Model(lam=DUPLICATES_PER_CONTACT / max(n, MIN_CONTACTS), version=version or "default", trained_on=n)
    model = Model(tf=tf, tf_floor=floors, version=version or "trained", trained_on=n)
    model.household_share = household_evidence(profiles, rnd)
    model.households = model.household_share is None or model.household_share < SAME_BIRTH_DATE_SHARE
    u_pairs = min(U_SAMPLE, n * (n - 1) // 2)
    model.u = estimate_u(compare_profiles(profiles[a], profiles[b]).levels for a, b in sample_pairs(ids, u_pairs, seed))
    model.refresh()

    # m: EM on pairs sharing a date of birth (everything but the date learned there) and on
    # pairs sharing both name codes (the date of birth and the rest learned there).
    by_dob = _patterns(profiles, _block_pairs(profiles, lambda p: p.dob_digits, SESSION_PAIRS, rnd))
    by_name = _patterns(
        profiles,
        _block_pairs(
            profiles, lambda p: p.first_code + p.last_code if p.first_code and p.last_code else "", SESSION_PAIRS, rnd
        ),
    )
    m_dob, _ = expectation_maximisation(by_dob, model, estimate=ALL - {DOB}, blocked=frozenset({DOB}))
    m_name, _ = expectation_maximisation(by_name, model, estimate=ALL - {FIRST, LAST}, blocked=frozenset({FIRST, LAST}))
    m = []
    for c in range(len(COMPARISONS)):
        if c == DOB:
            m.append(m_name[c])
        elif c in (FIRST, LAST):
            m.append(m_dob[c])
        else:
            m.append([(x + y) / 2 for x, y in zip(m_dob[c], m_name[c], strict=True)])
    model.m = m
    model.refresh()

    # λ: the share of matches among the pairs the blocking compares, scaled to all pairs.
    compared, sample = sample_candidate_pairs(profiles, rules, LAMBDA_PAIRS, rnd)
    if sample:
        pairs, weights = zip(*sample, strict=True)
        _, lam_blocked = expectation_maximisation(_patterns(profiles, pairs, weights), model, estimate=set())
        model.lam = min(max(lam_blocked * compared / (n * (n - 1) / 2), 1e-9), 0.5)
        model.refresh()
    if stats is not None:
        stats.compared_for_training = compared
    return model
