"""Merging two contacts: nothing lost, compliance kept, tombstone, undo, permissions."""

import datetime
import random

import pytest
from django.apps import apps
from django.utils import timezone

from activity.models import ActivityEvent
from cases.models import Appointment, CaseContact, Message, Task
from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.merge import (
    RELATION_POLICY,
    MergeError,
    contact_merge,
    contact_relations,
    fill_contact_from_values,
    merge_preview,
    merge_undo,
    relation_key,
    row_state,
)
from contacts.models import Contact, ContactEmail, ContactPhone, Note
from contacts.tests.factories import (
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    UserFactory,
    admin_user,
)
from portal.models import PortalLink

pytestmark = pytest.mark.django_db


def _portal_link(contact, **kwargs):
    return PortalLink.objects.create(
        token_hash=f"{random.getrandbits(128):032x}",
        contact=contact,
        channel="sms",
        expires_at=timezone.now() + datetime.timedelta(days=7),
        **kwargs,
    )


def _message(contact, case=None):
    return Message.objects.create(contact=contact, case=case, direction="inbound", body="Hi", sent_at=timezone.now())


def database_state() -> dict:
    """Every row of every model except the append-only log and the merge records."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in ("activity.ActivityEvent", "contacts.MergeRecord", "contacts.DuplicateCandidate"):
            continue
        if model._meta.app_label not in ("contacts", "cases", "documents", "portal"):
            continue
        state[model._meta.label] = sorted(
            (tuple(sorted(row_state(obj).items())) for obj in model._default_manager.all()), key=repr
        )
    return state


def test_every_relation_to_contact_has_a_merge_policy():
    """Fails when a model gains a foreign key to Contact without a decision in RELATION_POLICY."""
    keys = {relation_key(model, field) for model, field in contact_relations()}
    assert keys - set(RELATION_POLICY) == set(), "add these relations to contacts.merge.RELATION_POLICY"
    assert "cases.CaseContact.contact" in keys and "contacts.Note.contact" in keys


def test_merge_moves_every_related_row_to_the_survivor():
    user = admin_user()
    survivor = ContactFactory(first_name="Robert", last_name="Smith")
    merged = ContactFactory(first_name="Bob", last_name="Smith")
    case = CaseFactory()
    CaseContactFactory(case=case, contact=merged)
    note = Note.objects.create(contact=merged, body_html="<p>call back</p>")
    message = _message(merged, case)
    task = Task.objects.create(case=case, contact=merged, title="Sign")
    appointment = Appointment.objects.create(
        case=case, contact=merged, title="Intake", starts_at=timezone.now(), ends_at=timezone.now()
    )

    record = contact_merge(survivor=survivor, merged=merged, choices={}, user=user)

    for obj in (note, message, task, appointment):
        obj.refresh_from_db()
        assert obj.contact_id == survivor.pk
    assert CaseContact.objects.get(case=case).contact_id == survivor.pk
    merged.refresh_from_db()
    assert merged.merged_into_id == survivor.pk
    assert not Contact.objects.live().filter(pk=merged.pk).exists()
    assert record.snapshot["merged"]["id"] == merged.pk
    assert {"Note", "Message"} <= {row["model"].split(".")[1] for row in record.snapshot["rows"]}


def test_merge_keeps_one_case_link_with_the_stronger_role():
    survivor, merged = ContactFactory(), ContactFactory()
    case = CaseFactory()
    CaseContactFactory(case=case, contact=survivor, role="witness")
    CaseContactFactory(case=case, contact=merged, role="client")

    contact_merge(survivor=survivor, merged=merged, user=admin_user())

    links = CaseContact.objects.filter(case=case)
    assert [(link.contact_id, link.role) for link in links] == [(survivor.pk, "client")]


def test_merge_unions_phones_and_emails_with_one_primary():
    survivor, merged = ContactFactory(), ContactFactory()
    ContactPhoneFactory(contact=survivor, number="+13125550101", is_primary=True)
    ContactPhoneFactory(contact=merged, number="+13125550101", is_primary=True)
    ContactPhoneFactory(contact=merged, number="+13125550199", is_primary=False)
    ContactEmailFactory(contact=merged, email="bob@example.com", is_primary=True)

    contact_merge(survivor=survivor, merged=merged, choices={"primary_phone": "+13125550199"}, user=admin_user())

    phones = list(survivor.phones.order_by("number").values_list("number", "is_primary"))
    assert phones == [("+13125550101", False), ("+13125550199", True)]
    assert list(survivor.emails.values_list("email", "is_primary")) == [("bob@example.com", True)]
    assert not ContactPhone.objects.filter(contact=merged).exists()


def test_merge_takes_chosen_values_and_the_strictest_preferences():
    survivor = ContactFactory(first_name="Bob", date_of_birth=None, do_not_text=False)
    merged = ContactFactory(
        first_name="Robert", date_of_birth=datetime.date(1970, 5, 1), do_not_text=True, do_not_call=True
    )
    contact_merge(survivor=survivor, merged=merged, choices={"first_name": "merged"}, user=admin_user())
    survivor.refresh_from_db()
    assert survivor.first_name == "Robert"
    assert survivor.date_of_birth == datetime.date(1970, 5, 1)  # empty on the survivor: filled by default
    assert survivor.do_not_text and survivor.do_not_call


def test_merge_revokes_the_merged_contacts_portal_links():
    survivor, merged = ContactFactory(), ContactFactory()
    link = _portal_link(merged)
    contact_merge(survivor=survivor, merged=merged, user=admin_user())
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.contact_id == survivor.pk


def test_merge_records_one_event_on_each_side():
    user = admin_user()
    survivor, merged = ContactFactory(), ContactFactory()
    Note.objects.create(contact=merged, body_html="x")
    contact_merge(survivor=survivor, merged=merged, user=user)
    survivor_events = ActivityEvent.objects.filter(contact_id=survivor.pk, event_type="merge")
    merged_events = ActivityEvent.objects.filter(contact_id=merged.pk, event_type="merge")
    assert survivor_events.count() == 1 and merged_events.count() == 1
    assert "1 note" in survivor_events.get().description
    assert survivor_events.get().actor_user == user


def test_merge_into_itself_or_a_tombstone_is_refused():
    user = admin_user()
    a, b, c = ContactFactory(), ContactFactory(), ContactFactory()
    with pytest.raises(MergeError, match="itself"):
        contact_merge(survivor=a, merged=a, user=user)
    contact_merge(survivor=a, merged=b, user=user)
    with pytest.raises(MergeError, match="already been merged"):
        contact_merge(survivor=c, merged=b, user=user)
    with pytest.raises(MergeError, match="cannot take a merge"):
        contact_merge(survivor=b, merged=c, user=user)


def test_staff_without_the_merge_permission_cannot_merge():
    staff = UserFactory()
    a, b = ContactFactory(), ContactFactory()
    with pytest.raises(MergeError, match="permission"):
        contact_merge(survivor=a, merged=b, user=staff)
    assert Contact.objects.get(pk=b.pk).merged_into_id is None


def test_preview_counts_what_moves():
    merged = ContactFactory()
    case = CaseFactory()
    CaseContactFactory(case=case, contact=merged)
    for _ in range(3):
        _message(merged, case)
    preview = {item.label: item.count for item in merge_preview(merged=merged)}
    assert preview["case"] == 1
    assert preview["messages"] == 3


def test_undo_returns_the_database_to_its_former_state():
    user = admin_user()
    survivor = ContactFactory(first_name="Liz", last_name="Taylor")
    merged = ContactFactory(first_name="Elizabeth", last_name="Taylor", do_not_email=True)
    ContactPhoneFactory(contact=survivor, number="+13125550101", is_primary=True)
    ContactPhoneFactory(contact=merged, number="+13125550101", is_primary=True)
    ContactEmailFactory(contact=merged, email="liz@example.com")
    case = CaseFactory()
    CaseContactFactory(case=case, contact=survivor, role="witness")
    CaseContactFactory(case=case, contact=merged, role="client")
    _portal_link(merged)
    Note.objects.create(contact=merged, body_html="<p>n</p>")
    before = database_state()

    record = contact_merge(survivor=survivor, merged=merged, choices={"first_name": "merged"}, user=user)
    assert database_state() != before
    merge_undo(record=record, user=user)

    assert database_state() == before
    record.refresh_from_db()
    assert record.undone_at is not None
    with pytest.raises(MergeError, match="already been undone"):
        merge_undo(record=record, user=user)


def test_fill_from_import_row_never_blanks_and_adds_channels():
    contact = ContactFactory(first_name="Ann", last_name="Lee", city="")
    ContactPhoneFactory(contact=contact, number="+13125550101")
    changed = fill_contact_from_values(
        contact=contact,
        values={
            "first_name": "",
            "last_name": "Leigh",
            "city": "Chicago",
            "phones": ["(312) 555-0101", "312 555 0177"],
        },
    )
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.city) == ("Ann", "Lee", "Chicago")
    assert sorted(contact.phones.values_list("number", flat=True)) == ["+13125550101", "+13125550177"]
    assert "city" in changed


def _random_related_rows(rnd, contact, cases):
    for _ in range(rnd.randint(0, 3)):
        Note.objects.create(contact=contact, body_html="<p>x</p>")
    for _ in range(rnd.randint(0, 3)):
        _message(contact, rnd.choice(cases))
    for case in rnd.sample(cases, rnd.randint(0, len(cases))):
        CaseContact.objects.create(case=case, contact=contact, role=rnd.choice(["client", "witness", "family"]))
        if rnd.random() < 0.5:
            Task.objects.create(case=case, contact=contact, title="Form")
    for number in rnd.sample(["+13125550101", "+13125550102", "+13125550103"], rnd.randint(0, 2)):
        ContactPhone.objects.create(contact=contact, number=number, is_primary=not contact.phones.exists())
    for email in rnd.sample(["a@example.com", "b@example.com"], rnd.randint(0, 2)):
        ContactEmail.objects.create(contact=contact, email=email, is_primary=not contact.emails.exists())
    if rnd.random() < 0.5:
        _portal_link(contact)


@pytest.mark.parametrize("seed", range(6))
def test_property_random_merges_lose_nothing_and_undo_restores(seed):
    rnd = random.Random(seed)
    user = admin_user()
    cases = [CaseFactory() for _ in range(3)]
    survivor, merged, bystander = ContactFactory(), ContactFactory(), ContactFactory()
    for contact in (survivor, merged, bystander):
        _random_related_rows(rnd, contact, cases)
    before = database_state()
    related_before = {
        relation_key(model, field): set(
            model._default_manager.filter(**{f"{field.attname}__in": [survivor.pk, merged.pk]}).values_list(
                "pk", flat=True
            )
        )
        for model, field in contact_relations()
    }

    record = contact_merge(survivor=survivor, merged=merged, user=user)

    for model, field in contact_relations():
        key = relation_key(model, field)
        if RELATION_POLICY[key] in ("keep", "derived"):
            continue
        assert not model._default_manager.filter(**{field.attname: merged.pk}).exists(), key
        still_there = set(model._default_manager.filter(pk__in=related_before[key]).values_list("pk", flat=True))
        gone = related_before[key] - still_there
        deleted = {
            row["pk"]
            for row in record.snapshot["rows"]
            if row["model"] == model._meta.label and row["action"] == "deleted"
        }
        assert gone == deleted, key  # only rows folded into an equal survivor row disappear
    assert set(ContactPhone.objects.filter(contact=survivor).values_list("number", flat=True)) == {
        number
        for label, rows in before.items()
        if label == "contacts.ContactPhone"
        for row in rows
        for k, number in row
        if k == "number" and dict(row)["contact_id"] in (survivor.pk, merged.pk)
    }
    assert ContactPhone.objects.filter(contact=survivor, is_primary=True).count() <= 1

    merge_undo(record=record, user=user)
    assert database_state() == before
