"""Finding the existing contact a row of a file duplicates, a chunk of rows at a time, with
indexed lookups only: same external id, same E.164 phone, same normalized email, or the
same name with the same date of birth."""

from functools import lru_cache

from django.db.models import CharField
from django.db.models.functions import Cast

from contacts.models import Contact, ContactEmail, ContactPhone
from contacts.normalize import name_key

# In the order they are tried; the first rule that finds a contact wins.
MATCH_RULES = {
    "kayse_id": "same Kayse id",
    "external_id": "same external id",
    "phone": "same phone",
    "email": "same email",
    "name_dob": "same name and date of birth",
}
LOOKUP_BATCH = 900


@lru_cache(maxsize=200_000)
def person_key(first: str | None, last: str | None) -> str:
    """name_key of a first and last name, cached: the same names come back chunk after chunk."""
    return name_key(first, last)


def row_keys(row) -> list[tuple[str, str]]:
    """The (rule, value) keys by which a parsed row can match a contact, in rule order."""
    if row.match_keys is None:
        row.match_keys = _row_keys(row)
    return row.match_keys


def _row_keys(row) -> list[tuple[str, str]]:
    keys = [("kayse_id", str(row.kayse_id))] if row.kayse_id else []
    if row.fields.get("external_id"):
        keys.append(("external_id", row.fields["external_id"]))
    keys.extend(("phone", number) for number, _kind in row.phones)
    keys.extend(("email", address) for address, _kind in row.emails)
    birth = row.fields.get("date_of_birth")
    person = person_key(row.fields.get("first_name"), row.fields.get("last_name"))
    if birth and person:
        keys.append(("name_dob", f"{person}|{birth.isoformat()}"))
    return keys


def contact_keys(
    *, kayse_id=None, external_id="", phones=(), emails=(), first_name="", last_name="", date_of_birth=None
):
    keys = [("kayse_id", str(kayse_id))] if kayse_id else []
    keys += [("external_id", external_id)] if external_id else []
    keys += [("phone", number) for number in phones]
    keys += [("email", address) for address in emails]
    person = person_key(first_name, last_name)
    if date_of_birth and person:
        keys.append(("name_dob", f"{person}|{date_of_birth.isoformat()}"))
    return keys


def _batches(values):
    values = sorted(values)
    for start in range(0, len(values), LOOKUP_BATCH):
        yield values[start : start + LOOKUP_BATCH]


def find_existing_matches(rows) -> dict[tuple[str, str], int]:
    """{(rule, value): contact id} for every key of the rows that a live contact has.

    Four indexed queries per 900 values; merged-away and archived contacts never match.
    """
    wanted = {rule: set() for rule in MATCH_RULES}
    for row in rows:
        for rule, value in row_keys(row):
            wanted[rule].add(value)
    found: dict[tuple[str, str], int] = {}

    def keep(rule, value, contact_id):
        key = (rule, value)
        if key not in found or contact_id < found[key]:
            found[key] = contact_id

    # Each lookup goes by its own index only (SQLite would otherwise walk the merged_into
    # index over every live contact); whether a contact is live is checked afterwards.
    candidates: list[tuple[str, str, int]] = []
    contacts = Contact.objects.order_by()
    for values in _batches(wanted["kayse_id"]):
        ids = contacts.filter(pk__in=[int(value) for value in values]).values_list("id", flat=True)
        candidates += [("kayse_id", str(contact_id), contact_id) for contact_id in ids]
    for values in _batches(wanted["external_id"]):
        rows = contacts.filter(external_id__in=values).values_list("external_id", "id")
        candidates += [("external_id", value, contact_id) for value, contact_id in rows]
    for values in _batches(wanted["phone"]):
        rows = ContactPhone.objects.order_by().filter(number__in=values).values_list("number", "contact_id")
        candidates += [("phone", value, contact_id) for value, contact_id in rows]
    for values in _batches(wanted["email"]):
        rows = ContactEmail.objects.order_by().filter(email__in=values).values_list("email", "contact_id")
        candidates += [("email", value, contact_id) for value, contact_id in rows]
    births = {value.rsplit("|", 1)[1] for value in wanted["name_dob"]}
    for values in _batches(births):
        # The date as the database's ISO text: no per-row date conversion for the many candidates.
        rows = (
            contacts.filter(date_of_birth__in=values)
            .annotate(birth=Cast("date_of_birth", CharField()))
            .values_list("id", "first_name", "last_name", "birth")
        )
        for contact_id, first, last, birth in rows:
            value = f"{person_key(first, last)}|{birth}"
            if value in wanted["name_dob"]:
                candidates.append(("name_dob", value, contact_id))
    live = set()
    for ids in _batches({contact_id for _rule, _value, contact_id in candidates}):
        rows = contacts.filter(pk__in=ids).values_list("id", "merged_into_id", "archived_at")
        live.update(contact_id for contact_id, merged_into, archived in rows if merged_into is None and not archived)
    for rule, value, contact_id in candidates:
        if contact_id in live:
            keep(rule, value, contact_id)
    return found


def first_match(keys, index) -> tuple[object, str, str] | None:
    """(what the index holds, rule, value) for the first of the keys found in the index."""
    for key in keys:
        if key in index:
            return index[key], key[0], key[1]
    return None
