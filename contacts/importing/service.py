"""Running an import: the dry run and the real run share one pipeline.

Rows are read as a stream and handled in chunks. Each chunk of the real run is one
transaction that writes its contacts, phones, emails, notes, case links, the batch's
undo records, one activity event per imported row and the batch's progress together: a
crash or a cancel leaves whole chunks only, and `rows_done` says exactly where to resume.
"""

import contextlib
import datetime
import gc
import logging
import os
import pickle
import signal
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.html import escape, linebreaks

from activity.models import EventType
from activity.services import CALL_PREFERENCE_FIELDS, preference_change_event
from contacts.duplicates import (
    EXACT_RULES,
    BirthDateNames,
    RowMatch,
    auto_match_score,
    exact_keys,
    exact_rules,
    fuzzy_matches,
    match_rows,
    queue_pairs,
)
from contacts.importing.bulk import allocate_ids, insert_rows, update_rows
from contacts.importing.events import record_events_bulk
from contacts.importing.readers import UnreadableFile, open_table
from contacts.importing.validation import BOOLEAN_FIELDS, CONTACT_FIELDS, ParsedRow, validate_row
from contacts.models import (
    Contact,
    ContactEmail,
    ContactKind,
    ContactPhone,
    DuplicateRule,
    ImportAction,
    ImportBatch,
    ImportedContact,
    ImportErrorMode,
    ImportNoteKind,
    ImportRowNote,
    ImportStatus,
    Note,
)
from contacts.search_index import deferred_search_index
from kayse import events


def chunk_size_setting() -> int:
    return getattr(settings, "IMPORT_CHUNK_SIZE", 2000)


UNDO_DAYS = 7
# Notes about duplicates kept per batch (errors are always all kept: they make the rejected-rows file).
MAX_DUPLICATE_NOTES = 5000
logger = logging.getLogger(__name__)

COUNT_FIELDS = {"new": "new_count", "updated": "updated_count", "skipped": "skipped_count"}
COUNT_FIELDS |= {"merged": "merged_count", "errors": "error_count"}


class ImportCancelled(Exception):
    pass


class AnotherRunner(Exception):
    """Another worker is importing this batch (or it was cancelled meanwhile)."""


def private_path(name: str) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / name


FILE_GONE = (
    "The uploaded file is no longer kept: files are removed once their import has finished, "
    f"or {UNDO_DAYS} days after upload. Upload the file again to import it."
)


def open_batch_table(batch: ImportBatch, *, encoding=None, sheet=None, delimiter=None):
    """The batch's uploaded file, read as the batch says unless told otherwise."""
    if not batch.stored_name or not private_path(batch.stored_name).is_file():
        raise UnreadableFile(FILE_GONE)
    return open_table(
        private_path(batch.stored_name),
        original_name=batch.original_name,
        encoding=batch.encoding if encoding is None else encoding,
        sheet=batch.sheet if sheet is None else sheet,
        delimiter=batch.delimiter if delimiter is None else delimiter,
    )


# What a row lands on


@dataclass
class Target:
    """A contact a row lands on: an existing one (loaded once per chunk) or a new one."""

    contact: Contact
    created: bool
    line: int
    phones: dict = field(default_factory=dict)  # number → is_primary
    emails: dict = field(default_factory=dict)
    new_phones: list = field(default_factory=list)  # [(number, kind)]
    new_emails: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    case_numbers: list = field(default_factory=list)
    changed: set = field(default_factory=set)
    before: dict | None = None
    derived: tuple | None = None  # derived fields made ahead for a new contact from its row
    action: str = ""
    lines: list = field(default_factory=list)

    def keys(self, rules):
        contact = self.contact
        return exact_keys(
            kayse_id=contact.pk,
            external_id=contact.external_id,
            phones=[*self.phones, *(number for number, _ in self.new_phones)],
            emails=[*self.emails, *(address for address, _ in self.new_emails)],
            first_name=contact.first_name,
            last_name=contact.last_name,
            date_of_birth=contact.date_of_birth,
            rules=rules,
        )

    def snapshot(self):
        """What undo restores: the contact's importable fields, phones and emails."""
        if self.before is None and not self.created:
            self.before = {
                "fields": {name: _json_value(getattr(self.contact, name)) for name in CONTACT_FIELDS},
                "phones": sorted(self.phones),
                "emails": sorted(self.emails),
            }

    @property
    def touched(self) -> bool:
        return bool(self.created or self.changed or self.new_phones or self.new_emails or self.notes)


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _is_empty(value) -> bool:
    return value in (None, "", False)


def _add_channels(target: Target, row: ParsedRow) -> None:
    for number, kind in row.phones:
        if number not in target.phones and all(number != known for known, _ in target.new_phones):
            target.new_phones.append((number, kind))
    for address, kind in row.emails:
        if address not in target.emails and all(address != known for known, _ in target.new_emails):
            target.new_emails.append((address, kind))
    target.notes.extend(row.notes)
    target.case_numbers.extend(row.case_numbers)


def apply_update(target: Target, row: ParsedRow) -> list[str]:
    """Update: the file's non-empty values overwrite; phones and emails are added."""
    target.snapshot()
    for name, value in row.fields.items():
        if getattr(target.contact, name) != value:
            setattr(target.contact, name, value)
            target.changed.add(name)
    _add_channels(target, row)
    return []


def apply_merge(target: Target, row: ParsedRow) -> list[str]:
    """Merge: fill empty fields, never overwrite, keep the stricter do-not-contact; conflicts listed."""
    target.snapshot()
    conflicts = []
    for name, value in row.fields.items():
        current = getattr(target.contact, name)
        if name in BOOLEAN_FIELDS:
            if value and not current:
                setattr(target.contact, name, True)
                target.changed.add(name)
        elif _is_empty(current):
            setattr(target.contact, name, value)
            target.changed.add(name)
        elif current != value:
            conflicts.append(
                f"{name.replace('_', ' ')}: kept “{_json_value(current)}”, file has “{_json_value(value)}”"
            )
    _add_channels(target, row)
    return conflicts


class ContactDraft:
    """A contact's column values by attribute name, without the cost of a model instance
    (which an import would pay a hundred thousand times): a contact about to be created, or
    an existing one the import updates. The dict given is the draft's own (not copied)."""

    def __init__(self, values: dict):
        self.__dict__ = values

    @property
    def pk(self):
        return self.id


_DRAFT_DEFAULTS: dict | None = None


def _draft_defaults() -> dict:
    global _DRAFT_DEFAULTS
    if _DRAFT_DEFAULTS is None:
        # Fields with a callable default are left out: the insert computes theirs per row.
        _DRAFT_DEFAULTS = {
            field.attname: field.get_default()
            for field in Contact._meta.concrete_fields
            if not (field.has_default() and callable(field.default))
        }
    return _DRAFT_DEFAULTS


def _draft_values(row: ParsedRow, base: dict) -> dict:
    values = {**base, **row.fields}
    if row.fields.get("organization_name") and not (row.fields.get("first_name") or row.fields.get("last_name")):
        values["kind"] = ContactKind.ORGANIZATION
    return values


_DERIVED = ("login_source", "search_name", "sort_name")


def derive_fields(row: ParsedRow) -> None:
    """The derived fields the row's contact would have if created (the model's own rule)."""
    contact = ContactDraft(_draft_values(row, _draft_defaults()))
    Contact.refresh_derived_fields(contact)
    row.derived = tuple(getattr(contact, name) for name in _DERIVED)


def draft_base(batch: ImportBatch) -> dict:
    """What every contact the batch creates starts from: the defaults, its creator, its source."""
    source = f"Import #{batch.pk}"[:100]
    return {
        **_draft_defaults(),
        "created_by_id": batch.created_by_id,
        "updated_by_id": batch.created_by_id,
        "source": source,
    }


def new_target(row: ParsedRow, base: dict) -> Target:
    values = _draft_values(row, base)
    if not values["source"]:
        values["source"] = base["source"]
    if row.derived is not None:  # made by the reading process
        values.update(zip(_DERIVED, row.derived, strict=True))
    # A new contact has no phones or emails yet, and the row's own are already without repeats.
    return Target(
        contact=ContactDraft(values),
        derived=row.derived,
        created=True,
        line=row.line,
        action=ImportAction.CREATED,
        new_phones=list(row.phones),
        new_emails=list(row.emails),
        notes=list(row.notes),
        case_numbers=list(row.case_numbers),
    )


# One chunk


@dataclass
class ChunkResult:
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    notes: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    reviews: list = field(default_factory=list)  # (new contact's Target, Match) for the queue


# What a contact the import updates is loaded with: the fields it may set, and what the
# derived fields are made from (`Contact.refresh_derived_fields`).
_LOADED_FIELDS = list(
    dict.fromkeys(["id", *CONTACT_FIELDS, "kind", "web_last_login_at", "mobile_last_login_at", *_DERIVED])
)


def _load_targets(contact_ids) -> dict[int, Target]:
    # Plain values, not model instances (an import loads tens of thousands of them), and only
    # the columns an import reads or writes (each date and time read costs a conversion).
    contacts = {
        values["id"]: values for values in Contact.objects.filter(pk__in=list(contact_ids)).values(*_LOADED_FIELDS)
    }
    targets = {pk: Target(contact=ContactDraft(values), created=False, line=0) for pk, values in contacts.items()}
    for contact_id, number, primary in ContactPhone.objects.filter(contact_id__in=contacts).values_list(
        "contact_id", "number", "is_primary"
    ):
        targets[contact_id].phones[number] = primary
    for contact_id, address, primary in ContactEmail.objects.filter(contact_id__in=contacts).values_list(
        "contact_id", "email", "is_primary"
    ):
        targets[contact_id].emails[address] = primary
    return targets


def classify_chunk(
    rows: list[ParsedRow],
    batch: ImportBatch,
    *,
    file_index: dict,
    dry_run: bool,
    names: BirthDateNames | None = None,
) -> ChunkResult:
    """Decide each row's fate under the batch's duplicate rule; nothing is written here.

    `file_index` maps match keys to what earlier rows of the file became (a Target in the
    real run, the line number in the dry run), so duplicates inside the file follow the rule;
    `names`, the names by birth date the fuzzy look-up has read in earlier chunks.
    """
    result = ChunkResult()
    rule = batch.duplicate_rule
    base = draft_base(batch)

    def create(row, keys):
        if dry_run:  # only counted: the dry run remembers the line, and makes no contact
            _index(file_index, row.line, keys)
            return
        target = new_target(row, base)
        _index(file_index, target, keys)
        result.targets.append(target)

    valid = [row for row in rows if row.is_valid]
    for row in rows:
        if not row.is_valid:
            result.counts["errors"] += 1
            result.notes.append((row.line, ImportNoteKind.ERROR, "; ".join(row.errors), None, row.cells))
    # The duplicate engine finds the existing contacts the chunk's rows match, all at once.
    rules = exact_rules()
    keys_of = [row_keys(row, rules) for row in valid]
    matches = match_rows(keys_of, rules=rules)
    # Rows no exact key matched: the model's best fuzzy match, if any scores in the queue's band.
    fuzzy: dict[int, object] = {}
    if rule != DuplicateRule.CREATE:
        unmatched = [i for i, found in enumerate(matches) if not found]
        found_fuzzy = fuzzy_matches([_match_values(valid[i]) for i in unmatched], names=names) if unmatched else []
        fuzzy = {i: match for i, match in zip(unmatched, found_fuzzy, strict=True) if match is not None}
    auto_score = auto_match_score()
    for i, match in fuzzy.items():
        if match.score >= auto_score:
            matches[i] = [RowMatch(match.contact_id, ((LIKELY_SAME, f"score {match.score}"),))]
    needed = {found[0].contact_id for found in matches if found}
    if rule == DuplicateRule.SKIP or rule == DuplicateRule.CREATE:
        needed = set()
    loaded = _load_targets(needed) if (needed and not dry_run) else {}
    for i, (row, keys, found) in enumerate(zip(valid, keys_of, matches, strict=True)):
        match = (found[0].contact_id, *found[0].keys[0]) if found else None
        in_file = None
        if match is None:
            in_file = first_match(keys, file_index)
        if match is None and in_file is None:
            result.counts["new"] += 1
            create(row, keys)
            review = fuzzy.get(i)
            if review is not None:
                # The review band: created, and the pair goes to the duplicates queue.
                result.notes.append(
                    (
                        row.line,
                        ImportNoteKind.DUPLICATE,
                        f"created, for review: may be contact #{review.contact_id} (score {review.score}); "
                        "the pair is in the possible-duplicates queue",
                        review.contact_id,
                        [],
                    )
                )
                if not dry_run:
                    result.reviews.append((result.targets[-1], review))
            continue
        if match is not None:
            contact_id, matched_rule, value = match
            where = f"contact #{contact_id}"
        else:
            found, matched_rule, value = in_file
            contact_id = None if dry_run else (found.contact.pk if not found.created else None)
            line = found if dry_run else found.line
            where = f"line {line} of this file"
        label = EXACT_RULES.get(matched_rule, "likely the same person")
        reason = f"{label} ({value.split('|')[0]}) as {where}"
        if rule == DuplicateRule.SKIP:
            result.counts["skipped"] += 1
            result.notes.append((row.line, ImportNoteKind.DUPLICATE, f"skipped: {reason}", contact_id, row.cells))
            continue
        if rule == DuplicateRule.CREATE:
            result.counts["new"] += 1
            result.notes.append((row.line, ImportNoteKind.DUPLICATE, f"created anyway: {reason}", contact_id, []))
            create(row, keys)
            continue
        verb = "updated" if rule == DuplicateRule.UPDATE else "merged"
        result.notes.append((row.line, ImportNoteKind.DUPLICATE, f"{verb}: {reason}", contact_id, []))
        if dry_run:
            result.counts[verb] += 1
            _index(file_index, row.line, keys)
            continue
        target = loaded[contact_id] if match is not None else in_file[0]
        if not target.created and not target.lines:
            result.targets.append(target)
        target.lines.append(row.line)
        had_changes = bool(target.changed or target.new_phones or target.new_emails)
        apply = apply_update if rule == DuplicateRule.UPDATE else apply_merge
        conflicts = apply(target, row)
        for conflict in conflicts:
            result.notes.append((row.line, ImportNoteKind.CONFLICT, conflict, contact_id, []))
        changed_now = bool(target.changed or target.new_phones or target.new_emails or row.notes)
        if target.created:
            result.counts[verb] += 1
        elif not changed_now and not had_changes:
            result.counts["skipped"] += 1
            result.notes[-1 - len(conflicts)] = (
                row.line,
                ImportNoteKind.DUPLICATE,
                f"skipped, already up to date: {reason}",
                contact_id,
                [],
            )
        else:
            result.counts[verb] += 1
            target.action = target.action or (ImportAction.UPDATED if verb == "updated" else ImportAction.MERGED)
        _index(file_index, target, target.keys(rules))
    return result


# The fields the fuzzy look-up's names by birth date are made of.
NAME_FIELDS = frozenset({"first_name", "preferred_name", "last_name", "date_of_birth"})
LIKELY_SAME = "likely_same"  # the rule of a fuzzy match at or above the auto-match score


def _match_values(row: ParsedRow) -> dict:
    """A row's fields as the duplicate model reads them."""
    return {
        **row.fields,
        "phones": [number for number, _kind in row.phones],
        "emails": [address for address, _kind in row.emails],
    }


def row_keys(row: ParsedRow, rules) -> list[tuple[str, str]]:
    """The duplicate engine's exact keys of a parsed row (computed once per row)."""
    if row.match_keys is None:
        row.match_keys = exact_keys(
            kayse_id=row.kayse_id,
            external_id=row.fields.get("external_id"),
            phones=[number for number, _kind in row.phones],
            emails=[address for address, _kind in row.emails],
            first_name=row.fields.get("first_name"),
            last_name=row.fields.get("last_name"),
            date_of_birth=row.fields.get("date_of_birth"),
            rules=rules,
        )
    return row.match_keys


def first_match(keys, index) -> tuple[object, str, str] | None:
    """(what the index holds, rule, value) for the first of the keys found in the index."""
    for key in keys:
        if key in index:
            return index[key], key[0], key[1]
    return None


def _index(file_index: dict, target, keys) -> None:
    for key in keys:
        file_index.setdefault(key, target)


# Writing a chunk


def write_chunk(result: ChunkResult, batch: ImportBatch) -> None:
    """Write everything a classified chunk decided (call inside the chunk's transaction)."""
    user = batch.created_by
    created = [target for target in result.targets if target.created]
    updated = [target for target in result.targets if not target.created and target.touched]
    ids = allocate_ids(Contact, len(created)) if created else []
    for target, contact_id in zip(created, ids, strict=True):
        if target.derived is None or target.changed:  # not made by the reading process, or since changed
            Contact.refresh_derived_fields(target.contact)  # the model's own rule, on the draft
        target.contact.id = contact_id
    with deferred_search_index(ids):
        insert_rows(Contact, [vars(target.contact) for target in created], with_ids=True)
    changed_fields = set()
    for target in updated:
        if target.changed:
            Contact.refresh_derived_fields(target.contact)
            target.contact.updated_by_id = user.pk if user is not None else None
            changed_fields |= target.changed
    to_update = [target.contact for target in updated if target.changed]
    if to_update:
        derived = {"login_source", "search_name", "sort_name", "updated_at", "updated_by_id"}
        update_rows(Contact, to_update, changed_fields | derived)
    phones, emails, notes = [], [], []
    for target in [*created, *updated]:
        contact_id = target.contact.pk
        has_primary = any(target.phones.values())
        for number, kind in target.new_phones:
            phones.append({"contact_id": contact_id, "number": number, "kind": kind, "is_primary": not has_primary})
            has_primary = True
        has_primary = any(target.emails.values())
        for address, kind in target.new_emails:
            emails.append({"contact_id": contact_id, "email": address, "kind": kind, "is_primary": not has_primary})
            has_primary = True
        for text in target.notes:
            notes.append(Note(contact_id=contact_id, author=user, body_html=linebreaks(escape(text))))
    insert_rows(ContactPhone, phones)
    insert_rows(ContactEmail, emails)
    Note.objects.bulk_create(notes, batch_size=500)
    _link_cases([*created, *updated], result)
    insert_rows(
        ImportedContact,
        [
            {
                "batch_id": batch.pk,
                "contact_id": target.contact.pk,
                "action": target.action or ImportAction.UPDATED,
                "line": target.line or target.lines[0],
                "before": target.before,
            }
            for target in [*created, *updated]
        ],
    )
    label = f"Import #{batch.pk}"
    events = []
    for target in [*created, *updated]:
        action = target.action or ImportAction.UPDATED
        verb = {"created": "Created", "updated": "Updated", "merged": "Merged"}[action]
        events.append(
            {
                "event_type": EventType.IMPORT,
                "contact_id": target.contact.pk,
                "description": f"{verb} by import #{batch.pk} from {batch.original_name}",
                "json_ready": True,
                "data": {
                    "batch": batch.pk,
                    "action": action,
                    "lines": [target.line] if target.created else target.lines,
                    "fields": sorted(target.changed),
                },
            }
        )
        if not target.created and target.before is not None and target.changed & set(CALL_PREFERENCE_FIELDS):
            compliance = preference_change_event(
                contact_id=target.contact.pk,
                before={name: target.before["fields"].get(name) for name in target.changed},
                after={name: getattr(target.contact, name) for name in target.changed},
                who=label,
                via="import",
            )
            if compliance is not None:
                events.append(compliance)
    record_events_bulk(events, user=user, actor_label=label)
    if result.reviews:
        queue_pairs(
            [
                (target.contact.pk, match.contact_id, match.score, match.reasons, match.model_version)
                for target, match in result.reviews
            ]
        )
    # The duplicates queue follows: one background re-check for the chunk, after it commits.
    from contacts.tasks import schedule_duplicate_refresh

    schedule_duplicate_refresh([target.contact.pk for target in [*created, *updated]])


def _link_cases(targets, result: ChunkResult) -> None:
    wanted = {number for target in targets for number in target.case_numbers}
    if not wanted:
        return
    # Cases sit above contacts: looked up by name so this app does not import theirs.
    case_model = apps.get_model("cases", "Case")
    link_model = apps.get_model("cases", "CaseContact")
    cases = dict(case_model.objects.filter(number__in=wanted).values_list("number", "id"))
    links = []
    for target in targets:
        for number in dict.fromkeys(target.case_numbers):
            if number in cases:
                links.append(link_model(case_id=cases[number], contact_id=target.contact.pk))
            else:
                result.notes.append(
                    (target.line or target.lines[0], ImportNoteKind.CONFLICT, f"no case numbered “{number}”", None, [])
                )
    link_model.objects.bulk_create(links, ignore_conflicts=True)


def _save_notes(batch: ImportBatch, notes, *, dry_run: bool, duplicates_kept: int) -> int:
    rows = []
    for line, kind, reason, contact_id, cells in notes:
        if kind == ImportNoteKind.DUPLICATE:
            if duplicates_kept >= MAX_DUPLICATE_NOTES:
                continue
            duplicates_kept += 1
        rows.append(
            {
                "batch_id": batch.pk,
                "dry_run": dry_run,
                "line": line,
                "kind": kind,
                "reason": reason[:500],
                "contact_id": contact_id,
                "values": cells,
            }
        )
    insert_rows(ImportRowNote, rows)
    return duplicates_kept


# The whole file


def _chunks(table, mapping, start_after: int, size: int, *, first: int | None = None):
    """Lists of `size` checked rows; given `first`, the chunks start at that size and double."""
    chunk = []
    rules = exact_rules()
    wanted = first or size
    for index, (line, cells) in enumerate(table.rows()):
        if index < start_after:
            continue
        row = validate_row(line, cells, mapping)
        if row.is_valid:
            row_keys(row, rules)  # the duplicate engine's keys, made here (the reading process)
        chunk.append(row)
        if len(chunk) >= wanted:
            yield chunk
            chunk = []
            wanted = min(size, wanted * 2)
    if chunk:
        yield chunk


# Reading and checking rows is most of a row's cost and needs no database: on a large file a
# second process does it (the machine's other core) while this one matches and writes.
def parse_process_min_bytes() -> int:
    """From which file size the run reads the file in a second process (0: always; -1: never)."""
    return getattr(settings, "IMPORT_PARSE_PROCESS_MIN_BYTES", 1_000_000)


def _parse_in_child(table, mapping, start_after: int, size: int, out, keep_cells: bool, derive: bool) -> None:
    try:
        # Small chunks first: the writer starts as soon as it can, and this process gets ahead.
        for chunk in _chunks(table, mapping, start_after, size, first=min(size, 250)):
            for row in chunk:
                if row.is_valid:
                    if derive:
                        derive_fields(row)
                    if not keep_cells:
                        row.cells = []  # only rows reported with their values need them
            pickle.dump(("rows", chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()  # blocks while the pipe is full: the reader stays a few chunks ahead
        pickle.dump(("done", None), out)
    except UnreadableFile as error:
        pickle.dump(("unreadable", str(error)), out)
    except Exception as error:  # noqa: BLE001 - handed to the writer, which raises it
        pickle.dump(("error", f"{type(error).__name__}: {error}"), out)
    out.flush()


def _chunks_in_background(table, mapping, start_after: int, size: int, *, keep_cells=True, derive=True):
    """The chunks of `_chunks`, read and checked by a forked process ahead of the caller.

    A plain fork and a pipe (a Celery prefork worker may not start multiprocessing children):
    the pipe's buffer bounds how far ahead the reader gets, and should the writer die, the
    reader's next write fails and it exits."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the reading process: no database, no cleanup of the parent's resources
        status = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the worker's own shutdown handler
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker to handle
            os.close(read_end)
            with os.fdopen(write_end, "wb", buffering=1 << 20) as out:
                _parse_in_child(table, mapping, start_after, size, out, keep_cells, derive)
        except BaseException:  # noqa: BLE001 - the writer is gone (broken pipe) or we are stopped
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    finished = False
    try:
        with os.fdopen(read_end, "rb", buffering=1 << 20) as source:
            while True:
                try:
                    kind, payload = pickle.load(source)  # noqa: S301 - our own child's data, through a private pipe
                except EOFError:
                    raise RuntimeError("the process reading the file stopped unexpectedly") from None
                if kind == "done":
                    finished = True
                    return
                if kind == "unreadable":
                    finished = True
                    raise UnreadableFile(payload)
                if kind == "error":
                    finished = True
                    raise RuntimeError(f"reading the file failed: {payload}")
                yield payload
    finally:
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def _run_chunks(batch: ImportBatch, table, start_after: int, size: int, *, dry_run: bool = False):
    threshold = parse_process_min_bytes()
    if hasattr(os, "fork") and threshold >= 0 and private_path(batch.stored_name).stat().st_size >= threshold:
        # Valid rows' cells are reported only when skipped as duplicates.
        keep_cells = batch.duplicate_rule == DuplicateRule.SKIP
        # The dry run makes no contacts: their derived fields are not needed.
        return _chunks_in_background(table, batch.mapping, start_after, size, keep_cells=keep_cells, derive=not dry_run)
    return _chunks(table, batch.mapping, start_after, size)


class _FileIndex:
    """The dry run's memory of the file's earlier rows: match key (as its 64-bit hash) → line.

    The keys of earlier chunks live in a scratch SQLite file, not in memory (a million-row file
    has four million keys, some 440 MB as a dict): before each chunk, `prefetch` looks up the
    chunk's keys there in a few queries, and `flush` writes the chunk's new keys after it."""

    def __init__(self):
        import sqlite3
        import tempfile

        self._folder = tempfile.TemporaryDirectory(prefix="kayse-preview-")
        self._db = sqlite3.connect(Path(self._folder.name) / "keys.sqlite3", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")  # scratch data: deleted after the run
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE keys (hash INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        self._earlier: dict[int, int] = {}  # the current chunk's keys found in earlier chunks
        self._new: dict[int, int] = {}  # keys first seen in the current chunk

    def prefetch(self, keys) -> None:
        hashes = list({hash(key) for key in keys})
        self._earlier = {}
        for start in range(0, len(hashes), 900):
            part = hashes[start : start + 900]
            marks = ", ".join("?" * len(part))
            query = f"SELECT hash, line FROM keys WHERE hash IN ({marks})"  # noqa: S608 - placeholders only
            self._earlier.update(self._db.execute(query, part))

    def flush(self) -> None:
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT OR IGNORE INTO keys VALUES (?, ?)", sorted(self._new.items())
        )  # in key order: fewer pages touched
        self._db.execute("COMMIT")
        self._new = {}

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def __contains__(self, key):
        hashed = hash(key)
        return hashed in self._earlier or hashed in self._new

    def __getitem__(self, key):
        hashed = hash(key)
        return self._earlier[hashed] if hashed in self._earlier else self._new[hashed]

    def setdefault(self, key, value=None):
        hashed = hash(key)
        if hashed in self._earlier:
            return self._earlier[hashed]
        return self._new.setdefault(hashed, value)


def preview_import(batch: ImportBatch, *, progress=None, chunk_size: int | None = None) -> dict:
    """The dry run: counts of what would happen, each row's errors and the duplicates found."""
    table = open_batch_table(batch)
    ImportRowNote.objects.filter(batch=batch, dry_run=True).delete()
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    file_index = _FileIndex()
    names = BirthDateNames()
    done = 0
    duplicates_kept = 0
    ImportBatch.objects.filter(pk=batch.pk).update(rows_done=0, status=ImportStatus.PREVIEWING)
    try:
        # A large file is read by a second process here too, while this one classifies.
        for chunk in _run_chunks(batch, table, 0, chunk_size or chunk_size_setting(), dry_run=True):
            file_index.prefetch(key for row in chunk if row.is_valid for key in row.match_keys)
            result = classify_chunk(chunk, batch, file_index=file_index, dry_run=True, names=names)
            file_index.flush()
            for key, value in result.counts.items():
                counts[key] += value
            duplicates_kept = _save_notes(batch, result.notes, dry_run=True, duplicates_kept=duplicates_kept)
            done += len(chunk)
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
            if progress:
                progress(done)
    finally:
        file_index.close()
    ImportBatch.objects.filter(pk=batch.pk).update(
        preview=counts, rows_total=done, rows_done=0, status=ImportStatus.PREVIEWED
    )
    batch.refresh_from_db()
    return counts


@contextlib.contextmanager
def _writing_in_bulk():
    """The run's settings for a long series of large transactions, restored after.

    - Python's cycle collector runs far less often: a chunk makes a few hundred thousand
      short-lived objects, none in cycles, and each collection walks them all.
    - SQLite copies its write-ahead log into the database file every 80 MB instead of every
      4 MB, so index pages written by many chunks are copied once; what is left is copied
      at the end, so the next user's save does not pay for it.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, *threshold[1:])
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA wal_autocheckpoint = 20000")
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
                if not connection.in_atomic_block:  # (a checkpoint cannot run inside a transaction)
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


@_writing_in_bulk()
def run_import(batch: ImportBatch, *, progress=None, chunk_size: int | None = None) -> dict:
    """Import the file, resuming after the rows already committed. Returns the batch's counts.

    All or nothing: every row is checked first and nothing is written when one is invalid;
    should the run itself fail, what it had committed is undone.
    """
    start_after = batch.rows_done
    try:
        table = open_batch_table(batch)
    except UnreadableFile as error:
        # Nothing more can be imported from this batch; what it had imported stays (undo it).
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), message=str(error)[:500]
        )
        batch.refresh_from_db()
        return batch_counts(batch)
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, started_at=batch.started_at or now, message="", cancel_requested=False
    )
    if start_after == 0:
        ImportRowNote.objects.filter(batch=batch, dry_run=False).delete()
    if batch.error_mode == ImportErrorMode.ALL_OR_NOTHING and start_after == 0:
        chunks = _chunks(table, batch.mapping, 0, chunk_size_setting())
        bad = [row for chunk in chunks for row in chunk if not row.is_valid]
        if bad:
            _save_notes(
                batch,
                [(row.line, ImportNoteKind.ERROR, "; ".join(row.errors), None, row.cells) for row in bad],
                dry_run=False,
                duplicates_kept=0,
            )
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED,
                error_count=len(bad),
                finished_at=timezone.now(),
                message=f"Nothing was imported: {len(bad)} row(s) have errors and you chose all or nothing.",
            )
            batch.refresh_from_db()
            return batch_counts(batch)
    duplicates_kept = ImportRowNote.objects.filter(batch=batch, dry_run=False, kind=ImportNoteKind.DUPLICATE).count()
    done = start_after
    names = BirthDateNames()
    try:
        for chunk in _run_chunks(batch, table, start_after, chunk_size or chunk_size_setting()):
            if ImportBatch.objects.filter(pk=batch.pk, cancel_requested=True).exists():
                raise ImportCancelled
            with transaction.atomic():
                # Claim the chunk first: a second runner of the same batch (a resume clicked while
                # the first still runs) finds rows_done moved on and stops without writing.
                claimed = ImportBatch.objects.filter(pk=batch.pk, rows_done=done, status=ImportStatus.RUNNING).update(
                    rows_done=done + len(chunk)
                )
                if not claimed:
                    raise AnotherRunner
                result = classify_chunk(chunk, batch, file_index={}, dry_run=False, names=names)
                write_chunk(result, batch)
                for target in result.targets:
                    if target.created or target.changed & NAME_FIELDS:
                        names.add(target.contact)
                if batch.check_dnc:
                    _check_dnc(result, batch)
                duplicates_kept = _save_notes(batch, result.notes, dry_run=False, duplicates_kept=duplicates_kept)
                ImportBatch.objects.filter(pk=batch.pk).update(
                    **{COUNT_FIELDS[key]: F(COUNT_FIELDS[key]) + value for key, value in result.counts.items()},
                )
            done += len(chunk)
            if progress:
                progress(done)
    except AnotherRunner:
        batch.refresh_from_db()
        return batch_counts(batch)
    except ImportCancelled:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.CANCELLED,
            finished_at=timezone.now(),
            message=f"Cancelled after {done} rows: those rows were imported (you can undo them); the rest were not.",
        )
    except UnreadableFile as error:
        _fail(batch, done, str(error))
    except Exception:
        _fail(batch, done, "The import stopped on an unexpected error.")
        raise
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DONE, finished_at=timezone.now(), rows_total=done
        )
        drop_file(batch)  # finished: nothing will read it again (undo and the reports do not)
        _retrain_after_large_import(batch)
    batch.refresh_from_db()
    if batch.status == ImportStatus.DONE:
        events.publish(events.IMPORT_FINISHED, import_batch_id=batch.pk, counts=batch_counts(batch))
    return batch_counts(batch)


# An import that creates this many contacts changes who the firm's contacts are: the duplicate
# model is re-estimated in the background (otherwise weekly).
RETRAIN_AFTER_CREATED = 5000


def _retrain_after_large_import(batch: ImportBatch) -> None:
    created = ImportBatch.objects.filter(pk=batch.pk).values_list("new_count", flat=True).first() or 0
    if created < RETRAIN_AFTER_CREATED:
        return
    from contacts.tasks import train_duplicate_model_task

    def send():
        try:
            train_duplicate_model_task.apply_async(retry=False)
        except Exception:  # the broker is down: the weekly training catches up
            logger.warning("Could not queue the duplicate model's training after import #%s", batch.pk)

    transaction.on_commit(send)


def _check_dnc(result: ChunkResult, batch: ImportBatch) -> None:
    """The optional Do-Not-Call check of the chunk's contacts, in the chunk's transaction."""
    from contacts.dnc import check_contact

    contact_ids = {target.contact.pk for target in result.targets if target.created or target.touched}
    for contact in Contact.objects.filter(pk__in=contact_ids).order_by("pk"):
        check_contact(contact=contact, actor=None, via=f"import #{batch.pk}")


def _fail(batch: ImportBatch, done: int, reason: str) -> None:
    batch.refresh_from_db()
    if batch.error_mode == ImportErrorMode.ALL_OR_NOTHING and done:
        undo_import(batch=batch, user=batch.created_by, force=True)
        message = f"{reason} Everything it had imported was undone, so nothing changed."
    else:
        message = f"{reason} The first {done} rows were imported; resume to import the rest, or undo."
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED if not batch.undone_at else ImportStatus.UNDONE,
        finished_at=timezone.now(),
        message=message[:500],
    )


def batch_counts(batch: ImportBatch) -> dict:
    return {key: getattr(batch, name) for key, name in COUNT_FIELDS.items()}


# Undo


class UndoRefused(Exception):
    pass


def can_undo(batch: ImportBatch) -> bool:
    return (
        batch.undone_at is None
        and batch.status in (ImportStatus.DONE, ImportStatus.CANCELLED, ImportStatus.FAILED)
        and batch.started_at is not None
        and timezone.now() - (batch.finished_at or batch.started_at) <= datetime.timedelta(days=UNDO_DAYS)
    )


def undo_import(*, batch: ImportBatch, user, force: bool = False) -> int:
    """Remove the contacts the import created and restore the ones it changed, in one transaction."""
    if not force and not can_undo(batch):
        raise UndoRefused(f"This import can no longer be undone (only within {UNDO_DAYS} days, once).")
    restored = 0
    with transaction.atomic():
        links = batch.imported_contacts.order_by("-id")
        events = []
        updated_links = list(links.exclude(action=ImportAction.CREATED).values("contact_id", "before"))
        for start in range(0, len(updated_links), 500):
            part = updated_links[start : start + 500]
            contacts = Contact.objects.in_bulk([link["contact_id"] for link in part])
            for link in part:
                contact = contacts[link["contact_id"]]
                before = link["before"] or {}
                for name, value in before.get("fields", {}).items():
                    if name == "date_of_birth" and value:
                        value = datetime.date.fromisoformat(value)
                    setattr(contact, name, value)
                contact.save()
                ContactPhone.objects.filter(contact=contact).exclude(number__in=before.get("phones", [])).delete()
                ContactEmail.objects.filter(contact=contact).exclude(email__in=before.get("emails", [])).delete()
                events.append(
                    {
                        "event_type": EventType.IMPORT,
                        "contact_id": contact.pk,
                        "description": f"Changes of import #{batch.pk} undone",
                        "data": {"batch": batch.pk, "undo": True},
                    }
                )
                restored += 1
        created_ids = list(links.filter(action=ImportAction.CREATED).values_list("contact_id", flat=True))
        for start in range(0, len(created_ids), 500):
            part = created_ids[start : start + 500]
            try:
                with transaction.atomic():
                    Contact.objects.filter(pk__in=part).delete()
            except ProtectedError:
                raise UndoRefused(
                    "Some contacts this import created have since had other contacts merged into them; "
                    "undo those merges first."
                ) from None
            events.extend(
                {
                    "event_type": EventType.IMPORT,
                    "contact_id": contact_id,
                    "description": f"Removed: undo of import #{batch.pk}",
                    "data": {"batch": batch.pk, "undo": True},
                }
                for contact_id in part
            )
        record_events_bulk(events, user=user, actor_label=f"Import #{batch.pk} undone")
        from contacts.tasks import schedule_duplicate_refresh

        schedule_duplicate_refresh([link["contact_id"] for link in updated_links])
        now = timezone.now()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.UNDONE, undone_at=now, undone_by=user)
    batch.refresh_from_db()
    return restored + len(created_ids)


# Upload


def drop_file(batch: ImportBatch) -> None:
    """Delete the batch's uploaded file (private storage) and forget its name."""
    if batch.stored_name:
        private_path(batch.stored_name).unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_name="")
        batch.stored_name = ""


def purge_import_files(*, now=None) -> int:
    """Delete the uploaded files no import needs any more: those of finished or undone
    imports, and any older than UNDO_DAYS (a failed or cancelled import can be resumed
    until then; an upload never run is abandoned). Returns how many were deleted."""
    now = now or timezone.now()
    stale = ImportBatch.objects.exclude(stored_name="").filter(
        models.Q(status__in=(ImportStatus.DONE, ImportStatus.UNDONE))
        | models.Q(created_at__lt=now - datetime.timedelta(days=UNDO_DAYS))
    )
    # Never under a running import (a resumed one may be older than UNDO_DAYS).
    stale = stale.exclude(status__in=(ImportStatus.RUNNING, ImportStatus.PREVIEWING))
    count = 0
    for batch in stale.only("pk", "stored_name").iterator():
        drop_file(batch)
        count += 1
    return count


def max_upload_bytes() -> int:
    """IMPORT_MAX_UPLOAD_BYTES, 100 MB unless the settings say otherwise."""
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)


class FileTooLarge(UnreadableFile):
    pass


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def store_upload(uploaded_file, *, user, encoding: str = "", sheet: str = "", saved_columns=None) -> ImportBatch:
    """Keep an uploaded file privately and read its header; raises UnreadableFile with the reason."""
    import uuid

    size = uploaded_file.size
    limit = max_upload_bytes()
    if size > limit:
        raise FileTooLarge(
            f"The file is {human_size(size)}; the limit is {human_size(limit)}. "
            "Split it into smaller files, or import it with the import_contacts command."
        )
    name = f"imports/{uuid.uuid4().hex}{Path(uploaded_file.name).suffix.lower()[:10]}"
    path = private_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for piece in uploaded_file.chunks():
            handle.write(piece)
    try:
        return create_batch(
            path,
            stored_name=name,
            original_name=uploaded_file.name,
            user=user,
            encoding=encoding,
            sheet=sheet,
            saved_columns=saved_columns,
        )
    except UnreadableFile:
        path.unlink(missing_ok=True)
        raise


def create_batch(
    path, *, stored_name: str, original_name: str, user, encoding="", sheet="", saved_columns=None
) -> ImportBatch:
    from contacts.importing.mapping import auto_map

    table = open_table(path, original_name=original_name, encoding=encoding, sheet=sheet)
    if next(table.rows(), None) is None:
        where = f"the sheet “{table.sheet}”" if table.sheet else "the file"
        raise UnreadableFile(f"{where.capitalize()} names its columns but has no rows of contacts below them.")
    return ImportBatch.objects.create(
        original_name=original_name[:255],
        stored_name=stored_name,
        size=Path(path).stat().st_size,
        file_format=table.file_format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        headers=table.headers,
        mapping=auto_map(table.headers, saved_columns),
        created_by=user,
    )


class ImportNotReady(Exception):
    """The batch is not at the step asked for (e.g. run before its preview); the message says why."""


def import_configure(*, batch: ImportBatch, mapping: list[str], duplicate_rule: str, error_mode: str, check_dnc: bool):
    """Map the columns and choose the rules, then check the file in the background (dry run)."""
    from contacts.tasks import preview_import_task

    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        raise ImportNotReady(f"The import is {batch.get_status_display().lower()}; its columns cannot change now.")
    batch.mapping = mapping
    batch.duplicate_rule = duplicate_rule
    batch.error_mode = error_mode
    batch.check_dnc = check_dnc
    batch.status = ImportStatus.PREVIEWING
    batch.rows_done = 0
    batch.save()
    transaction.on_commit(lambda: preview_import_task.delay(batch.pk))
    return batch


def import_start(*, batch: ImportBatch, resume: bool = False) -> ImportBatch:
    """Run a checked import in the background (or resume a stopped one after its committed rows)."""
    from contacts.tasks import run_import_task

    resumable = (ImportStatus.FAILED, ImportStatus.CANCELLED, ImportStatus.RUNNING, ImportStatus.QUEUED)
    if batch.status != ImportStatus.PREVIEWED and not (resume and batch.status in resumable):
        raise ImportNotReady(f"The import is {batch.get_status_display().lower()}; check (preview) it first.")
    if batch.undone_at is not None:
        raise ImportNotReady("This import was undone.")
    if batch.status == ImportStatus.PREVIEWED:
        batch.rows_done = 0
    batch.status = ImportStatus.QUEUED
    batch.cancel_requested = False
    batch.started_at = batch.started_at or timezone.now()
    batch.save()
    transaction.on_commit(lambda: run_import_task.delay(batch.pk))
    return batch
