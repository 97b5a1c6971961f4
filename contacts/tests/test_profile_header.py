"""The profile header's phone and email read with the contact are the ones its phones and
emails give."""

import pytest

from contacts.models import Contact
from contacts.profile_header import header_phone_and_email, with_profile_header
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory

pytestmark = pytest.mark.django_db


def _shown(phone, email):
    return (
        (phone.number, phone.line_type, phone.get_line_type_display()) if phone else None,
        email.email if email else None,
    )


def test_the_columns_give_the_same_phone_and_email_as_the_contacts_own():
    primary_later = ContactFactory()
    ContactPhoneFactory(contact=primary_later, number="+13125550101", is_primary=False)
    ContactPhoneFactory(contact=primary_later, number="+13125550102", is_primary=True, line_type="mobile")
    ContactEmailFactory(contact=primary_later, email="old@example.com", is_primary=False)
    ContactEmailFactory(contact=primary_later, email="main@example.com", is_primary=True)
    no_primary = ContactFactory()
    ContactPhoneFactory(contact=no_primary, number="+13125550201", is_primary=False, line_type="landline")
    ContactPhoneFactory(contact=no_primary, number="+13125550202", is_primary=False)
    ContactEmailFactory(contact=no_primary, email="first@example.com", is_primary=False)
    ContactEmailFactory(contact=no_primary, email="second@example.com", is_primary=False)
    nothing = ContactFactory()
    for contact in (primary_later, no_primary, nothing):
        own = _shown(*header_phone_and_email(Contact.objects.get(pk=contact.pk)))
        read_with_it = _shown(*header_phone_and_email(with_profile_header(Contact.objects).get(pk=contact.pk)))
        assert read_with_it == own
    assert _shown(*header_phone_and_email(primary_later)) == (("+13125550102", "mobile", "Mobile"), "main@example.com")
    assert _shown(*header_phone_and_email(no_primary))[1] == "first@example.com"
    assert _shown(*header_phone_and_email(nothing)) == (None, None)
