"""Every service that changes a contact or what hangs on it leaves a trace in the activity log.

The walk discovers the public functions of each app's `services` module. Each one is either
run by a scenario below (which must add an activity event whenever the call wrote anything
outside the log; audits such as data access write only the event), or listed as not writing
contact data, with the reason. A new service function with neither fails
`test_every_service_function_is_walked`, so it cannot be forgotten.

To extend: add a function decorated with `@scenario("<app>.services.<function>")` that
arranges what the service needs and calls it. Modules or functions not written yet are
skipped with the reason, never failed.
"""

import datetime
import importlib
import inspect
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.apps import apps
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from activity.models import ActivityEvent

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["activity", "firm", "contacts", "cases", "documents", "portal"]

# Functions that write nothing about a contact, with the reason. Reads, pure helpers,
# and bookkeeping that is not the contact's data.
NOT_CONTACT_WRITES = {
    "activity.services.event_digest": "pure: computes a hash",
    "activity.services.verify_chain": "reads the log",
    "activity.services.request_source": "pure: reads a request",
    "activity.services.record_event": "it is the log",
    "activity.services.record_contact_change": "it is the log",
    "activity.services.record_data_access": "it is the log",
    "activity.services.preference_change_event": "pure: builds a Compliance: Update for bulk writers",
    "contacts.services.list_preference_save": "a staff user's own list settings, not a contact's data",
    "contacts.services.duplicate_dismiss": (
        'the duplicate queue\'s bookkeeping: a "not a duplicate" row (who and when) and a derived pair dropped'
    ),
    "documents.services.bundle_for_link": "reads a bundle by its token",
    "documents.services.check_upload": "pure: inspects an uploaded file's bytes",
    "documents.services.documents_fingerprint": "reads",
    "documents.services.hash_token": "pure",
    "documents.services.delete_expired_bundles": "housekeeping: expires download zips (the bundle rows stay)",
    "documents.services.give_up_stalled_bundles": "housekeeping: marks failed a Download All whose worker was lost",
    "documents.services.build_bundle": "the background half of request_bundle, which records the event",
    "portal.services.contact_reachability": "decides; the DNC check it may run records its own event",
    "portal.services.default_message_template": "pure",
    "portal.services.find_link": "reads a link by its token",
    "portal.services.find_session": "reads a session (and touches its last-seen time)",
    "portal.services.end_session": "portal session bookkeeping (sign-out)",
    "portal.services.hash_token": "pure",
    "portal.services.new_token": "pure",
    "portal.services.portal_actor": "pure",
    "portal.services.portal_link_url": "pure",
    "portal.services.render_message": "pure",
    "portal.services.score_sentiment": "pure",
    "portal.services.sentiment_label": "pure",
    "portal.services.visit_channel": "pure: reads a request",
    "portal.services.check_second_factor": "compares an answer; rate limiting lives in the view",
    "portal.services.record_login": "a step of start_session / record_pwa_launch, which are walked",
    "portal.services.deliver_link": "background delivery of share_link (walked); records sent/failed itself",
    "portal.services.record_delivery_gave_up": "background delivery bookkeeping of share_link",
    "portal.services.message_recipients": "reads who should hear of a portal message",
    "portal.services.notify_staff_of_message": "emails staff about a message post_message (walked) recorded",
}

# Writes found without an event: a strict xfail, so fixing the service flips it to a failure
# that asks for the entry to be removed.
KNOWN_GAPS = {}

SCENARIOS = {}


def scenario(name):
    def register(function):
        SCENARIOS[name] = function
        return function

    return register


def discovered_services() -> list[str]:
    names = []
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.services":
                raise
            continue
        names.extend(
            f"{module.__name__}.{name}"
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if function.__module__ == module.__name__ and not name.startswith("_")
        )
    return names


def service(dotted: str):
    """The service function, or a skip saying which module or function is not there yet."""
    module_name, _, function_name = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        pytest.skip(f"{module_name} does not exist yet")
    if not hasattr(module, function_name):
        pytest.skip(f"{dotted} does not exist yet")
    return getattr(module, function_name)


@dataclass
class World:
    """What scenarios need, made on first use."""

    @cached_property
    def user(self):
        from contacts.tests.factories import UserFactory

        return UserFactory(username="walker", first_name="Wal", last_name="Ker")

    @cached_property
    def admin(self):
        from contacts.tests.factories import admin_user

        return admin_user(username="admin-walker")

    @cached_property
    def contact(self):
        from contacts.tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory

        contact = ContactFactory(timezone="America/Chicago")
        ContactPhoneFactory(contact=contact, number="+13125550100", line_type="mobile")
        ContactEmailFactory(contact=contact)
        return contact

    @cached_property
    def case(self):
        from cases.tests.factories import CaseContactFactory, CaseFactory

        case = CaseFactory()
        CaseContactFactory(case=case, contact=self.contact)
        return case

    @cached_property
    def task(self):
        from cases.tests.factories import TaskFactory

        fields = {"case": self.case}
        if "contact" in {field.name for field in apps.get_model("cases", "Task")._meta.fields}:
            fields["contact"] = self.contact
        return TaskFactory(**fields)

    @cached_property
    def note(self):
        from documents.services import create_note

        return create_note(contact=self.contact, user=self.user, body_html="<p>First call</p>")

    @cached_property
    def document(self):
        from documents.tests.factories import make_document

        return make_document(self.contact, user=self.user)

    @cached_property
    def link(self):
        from portal.tests.factories import issued_link

        return issued_link(self.contact, case=self.case, sent_to="+13125550100")[0]

    @cached_property
    def portal_session(self):
        from portal.models import PortalSession
        from portal.services import start_session

        start_session(link=self.link, request=self.request)
        return PortalSession.objects.filter(link=self.link).latest("pk")

    @cached_property
    def request(self):
        request = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile")
        request.user = self.user
        return request


# --- contacts -----------------------------------------------------------------------------


@scenario("contacts.services.contact_create")
def _contact_create(world, run):
    run(
        data={"first_name": "Ana", "last_name": "Ruiz"},
        phones=[{"number": "+13125550111", "kind": "mobile", "is_primary": True}],
        emails=[],
        user=world.user,
    )


@scenario("contacts.services.contact_update")
def _contact_update(world, run):
    run(contact=world.contact, data={"city": "Chicago", "do_not_text": True}, phones=[], emails=[], user=world.user)


@scenario("contacts.services.contact_enrich")
def _contact_enrich(world, run):
    from contacts.tests.factories import ContactFactory, ContactPhoneFactory

    contact = ContactFactory(timezone="", state="")
    ContactPhoneFactory(contact=contact, number="+13125550122")
    run(contact=contact, user=world.user)


@scenario("contacts.services.contact_archive")
def _contact_archive(world, run):
    run(contact=world.contact, user=world.user)


@scenario("contacts.services.contact_link_case")
def _contact_link_case(world, run):
    from cases.tests.factories import CaseFactory

    run(contact=world.contact, case=CaseFactory(), role="witness", user=world.user)


@scenario("contacts.services.task_fill")
def _task_fill(world, run):
    run(task=world.task, contact=world.contact, response={"done": True}, user=world.user)


# Services that live beside `<app>.services` (merge, import, export): walked by name, skipped
# while absent.


@scenario("contacts.merge.contact_merge")
def _contact_merge(world, run):
    from contacts.tests.factories import ContactFactory

    run(survivor=world.contact, merged=ContactFactory(), user=world.admin)


@scenario("contacts.merge.merge_undo")
def _merge_undo(world, run):
    from contacts.merge import contact_merge
    from contacts.tests.factories import ContactFactory

    record = contact_merge(survivor=world.contact, merged=ContactFactory(), user=world.admin)
    run(record=record, user=world.admin)


@scenario("contacts.importing.service.run_import")
def _run_import(world, run):
    from contacts.tests.import_helpers import batch_from_bytes, csv_bytes

    rows = [["first_name", "last_name", "phone"], ["Ana", "Ruiz", "+13125550177"], ["Bo", "Li", "+13125550178"]]
    batch = batch_from_bytes(csv_bytes(rows), user=world.user)
    run(batch=batch)


@scenario("contacts.exporting.record_export")
def _record_export(world, run):
    run(user=world.user, filters={"q": "Ruiz"}, fields=["first_name", "last_name"], row_count=2, file_format="csv")


# --- documents and notes --------------------------------------------------------------------


@scenario("documents.services.upload_documents")
def _upload_documents(world, run):
    from documents.tests.factories import PDF_BYTES, upload

    run(contact=world.contact, files=[upload("retainer.pdf", PDF_BYTES)], user=world.user)


@scenario("documents.services.delete_document")
def _delete_document(world, run):
    run(document=world.document, user=world.user)


@scenario("documents.services.record_document_access")
def _record_document_access(world, run):
    run(document=world.document, user=world.user, request=world.request)


@scenario("documents.services.record_profile_pdf_access")
def _record_profile_pdf_access(world, run):
    run(contact=world.contact, user=world.user, request=world.request)


@scenario("documents.services.create_note")
def _create_note(world, run):
    run(contact=world.contact, user=world.user, body_html="<p>Called about the intake form</p>")


@scenario("documents.services.update_note")
def _update_note(world, run):
    run(note=world.note, user=world.user, body_html="<p>Called twice</p>")


@scenario("documents.services.delete_note")
def _delete_note(world, run):
    run(note=world.note, user=world.user)


@scenario("documents.services.set_note_pinned")
def _set_note_pinned(world, run):
    run(note=world.note, user=world.user, pinned=True)


@scenario("documents.services.request_bundle")
def _request_bundle(world, run):
    world.document  # noqa: B018 - something to bundle
    run(contact=world.contact, user=world.user, base_url="http://testserver")


@scenario("documents.services.record_bundle_access")
def _record_bundle_access(world, run):
    from documents.models import DownloadBundle

    bundle = DownloadBundle.objects.create(
        contact=world.contact,
        requested_by=world.user,
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    run(bundle=bundle, user=world.user, request=world.request)


# --- portal -------------------------------------------------------------------------------


@scenario("portal.services.share_link")
def _share_link(world, run):
    phone = world.contact.phones.get()
    now = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)  # noon in Chicago
    run(contact=world.contact, user=world.user, channel="sms", phone=phone, case=world.case, now=now)


@scenario("portal.services.revoke_link")
def _revoke_link(world, run):
    run(link=world.link, user=world.user)


@scenario("portal.services.resend_link")
def _resend_link(world, run):
    run(link=world.link, user=world.user)


@scenario("portal.services.start_session")
def _start_session(world, run):
    run(link=world.link, request=world.request)


@scenario("portal.services.record_pwa_launch")
def _record_pwa_launch(world, run):
    run(session=world.portal_session, request=world.request)


@scenario("portal.services.save_task_response")
def _save_task_response(world, run):
    run(session=world.portal_session, task=world.task, response={"full_name": "Ana Ruiz"}, submit=True)


@scenario("portal.services.upload_documents")
def _portal_upload_documents(world, run):
    from documents.tests.factories import PNG_BYTES, upload

    run(session=world.portal_session, files=[upload("id.png", PNG_BYTES)], case=world.case)


@scenario("portal.services.post_message")
def _post_message(world, run):
    run(session=world.portal_session, body="When is my appointment?", case=world.case)


@scenario("portal.services.reply_to_contact")
def _reply_to_contact(world, run):
    run(contact=world.contact, case=world.case, body="Tuesday at 10.", user=world.user)


@scenario("firm.services.change_firm_settings")
def _change_firm_settings(world, run):
    import datetime

    run(changes={"PORTAL_LINK_TTL": datetime.timedelta(days=3)}, user=world.admin)


@scenario("firm.services.change_user_role")
def _change_user_role(world, run):
    from contacts.roles import ADMIN, ROLES

    run(account=world.user, role=ADMIN, user=world.admin, roles=ROLES)


@scenario("firm.services.set_user_active")
def _set_user_active(world, run):
    run(account=world.user, active=False, user=world.admin)


# --- the walk -------------------------------------------------------------------------------

_WRITE = ("INSERT", "UPDATE", "DELETE")
_LOG_TABLES = ("activity_", "django_session")


def _contact_writes(queries) -> list[str]:
    """Statements that wrote outside the activity log."""
    writes = []
    for query in queries:
        sql = query["sql"].lstrip()
        verb = sql.split(" ", 1)[0].upper()
        if verb not in _WRITE:
            continue
        table = sql.replace('"', " ").replace("`", " ").split()[2 if verb != "UPDATE" else 1]
        if not table.startswith(_LOG_TABLES):
            writes.append(f"{verb} {table}")
    return writes


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_GAPS[name], strict=True))
        if name in KNOWN_GAPS
        else name
        for name in sorted(SCENARIOS)
    ],
)
def test_the_service_records_an_event_when_it_changes_data(name, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    function = service(name)
    world = World()
    calls = {}

    def run(**kwargs):
        before = ActivityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with CaptureQueriesContext(connection) as captured:
            calls["result"] = function(**kwargs)
        calls["writes"] = _contact_writes(captured.captured_queries)
        calls["events"] = list(ActivityEvent.objects.filter(id__gt=before))

    SCENARIOS[name](world, run)
    assert "writes" in calls, f"the scenario of {name} never called it"
    assert calls["writes"] or calls["events"], f"{name} did nothing in its scenario: make the scenario change something"
    assert calls["events"], f"{name} changed data ({', '.join(calls['writes'])}) without an activity event"
    assert all(event.description for event in calls["events"])


def test_every_service_function_is_walked():
    unwalked = [
        name
        for name in discovered_services()
        if name not in SCENARIOS and name not in NOT_CONTACT_WRITES and name not in KNOWN_GAPS
    ]
    assert not unwalked, (
        "These service functions are not walked by activity/tests/test_every_service_logs.py: "
        + ", ".join(unwalked)
        + ". Add a @scenario for each (or list it in NOT_CONTACT_WRITES with the reason)."
    )
