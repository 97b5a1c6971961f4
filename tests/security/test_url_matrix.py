"""Who may open what: every URL of the project, asked by an anonymous visitor, a Staff member,
an Admin and a contact signed in to the portal, against one table of expected answers.

The table (MATRIX) is the reference. A URL added to the project fails
`test_every_url_is_in_the_matrix` until someone writes down, on purpose, who may open it.

How the rows read:
- key: "[POST ]<url name>[ @<variant>]"; GET unless it says POST. A variant asks the same URL
  with other objects, mostly someone else's (another contact's document, task, note): 404.
- first item: the URL's kwargs, naming the objects the `world` fixture made (one contact,
  case, task, document, note, import batch, merge record, bundle, export, portal link…);
  "?" holds a query string (GET) or a form body (POST), formatted with the same names.
- then the answer for each role: a status code, or "→<url name>" for a redirect there
  (LOGIN: the staff sign-in page, with ?next=; ENDED: the portal's "your visit ended" page).

Every POST carries a valid CSRF token (the clients enforce CSRF like a browser) except the
"@no CSRF token" rows. The Django admin's own URLs (one per model and action) are
represented by its index, a changelist, a change form and its sign-in page.

The roles: "Staff" and "Admin" are the firm's two groups (contacts.roles). The Admin is also
`is_staff` (the admin site needs it), has set up two-factor sign-in and verified it this
session, with REQUIRE_2FA_FOR_ADMINS on as in production. The portal contact has only the
portal's cookie, no staff account.
"""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Appointment
from cases.tests.factories import TaskFactory
from contacts.exporting import export_folder
from contacts.merge import contact_merge
from contacts.models import ImportBatch, ImportStatus, Note
from contacts.roles import ADMIN
from contacts.tests.factories import ContactFactory, UserFactory
from documents.services import build_bundle, request_bundle, upload_documents
from documents.tests.factories import PDF_BYTES, make_document, upload
from portal.tests.factories import FORM_FIELDS, contact_on_case, issued_link

ROLES = ("anonymous", "staff", "admin", "portal")
LOGIN = "→login"
ENDED = "→portal:ended"
ADMIN_LOGIN = "→admin:login"
ALL_404 = (404, 404, 404, 404)
API_401 = (401, 401, 401, 401)
REPORT = "date_from=2026-01-01&date_to=2026-12-31&format=csv"

# fmt: off
MATRIX = {
    # key: (kwargs, anonymous, staff, admin, portal)
    "/": ({}, LOGIN, "→contacts:list", "→contacts:list", LOGIN),
    "healthz": ({}, 200, 200, 200, 200),
    "login": ({}, 200, "→contacts:list", "→contacts:list", 200),
    "logout": ({}, LOGIN, 405, 405, LOGIN),
    # Contacts
    "contacts:list": ({}, LOGIN, 200, 200, LOGIN),
    "contacts:count": ({}, LOGIN, 200, 200, LOGIN),
    "contacts:columns": ({}, LOGIN, 405, 405, LOGIN),
    "contacts:create": ({}, LOGIN, 200, 200, LOGIN),
    "contacts:detail": ({"pk": "contact"}, LOGIN, 200, 200, LOGIN),
    "contacts:detail @no such contact": ({"pk": "missing"}, LOGIN, 404, 404, LOGIN),
    "contacts:edit": ({"pk": "contact"}, LOGIN, 200, 200, LOGIN),
    "contacts:enrich": ({"pk": "contact"}, LOGIN, 405, 405, LOGIN),
    "contacts:archive": ({"pk": "contact"}, LOGIN, 405, 405, LOGIN),
    "contacts:cases": ({"pk": "contact"}, LOGIN, 200, 200, LOGIN),
    "contacts:link_case": ({"pk": "contact"}, LOGIN, 405, 405, LOGIN),
    "contacts:tasks": ({"pk": "contact"}, LOGIN, 200, 200, LOGIN),
    "contacts:task_fill": ({"pk": "contact", "task_id": "task"}, LOGIN, 200, 200, LOGIN),
    "contacts:task_fill @another contact's task": ({"pk": "contact", "task_id": "other_task"}, LOGIN, 404, 404, LOGIN),
    "contacts:activity": ({"pk": "contact"}, LOGIN, 200, 200, LOGIN),
    # Duplicates and merging (merging is the Admin's)
    "contacts:duplicates": ({}, LOGIN, 200, 200, LOGIN),
    "contacts:duplicates_scan": ({}, LOGIN, 405, 405, LOGIN),
    "contacts:duplicates_scan_status": ({}, LOGIN, 200, 200, LOGIN),
    "contacts:duplicates_dismiss": ({}, LOGIN, 405, 405, LOGIN),
    "contacts:duplicates_bulk_merge": ({}, LOGIN, 403, 200, LOGIN),
    "contacts:duplicates_group": ({"?": "ids={twin_a},{twin_b}"}, LOGIN, 403, 200, LOGIN),
    "POST contacts:duplicates_group": (
        {"?": "ids={twin_a},{twin_b}&keep={twin_a}"}, LOGIN, 403, "→contacts:duplicates_group_done", LOGIN,
    ),
    "contacts:duplicates_group_done": ({"?": "merges={merge_record}"}, LOGIN, 403, 200, LOGIN),
    "contacts:merge": ({"pk": "twin_a"}, LOGIN, 403, 200, LOGIN),
    "POST contacts:merge": ({"pk": "twin_a", "?": "other={twin_b}"}, LOGIN, 403, "→contacts:merge_done", LOGIN),
    "POST contacts:merge @no CSRF token": ({"pk": "twin_a", "?": "other={twin_b}"}, 403, 403, 403, 403),
    "contacts:merge_done": ({"record_id": "merge_record"}, LOGIN, 200, 200, LOGIN),
    "contacts:merge_undo": ({"record_id": "merge_record"}, LOGIN, 405, 405, LOGIN),
    "POST contacts:merge_undo": ({"record_id": "merge_record"}, LOGIN, 403, "→contacts:detail", LOGIN),
    # Export (Admins only unless STAFF_MAY_EXPORT); a job's file only from its owner's folder
    "contacts:export": ({}, LOGIN, 403, 200, LOGIN),
    "POST contacts:export": ({"?": "fields=first_name&format=csv"}, LOGIN, 403, 200, LOGIN),
    "POST contacts:export @no CSRF token": ({"?": "fields=first_name&format=csv"}, 403, 403, 403, 403),
    "contacts:export_job": ({"job_id": "export_job"}, LOGIN, 403, 200, LOGIN),
    "contacts:export_download": ({"job_id": "export_job"}, LOGIN, 403, 200, LOGIN),
    "contacts:export_download @someone else's export": ({"job_id": "staff_export_job"}, LOGIN, 403, 404, LOGIN),
    # Activity log and Do-Not-Call lists
    "activity:compliance_report": ({"pk": "contact", "?": REPORT}, LOGIN, 200, 200, LOGIN),
    "activity:dnc_check": ({"pk": "contact"}, LOGIN, 405, 405, LOGIN),
    "activity:dnc_lists": ({}, LOGIN, "→settings:dnc", "→settings:dnc", LOGIN),
    # Cases
    "cases:list": ({}, LOGIN, 200, 200, LOGIN),
    "cases:detail": ({"pk": "case"}, LOGIN, 200, 200, LOGIN),
    "cases:contacts": ({"pk": "case"}, LOGIN, 200, 200, LOGIN),
    "cases:tasks": ({"pk": "case"}, LOGIN, 200, 200, LOGIN),
    "cases:forms": ({"pk": "case"}, LOGIN, 200, 200, LOGIN),
    "cases:messages": ({"pk": "case"}, LOGIN, 200, 200, LOGIN),
    "cases:activity": ({"pk": "case"}, LOGIN, 200, 200, LOGIN),
    # Documents: private files only through these views; a document of another contact is a 404
    "documents:contact_documents": ({"contact_id": "contact"}, LOGIN, 200, 200, LOGIN),
    "documents:download": ({"contact_id": "contact", "document_id": "document"}, LOGIN, 200, 200, LOGIN),
    "documents:download @another contact's document": (
        {"contact_id": "contact", "document_id": "other_document"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:preview": ({"contact_id": "contact", "document_id": "document"}, LOGIN, 200, 200, LOGIN),
    "documents:preview @another contact's document": (
        {"contact_id": "contact", "document_id": "other_document"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:delete": ({"contact_id": "contact", "document_id": "document"}, LOGIN, 405, 405, LOGIN),
    "POST documents:delete @another contact's document": (
        {"contact_id": "contact", "document_id": "other_document"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:download_all": ({"contact_id": "contact"}, LOGIN, 405, 405, LOGIN),
    # The bundle was asked for by the Staff member: it is theirs alone, even to an Admin
    "documents:bundle": ({"contact_id": "contact", "bundle_id": "bundle"}, LOGIN, 200, 404, LOGIN),
    "documents:bundle_download": ({"contact_id": "contact", "bundle_id": "bundle"}, LOGIN, 200, 404, LOGIN),
    "documents:bundle_download @another contact": (
        {"contact_id": "other_contact", "bundle_id": "bundle"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:bundle_link": ({"token": "bundle_token"}, LOGIN, 200, 404, LOGIN),
    "documents:bundle_link @forged token": ({"token": "forged"}, LOGIN, 410, 410, LOGIN),
    "documents:case_documents": ({"case_id": "case"}, LOGIN, 200, 200, LOGIN),
    "documents:case_contact_documents": ({"case_id": "case"}, LOGIN, 200, 200, LOGIN),
    # A case's own documents (no contact): through the case only; a contact's document is not the case's
    "documents:case_download": ({"case_id": "case", "document_id": "case_document"}, LOGIN, 200, 200, LOGIN),
    "documents:case_download @a contact's document": (
        {"case_id": "case", "document_id": "document"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:case_download @another case": (
        {"case_id": "other_case", "document_id": "case_document"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:case_preview": ({"case_id": "case", "document_id": "case_document"}, LOGIN, 200, 200, LOGIN),
    "documents:case_delete": ({"case_id": "case", "document_id": "case_document"}, LOGIN, 405, 405, LOGIN),
    "POST documents:case_delete @another case": (
        {"case_id": "other_case", "document_id": "case_document"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:case_download_all": ({"case_id": "case"}, LOGIN, 405, 405, LOGIN),
    "documents:case_bundle": ({"case_id": "case", "bundle_id": "case_bundle"}, LOGIN, 200, 404, LOGIN),
    "documents:case_bundle_download": ({"case_id": "case", "bundle_id": "case_bundle"}, LOGIN, 200, 404, LOGIN),
    "documents:profile_pdf": ({"contact_id": "contact"}, LOGIN, 200, 200, LOGIN),
    "documents:contact_notes": ({"contact_id": "contact"}, LOGIN, 200, 200, LOGIN),
    "documents:note_edit": ({"contact_id": "contact", "note_id": "note"}, LOGIN, 200, 200, LOGIN),
    "documents:note_edit @another contact's note": (
        {"contact_id": "contact", "note_id": "other_note"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:note_delete": ({"contact_id": "contact", "note_id": "note"}, LOGIN, 405, 405, LOGIN),
    "POST documents:note_delete @another contact's note": (
        {"contact_id": "contact", "note_id": "other_note"}, LOGIN, 404, 404, LOGIN,
    ),
    "documents:note_pin": ({"contact_id": "contact", "note_id": "note"}, LOGIN, 405, 405, LOGIN),
    # Import (Admins only); a finished import's steps lead to its result
    "import:start": ({}, LOGIN, 403, 200, LOGIN),
    "import:map": ({"pk": "import_batch"}, LOGIN, 403, "→import:result", LOGIN),
    "import:progress": ({"pk": "import_batch"}, LOGIN, 403, "→import:result", LOGIN),
    "import:status": ({"pk": "import_batch"}, LOGIN, 403, 200, LOGIN),
    "import:preview": ({"pk": "import_batch"}, LOGIN, 403, "→import:result", LOGIN),
    "import:run": ({"pk": "import_batch"}, LOGIN, 403, 405, LOGIN),
    "import:cancel": ({"pk": "import_batch"}, LOGIN, 403, 405, LOGIN),
    "import:result": ({"pk": "import_batch"}, LOGIN, 403, 200, LOGIN),
    "import:result @no such import": ({"pk": "missing"}, LOGIN, 403, 404, LOGIN),
    "import:rejected": ({"pk": "import_batch"}, LOGIN, 403, 200, LOGIN),
    "import:undo": ({"pk": "import_batch"}, LOGIN, 403, 405, LOGIN),
    "POST import:undo": ({"pk": "import_batch"}, LOGIN, 403, "→import:result", LOGIN),
    # Settings: everyone signed in reads them, only an Admin changes them or anyone's role
    "settings:index": ({}, LOGIN, 200, 200, LOGIN),
    "settings:portal": ({}, LOGIN, 200, 200, LOGIN),
    "POST settings:portal": ({}, LOGIN, 403, 200, LOGIN),  # an empty form: the page again
    "settings:calling_windows": ({}, LOGIN, 200, 200, LOGIN),
    "settings:duplicates": ({}, LOGIN, 200, 200, LOGIN),
    "settings:duplicates_train": ({}, LOGIN, 405, 405, LOGIN),
    "settings:dnc": ({}, LOGIN, 200, 200, LOGIN),
    "settings:users": ({}, LOGIN, 200, 200, LOGIN),
    "settings:user_role": ({"pk": "staff_user"}, LOGIN, 405, 405, LOGIN),
    "POST settings:user_role": ({"pk": "staff_user", "?": "role=Admin"}, LOGIN, 403, "→settings:users", LOGIN),
    "settings:user_active": ({"pk": "admin_user"}, LOGIN, 405, 405, LOGIN),
    "POST settings:user_active": ({"pk": "admin_user", "?": "active=0"}, LOGIN, 403, "→settings:users", LOGIN),
    # Two-factor sign-in and the security log (Admins only)
    "security:two_factor": ({}, LOGIN, 200, 200, LOGIN),
    "security:two_factor_setup": ({}, LOGIN, 200, "→security:two_factor", LOGIN),
    "security:two_factor_verify": ({}, LOGIN, "→security:two_factor_setup", "→contacts:list", LOGIN),
    "security:recovery_codes": ({}, LOGIN, 405, 405, LOGIN),
    "security:two_factor_disable": ({}, LOGIN, 405, 405, LOGIN),
    "security:log": ({}, LOGIN, 403, 200, LOGIN),
    # The portal: a link, then pages scoped to the session's contact; staff accounts are no portal session
    "portal:entry": ({"token": "portal_token"}, 200, 200, 200, 200),
    "portal:entry @unknown token": ({"token": "forged"}, *ALL_404),
    "portal:entry @expired link": ({"token": "expired_portal_token"}, *ALL_404),
    "portal:entry @revoked link": ({"token": "revoked_portal_token"}, *ALL_404),
    "portal:home": ({}, ENDED, ENDED, ENDED, 200),
    "portal:tasks": ({}, ENDED, ENDED, ENDED, 200),
    "portal:task": ({"pk": "task"}, ENDED, ENDED, ENDED, 200),
    "portal:task @another contact's task": ({"pk": "other_task"}, ENDED, ENDED, ENDED, 404),
    "portal:documents": ({}, ENDED, ENDED, ENDED, 200),
    "portal:messages": ({}, ENDED, ENDED, ENDED, 200),
    "portal:appointments": ({}, ENDED, ENDED, ENDED, 200),
    "portal:appointment_ics": ({"pk": "appointment"}, ENDED, ENDED, ENDED, 200),
    "portal:appointment_ics @another contact's appointment": ({"pk": "other_appointment"}, ENDED, ENDED, ENDED, 404),
    "portal:signout": ({}, ENDED, ENDED, ENDED, 405),
    "POST portal:signout": ({}, ENDED, ENDED, ENDED, ENDED),
    "portal:ended": ({}, 200, 200, 200, 200),
    "portal:manifest": ({}, 200, 200, 200, 200),
    # Sharing portal links is staff work on a case
    "portal:share": ({"case_id": "case", "contact_id": "contact"}, LOGIN, 200, 200, LOGIN),
    "portal:share @a contact not on the case": (
        {"case_id": "case", "contact_id": "other_contact"}, LOGIN, 404, 404, LOGIN,
    ),
    "portal:case_links": ({"case_id": "case"}, LOGIN, 200, 200, LOGIN),
    "portal:revoke": ({"case_id": "case", "link_id": "portal_link"}, LOGIN, 405, 405, LOGIN),
    "POST portal:revoke @another case's link": (
        {"case_id": "case", "link_id": "other_portal_link"}, LOGIN, 404, 404, LOGIN,
    ),
    "portal:resend": ({"case_id": "case", "link_id": "portal_link"}, LOGIN, 405, 405, LOGIN),
    "portal:reply": ({"case_id": "case", "contact_id": "contact"}, LOGIN, 405, 405, LOGIN),
    "portal:dev_outbox": ({}, LOGIN, 404, 404, LOGIN),
    # The REST API: a bearer token or nothing. Sessions (staff or portal) are no way in, so every
    # role gets a JSON 401 (never the sign-in page or the second factor); the schema and docs are open.
    "api:schema": ({}, 200, 200, 200, 200),
    "api:docs": ({}, 200, 200, 200, 200),
    "api:contacts": ({}, *API_401),
    "api:not_found": ({"rest": "forged"}, 404, 404, 404, 404),
    "POST api:contacts": ({"?": "first_name=Eve"}, *API_401),
    "POST api:contacts @no CSRF token": ({"?": "first_name=Eve"}, *API_401),
    "api:contacts_export": ({}, *API_401),
    "api:contact": ({"pk": "contact"}, *API_401),
    "api:contact_archive": ({"pk": "contact"}, *API_401),
    "POST api:contact_archive": ({"pk": "contact"}, *API_401),
    "api:contact_duplicates": ({"pk": "contact"}, *API_401),
    "POST api:contact_merge": ({"pk": "twin_a", "?": "merged={twin_b}"}, *API_401),
    "api:contact_activity": ({"pk": "contact"}, *API_401),
    "api:contact_compliance_report": ({"pk": "contact"}, *API_401),
    "api:contact_tasks": ({"pk": "contact"}, *API_401),
    "POST api:contact_task_fill": ({"pk": "contact", "task_id": "task", "?": "done=on"}, *API_401),
    "POST api:contact_cases": ({"pk": "contact", "?": "case={case}"}, *API_401),
    "api:duplicates": ({}, *API_401),
    "POST api:duplicates_dismiss": ({"?": "contact_a={twin_a}&contact_b={twin_b}"}, *API_401),
    "POST api:merge_undo": ({"pk": "merge_record"}, *API_401),
    "POST api:imports": ({}, *API_401),
    "api:import": ({"pk": "import_batch"}, *API_401),
    "POST api:import_preview": ({"pk": "import_batch"}, *API_401),
    "POST api:import_run": ({"pk": "import_batch"}, *API_401),
    "api:cases": ({}, *API_401),
    "api:case": ({"pk": "case"}, *API_401),
    "api:case_tasks": ({"pk": "case"}, *API_401),
    "POST api:share_link": ({"case_id": "case", "contact_id": "contact", "?": "channel=email"}, *API_401),
    # Settings → API tokens and webhooks: Admins only
    "api_settings:index": ({}, LOGIN, 403, 200, LOGIN),
    "api_settings:token_revoke": ({"pk": "missing"}, LOGIN, 403, 405, LOGIN),
    "POST api_settings:token_revoke @no such token": ({"pk": "missing"}, LOGIN, 403, 404, LOGIN),
    "api_settings:webhook_active": ({"pk": "missing"}, LOGIN, 403, 405, LOGIN),
    # The Django admin, represented by its sign-in page, index, a changelist and a change form. Its index
    # and sign-in page are open to the anonymous (they send to the admin's sign-in); its model pages are
    # not (LoginRequiredMiddleware sends to ours). Staff are not `is_staff`: the admin's sign-in page.
    "admin:login": ({}, 200, 200, "→admin:index", 200),
    "admin:index": ({}, ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN),
    "admin:contacts_contact_changelist": ({}, LOGIN, ADMIN_LOGIN, 200, LOGIN),
    "admin:contacts_contact_change": ({"object_id": "contact"}, LOGIN, ADMIN_LOGIN, 200, LOGIN),
    "POST login @no CSRF token": ({"?": "username=matrix-staff&password=wrong"}, 403, 403, 403, 403),
}
# fmt: on

# The admin's URLs are many (one set per model); the matrix holds the representatives above.
REPRESENTED_NAMESPACES = {"admin"}


def project_url_names() -> set[str]:
    """Every named URL ("namespace:name"), and the route of each unnamed one, outside the admin."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in REPRESENTED_NAMESPACES:
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name}" if pattern.name else f"/{pattern.pattern}"

    return set(walk(get_resolver().url_patterns))


def parse_key(key: str) -> tuple[str, str, str]:
    """'POST contacts:merge @variant' → ("POST", "contacts:merge", "variant")."""
    method, _, rest = key.partition(" ") if key.startswith("POST ") else ("GET", "", key)
    name, _, variant = rest.partition(" @")
    return method, name, variant


def test_every_url_is_in_the_matrix():
    named_in_matrix = {parse_key(key)[1] for key in MATRIX}
    missing = sorted(project_url_names() - named_in_matrix)
    assert not missing, f"URLs without a row in MATRIX (write down who may open them): {missing}"


def test_every_row_names_a_url_of_the_project():
    unknown = []
    for key, (kwargs, *_answers) in MATRIX.items():
        name = parse_key(key)[1]
        if name.startswith("/"):
            try:
                resolve(name)
            except Resolver404:
                unknown.append(key)
            continue
        try:
            reverse(name, kwargs={arg: 1 for arg in kwargs if arg != "?"})
        except NoReverseMatch:
            unknown.append(key)
    assert not unknown, f"rows for URLs the project no longer has: {unknown}"


# --- The objects the URLs name ------------------------------------------------------------------


def _world() -> dict:
    """Users, a contact with everything the URLs can name, and someone else's of each."""
    staff = UserFactory(username="matrix-staff")
    admin = UserFactory(username="matrix-admin", role=ADMIN, is_staff=True)
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)

    contact, case = contact_on_case(first_name="Rosa")
    other_contact, other_case = contact_on_case(first_name="Olga")
    task = TaskFactory(case=case, contact=contact, kind="form", form_fields=FORM_FIELDS)
    other_task = TaskFactory(case=other_case, contact=other_contact)
    soon = timezone.now() + timedelta(days=3)
    appointment = Appointment.objects.create(
        case=case, contact=contact, title="Deposition", starts_at=soon, ends_at=soon + timedelta(hours=1)
    )
    other_appointment = Appointment.objects.create(
        case=other_case, contact=other_contact, title="Deposition", starts_at=soon, ends_at=soon + timedelta(hours=1)
    )
    document = make_document(contact, user=staff, case=case)
    [case_document] = upload_documents(contact=None, files=[upload("police-report.pdf", PDF_BYTES)], case=case)
    other_document = make_document(other_contact, user=staff)
    note = Note.objects.create(contact=contact, author=staff, body_html="<p>Called about the claim.</p>")
    other_note = Note.objects.create(contact=other_contact, author=staff, body_html="<p>Left a message.</p>")

    # Two records of one person for the merge URLs, and a merge already done.
    twin_a = ContactFactory(first_name="Tom", last_name="Twin")
    twin_b = ContactFactory(first_name="Tom", last_name="Twin")
    merge_record = contact_merge(survivor=ContactFactory(), merged=ContactFactory(), user=admin)

    import_batch = ImportBatch.objects.create(
        original_name="clients.csv",
        status=ImportStatus.DONE,
        headers=["First name"],
        mapping=["first_name"],
        rows_total=0,
        created_by=admin,
        finished_at=timezone.now(),
    )

    mail.outbox.clear()
    bundle = request_bundle(contact=contact, user=staff, base_url="http://testserver/").bundle
    build_bundle(bundle_id=bundle.pk, base_url="http://testserver/")
    bundle_token = mail.outbox[-1].body.split("/documents/bundle-link/")[1].split("/")[0]
    case_bundle = request_bundle(case=case, user=staff, base_url="http://testserver/").bundle
    build_bundle(bundle_id=case_bundle.pk, base_url="http://testserver/")

    jobs = {}  # finished background exports, one of the Admin's and one of the Staff member's
    for job, owner in (("export_job", admin), ("staff_export_job", staff)):
        jobs[job] = str(uuid.uuid4())
        folder = export_folder(owner.pk)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{jobs[job]}.csv").write_text("First name\r\nRosa\r\n")

    portal_link, portal_token = issued_link(contact, case=case)
    other_portal_link, _token = issued_link(other_contact, case=other_case)
    _expired, expired_token = issued_link(contact, case=case, expires_in=timedelta(days=-1))
    _revoked, revoked_token = issued_link(contact, case=case, revoked_at=timezone.now())

    sessions = {"anonymous": {}}
    for role, user in (("staff", staff), ("admin", admin)):
        client = Client()
        client.force_login(user)
        if role == "admin":
            session = client.session
            session["otp_device_id"] = device.persistent_id  # verified with the authenticator app this session
            session.save()
        sessions[role] = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    visitor = Client()
    assert visitor.post(f"/p/{portal_token}/").status_code == 302
    sessions["portal"] = {settings.PORTAL_SESSION_COOKIE: visitor.cookies[settings.PORTAL_SESSION_COOKIE].value}

    objects = {
        "staff_user": staff.pk,
        "admin_user": admin.pk,
        "contact": contact.pk,
        "other_contact": other_contact.pk,
        "missing": 10**9,
        "case": case.pk,
        "other_case": other_case.pk,
        "task": task.pk,
        "other_task": other_task.pk,
        "appointment": appointment.pk,
        "other_appointment": other_appointment.pk,
        "document": document.pk,
        "case_document": case_document.pk,
        "other_document": other_document.pk,
        "note": note.pk,
        "other_note": other_note.pk,
        "twin_a": twin_a.pk,
        "twin_b": twin_b.pk,
        "merge_record": merge_record.pk,
        "import_batch": import_batch.pk,
        "bundle": bundle.pk,
        "case_bundle": case_bundle.pk,
        "bundle_token": bundle_token,
        "portal_link": portal_link.pk,
        "other_portal_link": other_portal_link.pk,
        "portal_token": portal_token,
        "expired_portal_token": expired_token,
        "revoked_portal_token": revoked_token,
        "forged": "x" * 43,
        **jobs,
    }
    return {"objects": objects, "cookies": sessions}


@pytest.fixture(autouse=True)
def admins_need_a_second_factor(settings):
    settings.REQUIRE_2FA_FOR_ADMINS = True  # as in production (the test settings turn it off)


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate-limit counters of this module's own (the portal entry rows count requests)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "matrix"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Made once for the module in a transaction rolled back at its end; each test runs in a
    savepoint inside it and is rolled back too (Django's setUpTestData pattern), so a merge
    or a sign-out in one row never changes another row's answer."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _world()
        transaction.set_rollback(True)


# --- Asking -----------------------------------------------------------------------------------


def answer(response) -> int | str:
    """The status, or "→<url name>" for a redirect (the name of the page it sends to)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return response.status_code
    path = urlsplit(response["Location"]).path
    try:
        match = resolve(path)
    except Resolver404:
        return f"→{path}"
    return f"→{match.view_name}" if match.url_name else f"→{path}"


@pytest.fixture(scope="module")
def browser():
    """One client for every request (it loads the middleware once), its cookies set per request."""
    return Client(enforce_csrf_checks=True)


def ask(client: Client, key: str, kwargs: dict, world: dict, role: str) -> int | str:
    method, name, variant = parse_key(key)
    objects = world["objects"]
    url_kwargs = {arg: objects[value] for arg, value in kwargs.items() if arg != "?"}
    path = name if name.startswith("/") else reverse(name, kwargs=url_kwargs)
    query = kwargs.get("?", "").format(**objects)
    client.cookies.clear()
    for cookie, value in world["cookies"][role].items():
        client.cookies[cookie] = value
    if method == "GET":
        response = client.get(f"{path}?{query}" if query else path)
    else:
        headers = {}
        if variant != "no CSRF token":
            request = RequestFactory().get("/")
            token = get_token(request)
            client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
            headers["X-CSRFToken"] = token
        response = client.post(path, query, content_type="application/x-www-form-urlencoded", headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)  # the test client closes a streamed file once read
    return answer(response)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(MATRIX))
def test_each_role_gets_the_answer_in_the_matrix(key, world, browser):
    kwargs, *expected = MATRIX[key]
    got = [ask(browser, key, kwargs, world, role) for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))
