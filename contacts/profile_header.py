"""The profile header's phone and email: the contact's primary one of each, else its oldest.

Every profile tab shows them. A tab with no other use for the contact's phones and emails
reads them as columns of the contact's own query (`with_profile_header`) instead of two
queries more; `header_phone_and_email` takes them from there, or from the contact's phones
and emails (prefetched or not) otherwise.
"""

from django.db.models import OuterRef, Subquery

from contacts.models import ContactEmail, ContactPhone


def _first(model, *fields):
    # The models' own order (primary first, then oldest): the same one `contact.phones.all()` has.
    rows = model.objects.filter(contact=OuterRef("pk")).order_by(*model._meta.ordering)
    return {field: Subquery(rows.values(field)[:1]) for field in fields}


def with_profile_header(queryset):
    """The contacts with their header phone (number, line type) and email as columns."""
    phone = _first(ContactPhone, "number", "line_type")
    email = _first(ContactEmail, "email")
    return queryset.annotate(
        header_phone_number=phone["number"], header_phone_line_type=phone["line_type"], header_email=email["email"]
    )


def header_phone_and_email(contact) -> tuple[ContactPhone | None, ContactEmail | None]:
    if hasattr(contact, "header_phone_number"):
        phone = (
            ContactPhone(
                contact_id=contact.pk, number=contact.header_phone_number, line_type=contact.header_phone_line_type
            )
            if contact.header_phone_number is not None
            else None
        )
        email = (
            ContactEmail(contact_id=contact.pk, email=contact.header_email)
            if contact.header_email is not None
            else None
        )
        return phone, email
    phones = list(contact.phones.all())
    emails = list(contact.emails.all())
    phone = next((p for p in phones if p.is_primary), phones[0] if phones else None)
    email = next((e for e in emails if e.is_primary), emails[0] if emails else None)
    return phone, email
