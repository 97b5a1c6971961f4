import datetime

import pytest
from django.db import IntegrityError, transaction

from cases.tests.factories import CaseContactFactory
from contacts.login_source import derive_login_source
from contacts.models import Contact, ContactEmail, ContactPhone
from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory

pytestmark = pytest.mark.django_db


def test_a_contact_has_at_most_one_primary_phone():
    phone = ContactPhoneFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPhone.objects.create(contact=phone.contact, number="+13125550999", is_primary=True)


def test_a_contact_may_have_several_secondary_phones():
    phone = ContactPhoneFactory()
    ContactPhone.objects.create(contact=phone.contact, number="+13125550998", is_primary=False)
    ContactPhone.objects.create(contact=phone.contact, number="+13125550997", is_primary=False)
    assert phone.contact.phones.count() == 3


def test_a_contact_has_at_most_one_primary_email():
    email = ContactEmailFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactEmail.objects.create(contact=email.contact, email="other@example.com", is_primary=True)


def test_a_contact_is_on_a_case_once():
    link = CaseContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseContactFactory(case=link.case, contact=link.contact)


def test_the_database_refuses_an_unknown_login_source():
    contact = ContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(login_source="carrier_pigeon")


@pytest.mark.parametrize(
    ("web", "mobile", "expected"),
    [(True, False, "web"), (False, True, "mobile"), (True, True, "web_mobile"), (False, False, "not_installed")],
)
def test_login_source_follows_the_login_timestamps(web, mobile, expected):
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    contact = ContactFactory(web_last_login_at=when if web else None, mobile_last_login_at=when if mobile else None)
    contact.refresh_from_db()
    assert contact.login_source == expected
    assert (
        derive_login_source(
            web_last_login_at=contact.web_last_login_at, mobile_last_login_at=contact.mobile_last_login_at
        )
        == expected
    )


def test_search_name_folds_accents_and_order():
    contact = ContactFactory(first_name="José", last_name="Núñez García")
    assert contact.search_name == "garcia jose nunez"
    assert contact.sort_name == "nunez garcia jose"
