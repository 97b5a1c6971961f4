import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from activity.models import ActivityEvent, DncNumber, DncRegistryVersion
from contacts.dnc import (
    DncImportError,
    add_to_internal_list,
    check_contact,
    check_number,
    import_national_registry,
    may_contact_now,
)
from contacts.tests.factories import ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTRY = b"AreaCode,PhoneNumber\n212,5550143\n312,5550188\n(646) 555-0199\nnot a number\n\n"


def _import(content=REGISTRY, day=datetime.date(2026, 11, 1)):
    return import_national_registry(file=io.BytesIO(content), file_date=day, file_name="dnc.csv")


def test_a_registry_file_is_imported_with_its_date_as_version():
    version = _import()
    assert version.is_current
    assert version.version_label == "national registry of 2026-11-01"
    assert version.number_count == 3
    assert version.rejected_count == 1  # the header line is not counted, "not a number" is
    assert set(version.numbers.values_list("number", flat=True)) == {"+12125550143", "+13125550188", "+16465550199"}
    event = ActivityEvent.objects.get()
    assert event.label == "Compliance: DNC Check"
    assert "3 numbers" in event.description


def test_a_newer_file_replaces_the_current_version():
    old = _import()
    new = _import(b"2125550143\n", datetime.date(2026, 11, 20))
    old.refresh_from_db()
    assert not old.is_current and new.is_current
    assert DncNumber.objects.filter(registry=old).count() == 0
    assert check_number(number="+13125550188").listed is False


def test_a_file_without_numbers_changes_nothing():
    _import()
    with pytest.raises(DncImportError, match="No phone numbers"):
        _import(b"hello\nworld\n", datetime.date(2026, 11, 20))
    current = DncRegistryVersion.objects.get(is_current=True, kind="national")
    assert current.file_date == datetime.date(2026, 11, 1)
    assert DncNumber.objects.count() == 3


def test_the_import_command_prints_counts_and_refuses_a_bad_date(tmp_path, capsys):
    path = tmp_path / "registry.txt"
    path.write_bytes(REGISTRY)
    call_command("import_dnc_registry", str(path), "--date", "2026-11-01")
    assert "3 numbers, 1 lines not understood" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a date"):
        call_command("import_dnc_registry", str(path), "--date", "yesterday")


def test_a_listed_number_sets_do_not_call_with_the_reason():
    _import()
    user = UserFactory()
    contact = ContactFactory()
    ContactPhoneFactory(contact=contact, number="+12125550143")
    (result,) = check_contact(contact=contact, actor=user)
    assert result.listed
    check = result.event
    assert check.label == "Compliance: DNC Check"
    assert check.data["number"] == "+12125550143"
    assert check.data["result"] == "listed"
    assert [item["list"] for item in check.data["checked"]] == ["national registry of 2026-11-01"]
    assert "listed on national registry of 2026-11-01" in check.description
    contact.refresh_from_db()
    assert contact.do_not_call
    update = ActivityEvent.objects.filter(contact_id=contact.pk, is_compliance=True, event_type="update").get()
    assert update.data["via"] == "dnc"
    assert "national registry of 2026-11-01" in update.data["reason"]


def test_a_number_on_no_list_is_recorded_as_not_listed():
    _import()
    contact = ContactFactory()
    result = check_number(number="+1 (312) 555-0100", contact=contact)
    assert not result.listed
    assert result.event.data["result"] == "not listed"
    contact.refresh_from_db()
    assert not contact.do_not_call


def test_the_internal_list_is_checked_too():
    add_to_internal_list(number="312-555-0100", reason="Asked us to stop calling on 2026-11-02")
    result = check_number(number="+13125550100")
    assert result.listed
    assert result.matches[0]["list"] == "internal list"
    assert result.matches[0]["reason"] == "Asked us to stop calling on 2026-11-02"


def _noon_in_chicago():
    return datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)  # 12:00 in Chicago


def test_a_call_inside_the_window_to_a_clean_number_is_allowed_and_the_check_recorded():
    contact = ContactFactory(timezone="America/Chicago")
    ContactPhoneFactory(contact=contact, number="+13125550100")
    decision = may_contact_now(contact=contact, channel="call", now=_noon_in_chicago())
    assert decision.allowed, decision.reason
    assert decision.dnc.event.contact_id == contact.pk


def test_a_call_to_a_listed_number_is_refused():
    _import()
    contact = ContactFactory(timezone="America/New_York")
    ContactPhoneFactory(contact=contact, number="+12125550143")
    decision = may_contact_now(contact=contact, channel="sms", now=_noon_in_chicago())
    assert not decision.allowed
    assert "national registry" in decision.reason


@pytest.mark.parametrize(
    ("flags", "channel", "words"),
    [
        ({"do_not_call": True}, "call", "Do-Not-Call"),
        ({"do_not_text": True}, "sms", "not to be texted"),
        ({"do_not_email": True}, "email", "not to be emailed"),
    ],
)
def test_the_contacts_own_wishes_are_honoured(flags, channel, words):
    contact = ContactFactory(**flags)
    ContactPhoneFactory(contact=contact)
    decision = may_contact_now(contact=contact, channel=channel, now=_noon_in_chicago())
    assert not decision.allowed
    assert words in decision.reason


def test_email_is_not_bound_by_calling_hours():
    contact = ContactFactory(timezone="America/Chicago")
    midnight = datetime.datetime(2026, 11, 25, 6, 0, tzinfo=datetime.UTC)
    assert may_contact_now(contact=contact, channel="email", now=midnight).allowed
    ContactPhoneFactory(contact=contact)
    assert not may_contact_now(contact=contact, channel="call", now=midnight).allowed


def test_a_contact_without_a_phone_cannot_be_called():
    decision = may_contact_now(contact=ContactFactory(), channel="call")
    assert not decision.allowed
    assert "no phone number" in decision.reason
