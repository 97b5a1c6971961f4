"""Groups of records that may all be one person: the queue's pairs joined through the contacts
they share. A~B and B~C make one group of three, however far apart their scores are, so the
queue pages through groups of the whole queue rather than grouping one page of pairs.

- `clusters`: the union-find itself, pure (no database);
- `queue_clusters`: the selector that groups every pair of the queue above a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The queue's filter by rule: the DuplicateCandidate flag each rule sets.
RULE_FIELDS = {"phone": "phone_match", "email": "email_match", "name": "name_match", "fuzzy": "fuzzy_match"}
QUEUE_LIMIT = 100_000


def clusters(pairs: Iterable[Sequence]) -> list[list]:
    """The pairs grouped by the contacts they connect.

    Each pair is a sequence whose first two items are contact ids; anything after them (a
    score, a row id) is carried along. Groups come in the order of their first pair and keep
    the pairs' order, so pairs given best first give groups best first."""
    pairs = list(pairs)
    parent: dict = {}

    def root(contact):
        top = parent.setdefault(contact, contact)
        while parent[top] != top:
            top = parent[top]
        while parent[contact] != top:  # path compression: later look-ups are one step
            parent[contact], contact = top, parent[contact]
        return top

    for pair in pairs:
        a, b = root(pair[0]), root(pair[1])
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict = {}
    for pair in pairs:
        groups.setdefault(root(pair[0]), []).append(pair)
    return list(groups.values())


@dataclass(frozen=True)
class Cluster:
    """Contacts that may be one person, and the queue's pairs that join them, best first."""

    contact_ids: tuple[int, ...]  # ascending
    pairs: tuple[tuple[int, int, int, int], ...]  # (contact_a_id, contact_b_id, score, pair id)

    @property
    def best_score(self) -> int:
        return self.pairs[0][2]

    @property
    def size(self) -> int:
        return len(self.contact_ids)


def queue_clusters(*, min_score: int, rule: str = "", limit: int = QUEUE_LIMIT) -> list[Cluster]:
    """Every group of the possible-duplicates queue with pairs scoring at least `min_score`
    (and matching `rule`, a key of RULE_FIELDS, when given): best score first, then the lowest
    contact id.

    One query of ids and scores only, at most `limit` pairs (the best). Pairs of merged or
    archived contacts are not filtered here (a join would cost more than the grouping; the
    refresh after a merge or an archive removes them): the page that shows a group skips them."""
    from contacts.models import DuplicateCandidate

    queue = DuplicateCandidate.objects.filter(score__gte=min_score)
    if rule in RULE_FIELDS:
        queue = queue.filter(**{RULE_FIELDS[rule]: True})
    rows = queue.order_by("-score", "contact_a_id", "contact_b_id").values_list(
        "contact_a_id", "contact_b_id", "score", "id"
    )[:limit]
    found = [
        Cluster(contact_ids=tuple(sorted({contact for pair in group for contact in pair[:2]})), pairs=tuple(group))
        for group in clusters(rows)
    ]
    found.sort(key=lambda cluster: (-cluster.best_score, cluster.contact_ids[0]))
    return found
