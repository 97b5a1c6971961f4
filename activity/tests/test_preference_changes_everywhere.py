"""A change to how a contact may be reached is a "Compliance: Update" whichever way it happens:
staff edit, portal, import, merge or a DNC check."""

import datetime

import pytest

from activity.models import ActivityEvent
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, admin_user

pytestmark = pytest.mark.django_db


def _compliance_updates(contact):
    return list(
        ActivityEvent.objects.filter(contact_id=contact.pk, event_type="update", is_compliance=True).order_by("id")
    )


def test_a_staff_edit_of_do_not_call():
    services = pytest.importorskip("contacts.services", reason="the contacts services do not exist yet")
    contact = ContactFactory()
    services.contact_update(contact=contact, data={"do_not_call": True}, phones=[], emails=[], user=admin_user())
    (event,) = _compliance_updates(contact)
    assert event.data["via"] == "staff"
    assert event.data["after"] == {"do_not_call": True}


def test_a_dnc_check_that_finds_the_number():
    import io

    from contacts.dnc import check_contact, import_national_registry

    import_national_registry(file=io.BytesIO(b"3125550100\n"), file_date=datetime.date(2026, 11, 1))
    contact = ContactFactory()
    ContactPhoneFactory(contact=contact, number="+13125550100")
    check_contact(contact=contact)
    (event,) = _compliance_updates(contact)
    assert event.data["via"] == "dnc"


def test_a_merge_that_takes_the_stricter_do_not_call():
    merge = pytest.importorskip("contacts.merge", reason="the merge service does not exist yet")
    survivor, merged = ContactFactory(do_not_call=False), ContactFactory(do_not_call=True)
    merge.contact_merge(survivor=survivor, merged=merged, user=admin_user())
    survivor.refresh_from_db()
    assert survivor.do_not_call
    (event,) = _compliance_updates(survivor)
    assert event.data["via"] == "merge"


def test_an_import_that_sets_do_not_call():
    service = pytest.importorskip("contacts.importing.service", reason="the import service does not exist yet")
    from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

    contact = ContactFactory(first_name="Ann", last_name="Lee")
    ContactPhoneFactory(contact=contact, number="+13125550101")
    rows = [["First Name", "Last Name", "Mobile Phone", "Do Not Call"], ["Ann", "Lee", "(312) 555-0101", "yes"]]
    batch = batch_from_bytes(csv_bytes(rows), user=admin_user(), duplicate_rule="update")
    service.run_import(batch)
    contact.refresh_from_db()
    assert contact.do_not_call
    (event,) = _compliance_updates(contact)
    assert event.data["via"] == "import"
    assert event.data["after"] == {"do_not_call": True}
    assert event.actor == f"Import #{batch.pk}"
    from activity.services import verify_chain

    assert verify_chain() is None


def test_undoing_the_merge_restores_and_records_the_survivors_preferences():
    merge = pytest.importorskip("contacts.merge", reason="the merge service does not exist yet")
    admin = admin_user()
    survivor, merged = ContactFactory(do_not_text=False), ContactFactory(do_not_text=True)
    record = merge.contact_merge(survivor=survivor, merged=merged, user=admin)
    merge.merge_undo(record=record, user=admin)
    survivor.refresh_from_db()
    assert not survivor.do_not_text
    taken, restored = _compliance_updates(survivor)
    assert (taken.data["after"], restored.data["after"]) == ({"do_not_text": True}, {"do_not_text": False})
    assert "undid the merge" in restored.data["reason"]
