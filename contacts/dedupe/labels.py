"""Staff decisions as labels: merges say "the same person", "Not a duplicate" says "two people".

They are never needed to train the model (EM needs no labels); they measure it on the firm's own
contacts, so `train_duplicate_model` can say how the new model would have scored each decision.
A merged record is compared as it was before its merge (the merge record's snapshot, with the
phones and emails that moved), with the survivor as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass

from contacts.dedupe.comparisons import compare_profiles
from contacts.dedupe.model import Model
from contacts.dedupe.profiles import PROFILE_FIELDS, Profile, as_date, attach_channels, profile_from_row
from contacts.dedupe.scoring import weigh

LIMIT = 5000  # the most recent decisions of each kind


@dataclass
class LabelReport:
    merges: int = 0
    merges_found: int = 0  # scored at or above the threshold
    dismissals: int = 0
    dismissals_found: int = 0  # scored at or above the threshold: the model disagrees with staff

    def as_json(self) -> dict:
        return dict(vars(self))

    def __str__(self) -> str:
        if not self.merges and not self.dismissals:
            return "No merges or 'Not a duplicate' decisions yet to measure it on."
        return (
            f"On staff decisions: {self.merges_found:,} of {self.merges:,} merges would be suggested; "
            f"{self.dismissals_found:,} of {self.dismissals:,} 'Not a duplicate' pairs would still be."
        )


def _merged_profile(record) -> Profile:
    state = {**record.snapshot.get("merged", {})}
    state["date_of_birth"] = as_date(state.get("date_of_birth"))  # stored as ISO text
    profile = profile_from_row(tuple(state.get(name) for name in PROFILE_FIELDS))
    phones, emails = [], []
    for moved in record.snapshot.get("rows", []):
        before = moved.get("before", {})
        if moved.get("model") == "contacts.ContactPhone" and before.get("contact_id") == record.merged_contact_id:
            phones.append(before.get("number", ""))
        if moved.get("model") == "contacts.ContactEmail" and before.get("contact_id") == record.merged_contact_id:
            emails.append((before.get("email") or "").lower())
    profile.phones, profile.emails = tuple(p for p in phones if p), tuple(e for e in emails if e)
    return profile


def measure_on_labels(model: Model, *, rules: frozenset[str], threshold: int) -> LabelReport:
    from contacts.models import Contact, DuplicateDismissal, MergeRecord

    report = LabelReport()
    records = list(MergeRecord.objects.filter(undone_at__isnull=True).order_by("-id")[:LIMIT])
    dismissals = list(DuplicateDismissal.objects.order_by("-id").values_list("contact_a_id", "contact_b_id")[:LIMIT])
    ids = {record.survivor_id for record in records} | {pk for pair in dismissals for pk in pair}
    profiles: dict[int, Profile] = {}
    for start in range(0, len(ids), 900):
        chunk = sorted(ids)[start : start + 900]
        for row in Contact.objects.filter(pk__in=chunk).values_list(*PROFILE_FIELDS):
            profiles[row[0]] = profile_from_row(row)
    attach_channels(profiles, list(profiles))
    for record in records:
        survivor = profiles.get(record.survivor_id)
        if survivor is None:
            continue
        merged = _merged_profile(record)
        report.merges += 1
        if weigh(survivor, merged, compare_profiles(survivor, merged), model, rules).score >= threshold:
            report.merges_found += 1
    for a_id, b_id in dismissals:
        a, b = profiles.get(a_id), profiles.get(b_id)
        if a is None or b is None:
            continue
        report.dismissals += 1
        if weigh(a, b, compare_profiles(a, b), model, rules).score >= threshold:
            report.dismissals_found += 1
    return report
