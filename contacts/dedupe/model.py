"""The Fellegi–Sunter model: how much each level of each comparison says for or against a match.

For every level, m is the share of true matches that fall in it and u the share of pairs of
different people; log2(m/u) is its match weight, in bits. A pair's weight is the prior
log-odds (λ, the chance that two random contacts are one person) plus the weights of its levels.

Estimated from the firm's own contacts, with no labels:
- u by comparing random pairs (nearly all random pairs are two people);
- m by expectation-maximisation on pairs that share a date of birth (names, address, phone...
  learned there) and on pairs that share a name code (date of birth learned there), u held
  fixed, as Splink does; a few pseudo-counts of the prior keep a small firm's estimates sane;
- λ by EM over every pair the blocking compares, then scaled to all pairs;
- term frequencies: an exact match on a common value ("smith", a big city's postcode) weighs
  log2(m / frequency of the value) instead of log2(m / u).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from contacts.dedupe.comparisons import COMPARISONS, household_sign

# Prior m and u per level (level 0, "missing", is never used): the cold-start model, and the
# pseudo-counts that keep EM's estimates sane on a small firm's data.
DEFAULT_M = (
    (0, 0.80, 0.05, 0.05, 0.04, 0.02, 0.04),  # first name
    (0, 0.83, 0.02, 0.06, 0.03, 0.06),  # last name
    (0, 0.90, 0.06, 0.015, 0.015, 0.01),  # date of birth
    (0, 0.70, 0.10, 0.05, 0.15),  # street address
    (0, 0.80, 0.05, 0.15),  # city
    (0, 0.82, 0.05, 0.13),  # postcode
    (0, 0.93, 0.07),  # state
    (0, 0.70, 0.30),  # phone
    (0, 0.70, 0.05, 0.25),  # email
    (0, 0.50, 0.50),  # external id
)
DEFAULT_U = (
    (0, 0.004, 0.001, 0.002, 0.02, 0.03, 0.943),
    (0, 0.002, 0.0005, 0.001, 0.01, 0.9865),
    (0, 0.00004, 0.0005, 0.014, 0.13, 0.85556),
    (0, 0.0001, 0.0001, 0.0005, 0.9993),
    (0, 0.02, 0.005, 0.975),
    (0, 0.002, 0.005, 0.993),
    (0, 0.2, 0.8),
    (0, 0.0001, 0.9999),
    (0, 0.00005, 0.0002, 0.99975),
    (0, 0.0001, 0.9999),
)
DEFAULT_LAMBDA = 1e-5
# Before any training: about this many other records per contact are the same person, so the
# chance that two given contacts are one person falls as the table grows (engine.default_model).
DUPLICATES_PER_CONTACT = 0.03
# Comparisons whose "different" level is no evidence (two systems' ids for one person differ).
NEUTRAL_DIFFERENT = {9}
PSEUDO_MATCHES = 20.0
MIN_PROBABILITY = 1e-6
TF_FIELDS = {0: "first", 1: "last", 4: "city", 5: "postcode"}
TF_KEEP = 20000  # most common values kept per field in a stored model


@dataclass
class Model:
    m: list[list[float]] = field(default_factory=lambda: [list(levels) for levels in DEFAULT_M])
    u: list[list[float]] = field(default_factory=lambda: [list(levels) for levels in DEFAULT_U])
    lam: float = DEFAULT_LAMBDA
    tf: dict[int, dict[str, float]] = field(default_factory=dict)  # comparison -> value -> frequency
    tf_floor: dict[int, float] = field(default_factory=dict)  # frequency of a value not in `tf`
    version: str = "default"
    trained_on: int = 0  # contacts
    # Whether the contacts hold families (see training.household_evidence): then a different
    # first name at one address or phone, or one name a generation apart, is another person.
    households: bool = True
    household_share: float | None = None  # of "another first name at the address", born the same day

    def __post_init__(self):
        self.refresh()

    def refresh(self) -> None:
        """Recompute the weight table after m, u or λ changed."""
        self.weights = [
            [
                0.0
                if level == 0 or (c in NEUTRAL_DIFFERENT and level == len(m) - 1)
                else math.log2(m[level] / u[level])
                for level in range(len(m))
            ]
            for c, (m, u) in enumerate(zip(self.m, self.u, strict=True))
        ]
        self.prior = math.log2(self.lam / (1 - self.lam))
        self.patterns = {}  # (rules, vector) -> scoring.quick_weight's pattern
        self._tf_tables()

    def tf_weight(self, comparison: int, value: str) -> float | None:
        """The exact-match weight of a value, adjusted for how common it is (None: no table)."""
        weights = self.tf_weights.get(comparison)
        if weights is None:
            return None
        return weights.get(value, self.tf_rare_weight[comparison])

    def _tf_tables(self) -> None:
        """log2(m / frequency) per value, and for a value rarer than the table holds."""
        self.tf_weights, self.tf_rare_weight = {}, {}
        for comparison, table in self.tf.items():
            floor = self.tf_floor.get(comparison, 0.0)
            if not table or floor <= 0:
                continue
            m = self.m[comparison][1]
            self.tf_weights[comparison] = {
                value: math.log2(m / max(frequency, MIN_PROBABILITY)) for value, frequency in table.items()
            }
            self.tf_rare_weight[comparison] = math.log2(m / max(floor, MIN_PROBABILITY))

    def as_json(self) -> dict:
        return {
            "m": self.m,
            "u": self.u,
            "lambda": self.lam,
            "tf": {str(c): table for c, table in self.tf.items()},
            "tf_floor": {str(c): floor for c, floor in self.tf_floor.items()},
            "version": self.version,
            "trained_on": self.trained_on,
            "households": self.households,
            "household_share": self.household_share,
        }

    @classmethod
    def from_json(cls, data: dict) -> Model:
        shapes_match = [len(levels) for levels in data.get("m", [])] == [len(c.levels) for c in COMPARISONS]
        if not shapes_match:
            return cls()  # a model of another set of comparisons: start again from the priors
        return cls(
            m=data["m"],
            u=data["u"],
            lam=data["lambda"],
            tf={int(c): table for c, table in data.get("tf", {}).items()},
            tf_floor={int(c): floor for c, floor in data.get("tf_floor", {}).items()},
            version=data.get("version", ""),
            trained_on=data.get("trained_on", 0),
            households=data.get("households", True),
            household_share=data.get("household_share"),
        )


def _normalized(counts: list[float]) -> list[float]:
    total = sum(counts[1:])
    if total <= 0:
        return counts
    return [0.0] + [max(count / total, MIN_PROBABILITY) for count in counts[1:]]


def estimate_u(levels: Iterable[tuple[int, ...]]) -> list[list[float]]:
    """u per level from the vectors of random pairs, smoothed toward the priors."""
    counts = [[0.0] * len(c.levels) for c in COMPARISONS]
    for vector in levels:
        for c, level in enumerate(vector):
            counts[c][level] += 1
    u = []
    for c, row in enumerate(counts):
        seen = sum(row[1:])
        # One pseudo-pair per 10,000 of the prior, so a level never seen in the sample (two
        # random people rarely share a phone) keeps a small, not a zero, u.
        u.append(_normalized([0.0] + [row[i] + DEFAULT_U[c][i] * max(1.0, seen / 10000) for i in range(1, len(row))]))
    return u


def expectation_maximisation(
    patterns: Counter,
    model: Model,
    *,
    estimate: set[int],
    blocked: frozenset[int] = frozenset(),
    iterations: int = 30,
) -> tuple[list[list[float]], float]:
    """m for the comparisons in `estimate` and the share of matches among `patterns`
    ({Vector: count}), u held fixed (the model's). Returns (m, λ among these pairs).

    Where the contacts hold families, a pair with a household sign is not counted a match
    (the rules of scoring.py): otherwise spouses and Jr./Sr. would teach the model that a
    different first name or birth date is common among matches. The comparisons the pairs
    were chosen by (`blocked`) agree by construction and say nothing here: left out."""
    m = [list(row) for row in model.m]
    lam = 0.1
    items = [
        (vector.levels, count, bool(model.households and household_sign(vector))) for vector, count in patterns.items()
    ]
    total = sum(patterns.values())
    if not total:
        return m, model.lam
    for _ in range(iterations):
        match_counts = [[PSEUDO_MATCHES * p for p in DEFAULT_M[c]] for c in range(len(COMPARISONS))]
        expected_matches = 0.0
        for levels, count, household in items:
            if household:
                continue
            pm, pu = lam, 1 - lam
            for c, level in enumerate(levels):
                if level and c not in blocked:
                    pm *= m[c][level]
                    pu *= model.u[c][level]
            posterior = pm / (pm + pu) if pm + pu > 0 else 0.0
            weight = posterior * count
            expected_matches += weight
            for c, level in enumerate(levels):
                match_counts[c][level] += weight
        new_lam = min(max(expected_matches / total, 1e-9), 0.999)
        for c in estimate:
            m[c] = _normalized(match_counts[c])
        converged = abs(new_lam - lam) < 1e-6
        lam = new_lam
        if converged:
            break
    return m, lam


def term_frequencies(values_by_comparison: dict[int, Iterable[str]]) -> tuple[dict, dict]:
    """({comparison: {value: frequency}}, {comparison: frequency of a value left out}) of the
    most common TF_KEEP values of each field."""
    tables, floors = {}, {}
    for c, values in values_by_comparison.items():
        counts = Counter(value for value in values if value)
        total = sum(counts.values())
        if not total:
            continue
        common = counts.most_common(TF_KEEP)
        tables[c] = {value: count / total for value, count in common}
        rest = len(counts) - len(common)
        floors[c] = (common[-1][1] / total) if rest else 1 / total
    return tables, floors


def sample_pairs(ids: list, count: int, seed: int = 42) -> Iterable[tuple]:
    """`count` random pairs of distinct ids (with replacement: fine for estimating u)."""
    rnd = random.Random(seed)
    n = len(ids)
    if n < 2:
        return
    for _ in range(count):
        i = rnd.randrange(n)
        j = rnd.randrange(n - 1)
        if j >= i:
            j += 1
        yield ids[i], ids[j]
