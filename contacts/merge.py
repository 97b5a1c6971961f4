"""Merging two records of one person into one, losing nothing, and undoing it.

`contact_merge(*, survivor, merged, choices, user)`: in one transaction, with both contacts
locked in id order, the survivor takes the chosen value of each field; every row of every
model that points at the merged contact (found through the model meta, `contact_relations`)
moves to the survivor; phones and emails are unioned; the strictest do-not-contact flags and
calling window win; the merged record becomes a tombstone (`merged_into`) whose portal links
are revoked; a MergeRecord keeps a snapshot of every row touched; one activity event is
written on each side. `merge_undo(*, record, user)` puts everything back.

`fill_contact_from_values(*, contact, values, user)` is the merge of an import row into an
existing contact: empty fields are filled, phones and emails are added, nothing is blanked.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from activity.models import EventType
from activity.services import CALL_PREFERENCE_FIELDS, record_contact_change, record_event
from contacts.models import Contact, ContactEmail, ContactPhone, DuplicateCandidate, DuplicateDismissal, MergeRecord
from contacts.normalize import normalize_email, phone_or_none
from kayse import events

MERGE_PERMISSION = "contacts.merge_contact"


class MergeError(Exception):
    """A merge or undo that cannot be done; the message is for the user."""


# Fields the user chooses between, grouped as they are shown (an address moves as a whole).
FIELD_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("kind", "Kind", ("kind",)),
    ("first_name", "First name", ("first_name",)),
    ("middle_name", "Middle name", ("middle_name",)),
    ("last_name", "Last name", ("last_name",)),
    ("preferred_name", "Preferred name", ("preferred_name",)),
    ("organization_name", "Organization", ("organization_name",)),
    ("date_of_birth", "Date of birth", ("date_of_birth",)),
    ("address", "Address", ("address_line1", "address_line2", "city", "state", "postal_code", "country")),
    ("external_id", "External ID", ("external_id",)),
    ("source", "Source", ("source",)),
    ("language", "Language", ("language",)),
    ("timezone", "Time zone", ("timezone",)),
    ("preferred_contact_method", "Preferred contact method", ("preferred_contact_method",)),
    ("sentiment", "Sentiment", ("sentiment_label", "sentiment_score", "sentiment_at", "sentiment_reason")),
]
GROUP_FIELDS = {key: fields for key, _label, fields in FIELD_GROUPS}

# How each relation to Contact is carried over. The test suite fails when a model gains a
# relation to Contact that is not listed here, so every new relation gets a decision; at run
# time an unlisted relation is moved like "move", so nothing is ever left behind.
#   move      the rows move to the survivor (a row that would break a unique constraint
#             the survivor already satisfies is removed, kept in the snapshot)
#   channels  phones/emails: unioned, one primary
#   case_role both on one case: one row with the stronger role
#   revoke    portal links and sessions: ended, then moved
#   keep      stays with the tombstone (decisions about that record)
#   derived   recomputed data: the merged contact's rows are dropped
RELATION_POLICY = {
    "contacts.Contact.merged_into": "move",
    "contacts.ContactPhone.contact": "channels",
    "contacts.ContactEmail.contact": "channels",
    "contacts.LoginEvent.contact": "move",
    "contacts.Note.contact": "move",
    "contacts.MergeRecord.survivor": "move",
    "contacts.DuplicateDismissal.contact_a": "keep",
    "contacts.DuplicateDismissal.contact_b": "keep",
    "contacts.DuplicateCandidate.contact_a": "derived",
    "contacts.DuplicateCandidate.contact_b": "derived",
    "contacts.ImportedContact.contact": "move",
    "contacts.ContactNameWord.contact": "keep",  # kept by the database's triggers (contacts/name_words.py)
    "cases.CaseContact.contact": "case_role",
    "cases.Task.contact": "move",
    "cases.Appointment.contact": "move",
    "cases.Message.contact": "move",
    "documents.Document.contact": "move",
    "documents.DownloadBundle.contact": "move",
    "portal.PortalLink.contact": "revoke",
    "portal.PortalSession.contact": "revoke",
}
REVOKE_FIELDS = ("revoked_at", "ended_at")


def relation_key(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def contact_relations() -> list[tuple[type[models.Model], models.Field]]:
    """Every concrete foreign key or one-to-one field, in any installed model (auto-created
    many-to-many tables included), that points at Contact."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_concrete_fields:
            if field.is_relation and field.related_model is Contact and (field.many_to_one or field.one_to_one):
                found.append((model, field))
    return sorted(found, key=lambda pair: relation_key(*pair))


# --- Snapshots ------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def row_state(obj: models.Model) -> dict:
    return {f.attname: _json_value(f.value_from_object(obj)) for f in obj._meta.concrete_fields}


def _python_state(model, state: dict) -> dict:
    values = {}
    for f in model._meta.concrete_fields:
        if f.attname not in state:
            continue
        raw = state[f.attname]
        if raw is None or isinstance(f, models.JSONField):
            values[f.attname] = raw
        elif isinstance(f, models.DurationField):
            values[f.attname] = datetime.timedelta(seconds=raw)
        else:
            values[f.attname] = f.to_python(raw)
    return values


def _restore_row(model, state: dict) -> bool:
    """Write a snapshotted row back exactly (timestamps included); re-create it if gone."""
    values = _python_state(model, state)
    pk_name = model._meta.pk.attname
    pk = values.pop(pk_name)
    if model.objects.filter(pk=pk).update(**values):
        return True
    model.objects.bulk_create([model(**{pk_name: pk, **values})])
    model.objects.filter(pk=pk).update(**values)  # auto_now_add/auto_now overwrote the times
    return False


# --- Merge ----------------------------------------------------------------------------------


def _filled(contact: Contact, fields: tuple[str, ...]) -> bool:
    return any(getattr(contact, name) not in (None, "") for name in fields if name != "country")


def default_choices(*, survivor: Contact, merged: Contact) -> dict[str, str]:
    """Sensible defaults: the non-empty value; when both have one, the newer record's."""
    newer = "merged" if merged.updated_at and survivor.updated_at and merged.updated_at > survivor.updated_at else None
    choices = {}
    for key, _label, fields in FIELD_GROUPS:
        survivor_values = [getattr(survivor, name) for name in fields]
        merged_values = [getattr(merged, name) for name in fields]
        if not _filled(merged, fields) or survivor_values == merged_values:
            choices[key] = "survivor"
        elif not _filled(survivor, fields):
            choices[key] = "merged"
        else:
            choices[key] = newer or "survivor"
    primary_phone = survivor.phones.filter(is_primary=True).first() or merged.phones.filter(is_primary=True).first()
    primary_email = survivor.emails.filter(is_primary=True).first() or merged.emails.filter(is_primary=True).first()
    choices["primary_phone"] = primary_phone.number if primary_phone else ""
    choices["primary_email"] = primary_email.email if primary_email else ""
    return choices


@dataclass
class MergePreview:
    label: str
    count: int


def merge_preview(*, merged: Contact) -> list[MergePreview]:
    """What moves to the survivor: "3 cases, 41 messages, …" (one COUNT per relation)."""
    counts = []
    for model, field in contact_relations():
        policy = RELATION_POLICY.get(relation_key(model, field), "move")
        if policy in ("keep", "derived"):
            continue
        count = model._default_manager.filter(**{field.attname: merged.pk}).count()
        if count:
            name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            if model is Contact:
                name = "earlier merged record" if count == 1 else "earlier merged records"
            elif model._meta.label == "cases.CaseContact":
                name = "case" if count == 1 else "cases"
            elif model in (ContactPhone, ContactEmail):
                name = ("phone" if model is ContactPhone else "email") + ("" if count == 1 else "s")
            counts.append(MergePreview(str(name), count))
    return counts


def _lock_contacts(*ids: int) -> dict[int, Contact]:
    locked = Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {contact.pk: contact for contact in locked}


def _locked_rows(model, field, contact_ids):
    return list(
        model._default_manager.select_for_update().filter(**{f"{field.attname}__in": contact_ids}).order_by("pk")
    )


def _unique_field_sets(model, field) -> list[tuple[str, ...]]:
    """Unconditional unique constraints of `model` that include `field`."""
    sets = []
    if field.unique or field.one_to_one:
        sets.append((field.attname,))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None and constraint.fields:
            names = tuple(model._meta.get_field(name).attname for name in constraint.fields)
            if field.attname in names:
                sets.append(names)
    for together in model._meta.unique_together:
        names = tuple(model._meta.get_field(name).attname for name in together)
        if field.attname in names:
            sets.append(names)
    return sets


class _Journal:
    """The rows a merge touches, with their state before it."""

    def __init__(self):
        self.rows: list[dict] = []
        self.moved: dict[str, int] = defaultdict(int)

    def touch(self, obj, action: str):
        self.rows.append({"model": obj._meta.label, "pk": obj.pk, "action": action, "before": row_state(obj)})


def _move_rows(model, field, survivor, merged, journal: _Journal, *, revoke: bool = False):
    rows = _locked_rows(model, field, [merged.pk])
    if not rows:
        return
    unique_sets = _unique_field_sets(model, field)
    survivor_keys = set()
    if unique_sets:
        for obj in model._default_manager.filter(**{field.attname: survivor.pk}):
            survivor_keys.update(
                (names, tuple(getattr(obj, n) for n in names if n != field.attname)) for names in unique_sets
            )
    now = timezone.now()
    for obj in rows:
        journal.touch(obj, "moved")
        clashes = any(
            (names, tuple(getattr(obj, n) for n in names if n != field.attname)) in survivor_keys
            for names in unique_sets
        )
        if clashes:
            if obj._meta.related_objects:
                raise MergeError(
                    f"Both contacts have a {model._meta.verbose_name} that can only exist once; resolve it first."
                )
            journal.rows[-1]["action"] = "deleted"
            model._default_manager.filter(pk=obj.pk).delete()
            continue
        updates = {field.attname: survivor.pk}
        if revoke:
            for name in REVOKE_FIELDS:
                if hasattr(obj, name) and getattr(obj, name) is None:
                    updates[name] = now
        model._default_manager.filter(pk=obj.pk).update(**updates)
        journal.moved[relation_key(model, field)] += 1


def _merge_channels(model, value_field: str, normalize, survivor, merged, primary_choice: str, journal: _Journal):
    rows = _locked_rows(model, model._meta.get_field("contact"), [survivor.pk, merged.pk])
    for obj in rows:
        journal.touch(obj, "changed" if obj.contact_id == survivor.pk else "moved")
    survivor_values = {normalize(getattr(obj, value_field)) for obj in rows if obj.contact_id == survivor.pk}
    model.objects.filter(contact__in=[survivor.pk, merged.pk]).update(is_primary=False)
    for obj in rows:
        if obj.contact_id != merged.pk:
            continue
        if normalize(getattr(obj, value_field)) in survivor_values:
            _mark_deleted(journal, model, obj.pk)
            model.objects.filter(pk=obj.pk).delete()
        else:
            model.objects.filter(pk=obj.pk).update(contact=survivor.pk)
            survivor_values.add(normalize(getattr(obj, value_field)))
            journal.moved[f"{model._meta.label}.contact"] += 1
    remaining = model.objects.filter(contact=survivor.pk).order_by("-is_primary", "pk")
    chosen = normalize(primary_choice) if primary_choice else ""
    primary = None
    for obj in remaining:
        if chosen and normalize(getattr(obj, value_field)) == chosen:
            primary = obj
            break
    if primary is None:
        before = [r for r in journal.rows if r["model"] == model._meta.label and r["before"]["is_primary"]]
        survivor_primary = [r["pk"] for r in before if r["before"]["contact_id"] == survivor.pk]
        merged_primary = [r["pk"] for r in before if r["before"]["contact_id"] == merged.pk]
        for pk in survivor_primary + merged_primary:
            primary = remaining.filter(pk=pk).first()
            if primary:
                break
        primary = primary or remaining.first()
    if primary is not None:
        model.objects.filter(pk=primary.pk).update(is_primary=True)


def _mark_deleted(journal: _Journal, model, pk):
    for row in journal.rows:
        if row["model"] == model._meta.label and row["pk"] == pk:
            row["action"] = "deleted"


def _merge_case_roles(model, field, survivor, merged, journal: _Journal):
    from cases.models import ROLE_STRENGTH

    strength = {role: rank for rank, role in enumerate(ROLE_STRENGTH)}
    rows = _locked_rows(model, field, [survivor.pk, merged.pk])
    survivor_rows = {obj.case_id: obj for obj in rows if obj.contact_id == survivor.pk}
    for obj in rows:
        if obj.contact_id != merged.pk:
            continue
        journal.touch(obj, "moved")
        kept = survivor_rows.get(obj.case_id)
        if kept is None:
            model.objects.filter(pk=obj.pk).update(contact=survivor.pk)
            journal.moved[relation_key(model, field)] += 1
            continue
        journal.rows[-1]["action"] = "deleted"
        if strength.get(obj.role, 99) < strength.get(kept.role, 99):
            journal.touch(kept, "changed")
            model.objects.filter(pk=kept.pk).update(role=obj.role)
        model.objects.filter(pk=obj.pk).delete()
        journal.moved[relation_key(model, field)] += 1


def _strictest_window(a: Contact, b: Contact) -> tuple[datetime.time, datetime.time]:
    start = max(a.calling_window_start, b.calling_window_start)
    end = min(a.calling_window_end, b.calling_window_end)
    if start >= end:
        return a.calling_window_start, a.calling_window_end
    return start, end


def _latest(*values):
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _describe_moved(journal: _Journal) -> str:
    parts = []
    for key, count in sorted(journal.moved.items()):
        model = apps.get_model(key.rsplit(".", 1)[0])
        if model is Contact:
            name = "earlier merged records"
        elif model._meta.label == "cases.CaseContact":
            name = "cases"
        else:
            name = str(model._meta.verbose_name_plural)
        parts.append(f"{count} {name}")
    return ", ".join(parts) or "nothing else"


def _carry_dismissals(survivor: Contact, merged: Contact) -> list[int]:
    """ "Not a duplicate" decisions about the merged record become decisions about the survivor
    too (A is not C, A merged into S: S is not C), so the pair is not suggested again. The
    merged record keeps its own; the new ones are listed in the merge record, for undo."""
    others = set()
    for a_id, b_id in DuplicateDismissal.objects.filter(Q(contact_a=merged.pk) | Q(contact_b=merged.pk)).values_list(
        "contact_a_id", "contact_b_id"
    ):
        others.add(b_id if a_id == merged.pk else a_id)
    others.discard(survivor.pk)
    if not others:
        return []
    existing = set(
        DuplicateDismissal.objects.filter(
            Q(contact_a=survivor.pk, contact_b__in=others) | Q(contact_b=survivor.pk, contact_a__in=others)
        ).values_list("contact_a_id", "contact_b_id")
    )
    fresh = [other for other in sorted(others) if (min(survivor.pk, other), max(survivor.pk, other)) not in existing]
    DuplicateDismissal.objects.bulk_create(
        [
            DuplicateDismissal(contact_a_id=min(survivor.pk, other), contact_b_id=max(survivor.pk, other))
            for other in fresh
        ]
    )
    DuplicateCandidate.objects.filter(
        Q(contact_a=survivor.pk, contact_b__in=others) | Q(contact_b=survivor.pk, contact_a__in=others)
    ).delete()
    return list(
        DuplicateDismissal.objects.filter(
            Q(contact_a=survivor.pk, contact_b__in=fresh) | Q(contact_b=survivor.pk, contact_a__in=fresh)
        ).values_list("pk", flat=True)
    )


def contact_merge(*, survivor: Contact, merged: Contact, choices: dict | None = None, user=None) -> MergeRecord:
    """Merge `merged` into `survivor` (see the module docstring). Raises MergeError with a
    plain message when the merge cannot be done (self, tombstone, already merged, no right)."""
    if user is not None and not user.has_perm(MERGE_PERMISSION):
        raise MergeError("You do not have permission to merge contacts.")
    if survivor.pk == merged.pk:
        raise MergeError("A contact cannot be merged into itself.")
    with transaction.atomic():
        locked = _lock_contacts(survivor.pk, merged.pk)
        if len(locked) != 2:
            raise MergeError("One of the two contacts no longer exists.")
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if merged.merged_into_id:
            raise MergeError(f"{merged.display_name} has already been merged into another contact.")
        if survivor.merged_into_id:
            raise MergeError(f"{survivor.display_name} has been merged into another contact; it cannot take a merge.")
        chosen = {**default_choices(survivor=survivor, merged=merged), **(choices or {})}
        journal = _Journal()
        survivor_before, merged_before = row_state(survivor), row_state(merged)

        for model, field in contact_relations():
            policy = RELATION_POLICY.get(relation_key(model, field), "move")
            if model is Contact and field.name == "merged_into":
                _move_rows(model, field, survivor, merged, journal)
            elif policy == "channels" and model is ContactPhone:
                _merge_channels(model, "number", _phone_value, survivor, merged, chosen["primary_phone"], journal)
            elif policy == "channels" and model is ContactEmail:
                _merge_channels(model, "email", normalize_email, survivor, merged, chosen["primary_email"], journal)
            elif policy == "case_role":
                _merge_case_roles(model, field, survivor, merged, journal)
            elif policy == "revoke":
                _move_rows(model, field, survivor, merged, journal, revoke=True)
            elif policy == "derived":
                model._default_manager.filter(**{field.attname: merged.pk}).delete()
            elif policy == "keep":
                continue
            else:
                _move_rows(model, field, survivor, merged, journal)

        preferences_before = {name: getattr(survivor, name) for name in CALL_PREFERENCE_FIELDS}
        applied = {}
        for key, _label, fields in FIELD_GROUPS:
            if chosen.get(key) == "merged":
                for name in fields:
                    setattr(survivor, name, getattr(merged, name))
                applied[key] = "merged"
            else:
                applied[key] = "survivor"
        survivor.do_not_call = survivor.do_not_call or merged.do_not_call
        survivor.do_not_text = survivor.do_not_text or merged.do_not_text
        survivor.do_not_email = survivor.do_not_email or merged.do_not_email
        survivor.calling_window_start, survivor.calling_window_end = _strictest_window(survivor, merged)
        survivor.web_last_login_at = _latest(survivor.web_last_login_at, merged.web_last_login_at)
        survivor.mobile_last_login_at = _latest(survivor.mobile_last_login_at, merged.mobile_last_login_at)
        survivor.last_activity_at = _latest(survivor.last_activity_at, merged.last_activity_at)
        if user is not None and user.is_authenticated:
            survivor.updated_by = user
        survivor.save()
        record_contact_change(
            contact=survivor,
            before=preferences_before,
            after={name: getattr(survivor, name) for name in CALL_PREFERENCE_FIELDS},
            actor=user,
            via="merge",
            reason=f"merged with {merged.display_name} (#{merged.pk}); the stricter choice is kept",
        )
        carried = _carry_dismissals(survivor, merged)
        merged.merged_into = survivor
        Contact.objects.filter(pk=merged.pk).update(merged_into=survivor.pk)
        DuplicateCandidate.objects.filter(contact_a=merged.pk).delete()
        DuplicateCandidate.objects.filter(contact_b=merged.pk).delete()

        record = MergeRecord.objects.create(
            survivor=survivor,
            merged_contact_id=merged.pk,
            snapshot={
                "survivor": survivor_before,
                "merged": merged_before,
                "rows": journal.rows,
                "carried_dismissals": carried,
            },
            field_choices={
                **applied,
                "primary_phone": chosen["primary_phone"],
                "primary_email": chosen["primary_email"],
            },
            user=user if user is not None and user.is_authenticated else None,
        )
        moved_text = _describe_moved(journal)
        taken = [label for key, label, _f in FIELD_GROUPS if applied[key] == "merged"]
        data = {
            "merge_record": record.pk,
            "survivor_id": survivor.pk,
            "merged_id": merged.pk,
            "moved": dict(journal.moved),
            "values_from_merged": taken,
            "primary_phone": chosen["primary_phone"],
            "primary_email": chosen["primary_email"],
        }
        record_event(
            event_type=EventType.MERGE,
            contact_id=survivor.pk,
            user=user,
            description=(
                f"Merged {merged.display_name} (#{merged.pk}) into this contact; moved {moved_text}. "
                f"Values kept from the merged record: {', '.join(taken) or 'none'}."
            ),
            data=data,
        )
        record_event(
            event_type=EventType.MERGE,
            contact_id=merged.pk,
            user=user,
            description=(
                f"Merged into {survivor.display_name} (#{survivor.pk}); moved {moved_text}; portal links revoked."
            ),
            data=data,
        )
        _refresh_later([survivor.pk])
        events.publish(
            events.CONTACT_MERGED, contact_id=survivor.pk, merged_contact_id=merged.pk, merge_record_id=record.pk
        )
    return record


def _phone_value(number: str) -> str:
    return phone_or_none(number) or number


def _refresh_later(contact_ids: list[int]) -> None:
    from contacts.tasks import schedule_duplicate_refresh

    schedule_duplicate_refresh(contact_ids)


# --- Undo -----------------------------------------------------------------------------------


def merge_undo(*, record: MergeRecord, user=None) -> Contact:
    """Undo a merge: the merged contact comes back and exactly the rows that moved go back.
    Rows added to the survivor since stay with it. Returns the restored contact."""
    if user is not None and not user.has_perm(MERGE_PERMISSION):
        raise MergeError("You do not have permission to undo merges.")
    with transaction.atomic():
        record = MergeRecord.objects.select_for_update().get(pk=record.pk)
        if record.undone_at:
            raise MergeError("This merge has already been undone.")
        locked = _lock_contacts(record.survivor_id, record.merged_contact_id)
        merged = locked.get(record.merged_contact_id)
        survivor = locked.get(record.survivor_id)
        if merged is None or survivor is None:
            raise MergeError("One of the two contacts no longer exists; the merge cannot be undone.")
        if merged.merged_into_id != survivor.pk:
            raise MergeError("The merged contact has changed since; the merge cannot be undone.")
        if survivor.merged_into_id:
            raise MergeError(
                f"{survivor.display_name} has since been merged into another contact; undo that merge first."
            )
        later = (
            MergeRecord.objects.filter(survivor=survivor.pk, undone_at__isnull=True, pk__gt=record.pk)
            .order_by("-pk")
            .first()
        )
        if later is not None:
            # Undo restores the survivor as it was before this merge: a later merge's values
            # would be lost. Merges into one contact are undone last first.
            raise MergeError(
                f"{survivor.display_name} has taken a later merge (of #{later.merged_contact_id}); "
                "undo that merge first."
            )
        snapshot = record.snapshot
        rows = snapshot["rows"]
        # Phones and emails first lose their primary flag, so restoring them one by one never
        # meets the one-primary constraint half way.
        for label in ("contacts.ContactPhone", "contacts.ContactEmail"):
            model = apps.get_model(label)
            model.objects.filter(contact__in=[survivor.pk, merged.pk]).update(is_primary=False)
        missing = 0
        for row in rows:
            model = apps.get_model(row["model"])
            if row["action"] != "deleted" and not model._default_manager.filter(pk=row["pk"]).exists():
                missing += 1  # deleted since the merge: nothing to move back
                continue
            _restore_row(model, row["before"])
        _restore_row(Contact, snapshot["merged"])
        _restore_row(Contact, snapshot["survivor"])
        DuplicateDismissal.objects.filter(pk__in=snapshot.get("carried_dismissals", [])).delete()
        restored = Contact.objects.get(pk=survivor.pk)
        record_contact_change(
            contact=survivor,
            before={name: getattr(survivor, name) for name in CALL_PREFERENCE_FIELDS},
            after={name: getattr(restored, name) for name in CALL_PREFERENCE_FIELDS},
            actor=user,
            via="merge",
            reason=f"undid the merge of {merged.display_name} (#{merged.pk})",
        )
        record.undone_at = timezone.now()
        record.save(update_fields=["undone_at"])
        note = f" ({missing} rows deleted since could not be moved back)" if missing else ""
        data = {"merge_record": record.pk, "survivor_id": survivor.pk, "merged_id": merged.pk, "rows": len(rows)}
        record_event(
            event_type=EventType.UNMERGE,
            contact_id=survivor.pk,
            user=user,
            description=f"Undid the merge of {merged.display_name} (#{merged.pk}) into this contact{note}.",
            data=data,
        )
        record_event(
            event_type=EventType.UNMERGE,
            contact_id=merged.pk,
            user=user,
            description=f"Restored from the merge into {survivor.display_name} (#{survivor.pk}){note}.",
            data=data,
        )
        _refresh_later([survivor.pk, merged.pk])
    return Contact.objects.get(pk=merged.pk)


# --- Import rows ------------------------------------------------------------------------------

FILLABLE_FIELDS = [name for _key, _label, fields in FIELD_GROUPS for name in fields if name != "kind"]


def fill_contact_from_values(*, contact: Contact, values: dict, user=None) -> list[str]:
    """The Merge duplicate rule of the import: put an import row's values into an existing
    contact without losing anything. Empty fields are filled; fields that already have a value
    keep it (a blank never overwrites); phones and emails in `values["phones"]`/`["emails"]`
    (or `phone`/`email`, any format) are added when new, primary only if the contact had none;
    do-not-call/text/email flags set in the row are switched on, never off. Returns the names
    of what changed. Runs in the caller's transaction; the caller records the activity event."""
    changed = []
    for name in FILLABLE_FIELDS:
        value = values.get(name)
        if value in (None, "") or getattr(contact, name) not in (None, ""):
            continue
        setattr(contact, name, value)
        changed.append(name)
    for flag in ("do_not_call", "do_not_text", "do_not_email"):
        if values.get(flag) is True and not getattr(contact, flag):
            setattr(contact, flag, True)
            changed.append(flag)
    if changed:
        if user is not None and getattr(user, "is_authenticated", False):
            contact.updated_by = user
        contact.save()
    raw_phones = list(values.get("phones") or []) + ([values["phone"]] if values.get("phone") else [])
    has_primary = contact.phones.filter(is_primary=True).exists()
    for raw in raw_phones:
        number = phone_or_none(raw)
        if number and not contact.phones.filter(number=number).exists():
            ContactPhone.objects.create(contact=contact, number=number, is_primary=not has_primary)
            has_primary = True
            changed.append(f"phone {number}")
    raw_emails = list(values.get("emails") or []) + ([values["email"]] if values.get("email") else [])
    has_primary = contact.emails.filter(is_primary=True).exists()
    for raw in raw_emails:
        email = normalize_email(raw)
        if email and not contact.emails.filter(email=email).exists():
            ContactEmail.objects.create(contact=contact, email=email, is_primary=not has_primary)
            has_primary = True
            changed.append(f"email {email}")
    return changed
