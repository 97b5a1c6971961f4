"""Finding the existing contact a row of a file duplicates, a chunk of rows at a time, with
indexed lookups only: same external id, same E.164 phone, same normalized email, or the
same name with the same date of birth."""

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


def row_keys(row) -> list[tuple[str, str]]:
    """The (rule, value) keys by which a parsed row can match a contact, in rule order."""
    keys = [("kayse_id", str(row.kayse_id))] if row.kayse_id else []
    if row.fields.get("external_id"):
        keys.append(("external_id", row.fields["external_id"]))
    keys.extend(("phone", number) for number, _kind in row.phones)
    keys.extend(("email", address) for address, _kind in row.emails)
    birth = row.fields.get("date_of_birth")
    person = name_key(row.fields.get("first_name"), row.fields.get("last_name"))
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
    person = name_key(first_name, last_name)
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

    live = Contact.objects.live()
    for values in _batches(wanted["kayse_id"]):
        for contact_id in live.filter(pk__in=[int(value) for value in values]).values_list("id", flat=True):
            keep("kayse_id", str(contact_id), contact_id)
    for values in _batches(wanted["external_id"]):
        for value, contact_id in live.filter(external_id__in=values).values_list("external_id", "id"):
            keep("external_id", value, contact_id)
    for values in _batches(wanted["phone"]):
        phones = ContactPhone.objects.filter(
            number__in=values, contact__merged_into__isnull=True, contact__archived_at__isnull=True
        )
        for value, contact_id in phones.values_list("number", "contact_id"):
            keep("phone", value, contact_id)
    for values in _batches(wanted["email"]):
        emails = ContactEmail.objects.filter(
            email__in=values, contact__merged_into__isnull=True, contact__archived_at__isnull=True
        )
        for value, contact_id in emails.values_list("email", "contact_id"):
            keep("email", value, contact_id)
    births = {value.rsplit("|", 1)[1] for value in wanted["name_dob"]}
    for values in _batches(births):
        candidates = live.filter(date_of_birth__in=values).values_list("id", "first_name", "last_name", "date_of_birth")
        for contact_id, first, last, birth in candidates:
            value = f"{name_key(first, last)}|{birth.isoformat()}"
            if value in wanted["name_dob"]:
                keep("name_dob", value, contact_id)
    return found


def first_match(keys, index) -> tuple[object, str, str] | None:
    """(what the index holds, rule, value) for the first of the keys found in the index."""
    for key in keys:
        if key in index:
            return index[key], key[0], key[1]
    return None
