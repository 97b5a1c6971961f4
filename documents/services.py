"""Writing documents, notes and Download All bundles. Each service does its own transaction
and writes its activity event in it, so a change and its trace commit together."""

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from activity.models import EventType
from activity.services import record_data_access, record_event
from cases.models import Case
from contacts.models import Contact, Note
from contacts.rich_text import has_text, sanitize_note_html
from documents.models import BundleStatus, Document, DownloadBundle
from documents.scanning import ScanFailed, scan_file
from documents.validation import InspectedUpload, UploadRefused, inspect_upload
from firm.selectors import firm_setting

logger = logging.getLogger(__name__)

BUNDLE_LINK_SALT = "documents.bundle-link"


# --- Documents -------------------------------------------------------------------------


def check_upload(uploaded_file) -> InspectedUpload:
    """Type, name, size and virus scan of one file; UploadRefused with a plain reason."""
    inspected = inspect_upload(uploaded_file)
    try:
        found = scan_file(uploaded_file)
    except ScanFailed as error:
        raise UploadRefused(f"“{inspected.name}” was not stored: {error}. Try again in a few minutes.") from None
    if found:
        raise UploadRefused(f"“{inspected.name}” looks infected ({found}) and was not stored.")
    return inspected


def _store(*, contact, uploaded_file, inspected, user, case, note, via_portal) -> Document:
    document = Document(
        contact=contact,
        case=case,
        note=note,
        original_name=inspected.name,
        content_type=inspected.type.mime,
        size=inspected.size,
        sha256=inspected.sha256,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        via_portal=via_portal,
    )
    uploaded_file.seek(0)
    document.file.save(inspected.name, uploaded_file, save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document


def upload_documents(
    *, contact: Contact | None, files, user=None, case=None, note=None, via_portal=False, actor_label=""
) -> list[Document]:
    """Store several files for a contact, or (contact None) as a case's own documents, all or
    nothing: every file is checked first, so one refused file stores none of them. Raises
    UploadRefused naming the file and the reason."""
    files = list(files)
    total = sum(f.size for f in files)
    if total > settings.DOCUMENT_MAX_REQUEST_BYTES:
        raise UploadRefused(_request_too_large_message(total))
    if contact is None and case is None:
        raise UploadRefused("A document belongs to a contact or a case.")
    if contact is not None and case is not None and not case.case_contacts.filter(contact=contact).exists():
        raise UploadRefused("That case is not one of this contact's cases.")
    checked = [(f, check_upload(f)) for f in files]
    stored: list[Document] = []
    try:
        with transaction.atomic():
            for uploaded_file, inspected in checked:
                document = _store(
                    contact=contact,
                    uploaded_file=uploaded_file,
                    inspected=inspected,
                    user=user,
                    case=case,
                    note=note,
                    via_portal=via_portal,
                )
                stored.append(document)
                record_event(
                    event_type=EventType.DOCUMENT,
                    description=f"Uploaded “{document.original_name}”"
                    + (" to a note" if note is not None else "")
                    + (" via the portal" if via_portal else "")
                    + (f" to case {case.number}" if contact is None else ""),
                    contact_id=contact.pk if contact is not None else None,
                    case_id=case.pk if case else None,
                    user=user,
                    actor_label=actor_label,
                    data={"document_id": document.pk, "sha256": document.sha256, "size": document.size},
                )
    except Exception:
        for document in stored:
            document.file.storage.delete(document.file.name)
        raise
    return stored


def _request_too_large_message(total: int) -> str:
    return (
        f"These files add up to {filesizeformat(total)}; one upload can be at most "
        f"{filesizeformat(settings.DOCUMENT_MAX_REQUEST_BYTES)}. Upload them in smaller groups."
    )


def delete_document(*, document: Document, user) -> None:
    """Soft delete: the row and file stay for the record; the document leaves every list."""
    with transaction.atomic():
        updated = Document.objects.filter(pk=document.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
        if not updated:
            return
        record_event(
            event_type=EventType.DOCUMENT,
            description=f"Deleted “{document.original_name}”",
            contact_id=document.contact_id,
            case_id=document.case_id,
            user=user,
            data={"document_id": document.pk},
        )


def record_document_access(*, document: Document, user, request=None, how: str = "downloaded") -> None:
    """Every download or preview is a compliance "Data access" event (a case's own document
    is logged on the case)."""
    record_data_access(
        contact=document.contact,
        actor=user,
        what=f"document “{document.original_name}” (#{document.pk}, {how})",
        request=request,
        case_id=document.case_id if document.contact_id is None else None,
    )


def record_profile_pdf_access(*, contact: Contact, user, request=None) -> None:
    record_data_access(contact=contact, actor=user, what="profile as PDF (summary, notes, activity)", request=request)


# --- Notes -----------------------------------------------------------------------------


def create_note(*, contact: Contact, user, body_html: str, files=(), is_pinned=False) -> Note:
    body = sanitize_note_html(body_html)
    files = list(files)
    if not has_text(body) and not files:
        raise UploadRefused("Write something in the note or attach a file.")
    with transaction.atomic():
        note = Note.objects.create(contact=contact, author=user, body_html=body, is_pinned=is_pinned)
        record_event(
            event_type=EventType.NOTE,
            description="Added a note" + (f" with {len(files)} attachment(s)" if files else ""),
            contact_id=contact.pk,
            user=user,
            data={"note_id": note.pk},
        )
        if files:
            upload_documents(contact=contact, files=files, user=user, note=note)
    return note


def update_note(*, note: Note, user, body_html: str, files=()) -> Note:
    body = sanitize_note_html(body_html)
    files = list(files)
    if not has_text(body) and not files and not note.attachments.filter(deleted_at__isnull=True).exists():
        raise UploadRefused("A note can't be empty. Delete it instead.")
    with transaction.atomic():
        before = note.body_html
        note.body_html = body
        note.save(update_fields=["body_html", "updated_at"])
        record_event(
            event_type=EventType.NOTE,
            description="Edited a note" if body != before else "Added attachments to a note",
            contact_id=note.contact_id,
            user=user,
            data={"note_id": note.pk, "length_before": len(before), "length_after": len(body)},
        )
        if files:
            upload_documents(contact=note.contact, files=files, user=user, note=note)
    return note


def delete_note(*, note: Note, user) -> None:
    """Soft delete. Its attachments stay in the Documents tab (they are the contact's documents)."""
    with transaction.atomic():
        if not Note.objects.filter(pk=note.pk, deleted_at__isnull=True).update(deleted_at=timezone.now()):
            return
        record_event(
            event_type=EventType.NOTE,
            description="Deleted a note",
            contact_id=note.contact_id,
            user=user,
            data={"note_id": note.pk},
        )


def set_note_pinned(*, note: Note, user, pinned: bool) -> None:
    # A queryset update leaves updated_at alone: pinning is not an edit.
    with transaction.atomic():
        Note.objects.filter(pk=note.pk).update(is_pinned=pinned)
        record_event(
            event_type=EventType.NOTE,
            description="Pinned a note" if pinned else "Unpinned a note",
            contact_id=note.contact_id,
            user=user,
            data={"note_id": note.pk},
        )


# --- Download All ----------------------------------------------------------------------


def documents_fingerprint(documents) -> tuple[str, int]:
    """A hash of a live document set (ids and content hashes) and its size."""
    digest = hashlib.sha256()
    count = 0
    rows = documents.order_by("pk").values_list("pk", "sha256", "case_id", "original_name")
    for pk, sha256, case_id, name in rows.iterator(chunk_size=2000):
        digest.update(f"{pk}:{sha256}:{case_id}:{name}\n".encode())
        count += 1
    return digest.hexdigest(), count


@dataclass
class BundleRequest:
    bundle: DownloadBundle
    reused: bool
    queued: bool = False


def request_bundle(*, contact: Contact | None = None, case=None, user, base_url: str) -> BundleRequest:
    """Queue a Download All for the contact (or for the case's own documents), or hand back the
    one already building or ready for the same documents. The bundle is built by the worker;
    `base_url` makes the email's link."""
    from documents.tasks import build_bundle_task

    owner = {"contact": contact} if contact is not None else {"case": case}
    locked = Contact.objects.filter(pk=contact.pk) if contact is not None else Case.objects.filter(pk=case.pk)
    with transaction.atomic():
        # One requester at a time per contact or case, so two clicks never queue two builds.
        locked.select_for_update().values_list("pk", flat=True).first()
        fingerprint, count = documents_fingerprint(DownloadBundle(**owner).documents())
        now = timezone.now()
        # Never hand back one that will not finish.
        give_up_stalled_bundles(**{f"{key}_id": value.pk for key, value in owner.items()}, now=now)
        existing = (
            DownloadBundle.objects.filter(
                **owner,
                requested_by=user,
                fingerprint=fingerprint,
                status__in=[BundleStatus.PENDING, BundleStatus.BUILDING, BundleStatus.READY],
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if existing is not None:
            return BundleRequest(bundle=existing, reused=True)
        bundle = DownloadBundle.objects.create(
            **owner,
            requested_by=user,
            fingerprint=fingerprint,
            files_total=count,
            expires_at=now + settings.DOWNLOAD_BUNDLE_TTL,
        )
        record_event(
            event_type=EventType.EXPORT,
            description=f"Asked for all {count} documents as one zip (Download All)"
            + (f" of case {case.number}" if contact is None else ""),
            contact_id=contact.pk if contact is not None else None,
            case_id=case.pk if contact is None else None,
            user=user,
            data={"bundle_id": bundle.pk, "files": count},
        )
        transaction.on_commit(lambda: build_bundle_task.delay(bundle.pk, base_url))
    return BundleRequest(bundle=bundle, reused=False, queued=True)


def build_bundle(*, bundle_id: int, base_url: str) -> DownloadBundle:
    """Build the zip (idempotent: a bundle already built or given up on is left alone)."""
    from documents.bundles import write_bundle_zip

    with transaction.atomic():
        claimed = DownloadBundle.objects.filter(
            pk=bundle_id, status__in=[BundleStatus.PENDING, BundleStatus.BUILDING]
        ).update(status=BundleStatus.BUILDING, files_done=0)
    bundle = DownloadBundle.objects.select_related("contact", "case", "requested_by").get(pk=bundle_id)
    if not claimed:
        return bundle
    try:
        stored_name = write_bundle_zip(bundle)
    except Exception as error:
        logger.exception("Download All bundle %s failed", bundle_id)
        DownloadBundle.objects.filter(pk=bundle_id).update(
            status=BundleStatus.FAILED, error=f"The zip could not be built ({error.__class__.__name__})."
        )
        raise
    token = signing.dumps({"bundle": bundle.pk, "nonce": secrets.token_urlsafe(16)}, salt=BUNDLE_LINK_SALT)
    now = timezone.now()
    with transaction.atomic():
        DownloadBundle.objects.filter(pk=bundle_id).update(
            status=BundleStatus.READY,
            file=stored_name,
            token_hash=hash_token(token),
            expires_at=now + settings.DOWNLOAD_BUNDLE_TTL,
        )
    bundle.refresh_from_db()
    _email_bundle_link(bundle=bundle, token=token, base_url=base_url)
    return bundle


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email_bundle_link(*, bundle: DownloadBundle, token: str, base_url: str) -> None:
    user = bundle.requested_by
    if user is None or not user.email:
        return
    link = base_url.rstrip("/") + reverse("documents:bundle_link", args=[token])
    context = {"bundle": bundle, "link": link, "firm": firm_setting("FIRM_NAME")}
    send_mail(
        subject=f"Documents of {bundle.owner_name} are ready to download",
        message=render_to_string("documents/email/bundle_ready.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


class BundleLinkExpired(Exception):
    pass


def bundle_for_link(token: str) -> DownloadBundle:
    """The ready bundle a mailed link names; BundleLinkExpired for an old, used-up or forged link."""
    try:
        payload = signing.loads(token, salt=BUNDLE_LINK_SALT, max_age=settings.DOWNLOAD_BUNDLE_TTL)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise BundleLinkExpired from error
    bundle = (
        DownloadBundle.objects.select_related("contact", "case")
        .filter(pk=payload.get("bundle"), token_hash=hash_token(token), status=BundleStatus.READY)
        .first()
    )
    if bundle is None or bundle.expires_at <= timezone.now():
        raise BundleLinkExpired
    return bundle


def record_bundle_access(*, bundle: DownloadBundle, user, request=None) -> None:
    record_data_access(
        contact=bundle.contact,
        actor=user,
        what=f"all documents as a zip (Download All #{bundle.pk}, {bundle.files_total} files)",
        request=request,
        case_id=bundle.case_id,
    )


STALLED_MESSAGE = "It stopped before it finished (the background worker was restarted). Request a new bundle."


def give_up_stalled_bundles(*, contact_id=None, case_id=None, bundle_id=None, now=None) -> int:
    """Mark failed the bundles still unfinished DOWNLOAD_BUNDLE_BUILD_TIMEOUT after they were
    asked for: their worker was lost, and the page would otherwise say "Preparing…" for a day.
    A late worker leaves a failed bundle alone (it only claims pending or building ones)."""
    now = now or timezone.now()
    stalled = DownloadBundle.objects.filter(
        status__in=[BundleStatus.PENDING, BundleStatus.BUILDING],
        created_at__lte=now - settings.DOWNLOAD_BUNDLE_BUILD_TIMEOUT,
    )
    if contact_id is not None:
        stalled = stalled.filter(contact_id=contact_id)
    if case_id is not None:
        stalled = stalled.filter(case_id=case_id)
    if bundle_id is not None:
        stalled = stalled.filter(pk=bundle_id)
    return stalled.update(status=BundleStatus.FAILED, error=STALLED_MESSAGE)


def delete_expired_bundles(*, now=None) -> int:
    """Delete the zips of bundles past their expiry; the rows stay as a record, marked expired."""
    now = now or timezone.now()
    give_up_stalled_bundles(now=now)
    count = 0
    expired = DownloadBundle.objects.filter(expires_at__lte=now).exclude(status=BundleStatus.EXPIRED)
    for bundle in expired.iterator(chunk_size=500):
        if bundle.file:
            bundle.file.storage.delete(bundle.file.name)
        DownloadBundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.EXPIRED, file="", token_hash="")
        count += 1
    return count
