"""Documents and Notes tabs of the contact profile, Download All, and the case's Documents tab
(Case Documents and Contact Documents). Views are thin: parse the request, call a selector or
service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from contacts.models import Contact
from contacts.rich_text import sanitize_note_html
from documents import selectors, services
from documents.forms import CaseDocumentUploadForm, DocumentUploadForm, NoteForm
from documents.http import content_disposition, private_file_response
from documents.models import BundleStatus
from documents.pdf import contact_profile_pdf
from documents.validation import ACCEPT_ATTRIBUTE, ACCEPTED_LABELS, UploadRefused, document_type

DOCUMENTS_PER_PAGE = 50
NOTES_PER_PAGE = 20
CASE_DOCUMENTS_PER_PAGE = 200


def _contact(contact_id: int) -> Contact:
    return get_object_or_404(Contact, pk=contact_id)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _request_too_large(request) -> bool:
    # The documents' own limit, in their words. A body larger than any upload was refused
    # unread by kayse.middleware.RequestSizeMiddleware; one under that the CSRF check has read.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.DOCUMENT_MAX_REQUEST_BYTES + 64 * 1024


def _too_large_message() -> str:
    limit = filesizeformat(settings.DOCUMENT_MAX_REQUEST_BYTES)
    return f"That upload is larger than {limit} in total. Upload the files in smaller groups."


# --- Documents tab -----------------------------------------------------------------------


def contact_documents_view(request, contact_id):
    contact = _contact(contact_id)
    if contact.merged_into_id and request.method == "GET":
        return redirect("documents:contact_documents", contact_id=contact.merged_into_id)
    if request.method == "POST":
        return _upload(request, contact)
    search = request.GET.get("q", "")
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.DOCUMENT_SORTS:
        sort = selectors.DEFAULT_SORT
    documents = selectors.contact_documents(contact=contact, search=search, sort=sort)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "contact": contact,
        "nav": "contacts",
        "active_tab": "documents",
        "page": page,
        "search": search,
        "sort": sort,
        "form": DocumentUploadForm(contact=contact),
        "accept": ACCEPT_ATTRIBUTE,
        "accepted_labels": ACCEPTED_LABELS,
        "max_bytes": settings.DOCUMENT_MAX_BYTES,
        "max_request_bytes": settings.DOCUMENT_MAX_REQUEST_BYTES,
    }
    if request.htmx:
        return render(request, "documents/partials/document_list.html", context)
    return render(request, "documents/contact_documents.html", context)


def _upload(request, contact):
    return _handle_upload(
        request,
        back=reverse("documents:contact_documents", args=[contact.pk]),
        form=lambda: DocumentUploadForm(request.POST, request.FILES, contact=contact),
        store=lambda data: services.upload_documents(
            contact=contact, files=data["files"], user=request.user, case=data["case"]
        ),
    )


def _handle_upload(request, *, back, form, store):
    """One upload rule for the contact's and the case's Documents tabs: size, then the form
    (made only after the size check, so an oversized body is never read), then the service."""
    if _request_too_large(request):
        return _upload_failed(request, back, _too_large_message(), status=413)
    form = form()
    if not form.is_valid():
        if form.has_error("files", code="required"):
            return _upload_failed(request, back, "Choose at least one file to upload.")
        if "files" in form.errors:
            return _upload_failed(request, back, " ".join(form.errors["files"]))
        return _upload_failed(request, back, "That case is not one of this contact's cases.")
    try:
        stored = store(form.cleaned_data)
    except UploadRefused as refused:
        return _upload_failed(request, back, str(refused))
    if _wants_json(request):
        return JsonResponse({"ok": True, "documents": [{"id": d.pk, "name": d.original_name} for d in stored]})
    names = ", ".join(d.original_name for d in stored)
    messages.success(request, f"Uploaded {names}.")
    return redirect(back)


def _upload_failed(request, back, message, status=400):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    messages.error(request, message)
    return redirect(back)


def _download(request, document):
    services.record_document_access(document=document, user=request.user, request=request)
    return private_file_response(
        document.file.open("rb"), filename=document.original_name, content_type=document.content_type
    )


def _preview(request, document):
    if not document_type(document.content_type).previewable:
        raise Http404("This type of file can't be previewed; download it instead.")
    services.record_document_access(document=document, user=request.user, request=request, how="previewed")
    return private_file_response(
        document.file.open("rb"), filename=document.original_name, content_type=document.content_type, inline=True
    )


def _delete(request, document, back):
    services.delete_document(document=document, user=request.user)
    messages.success(request, f"Deleted “{document.original_name}”.")
    return redirect(request.POST["next"] if _safe_next(request) else back)


@require_GET
def document_download_view(request, contact_id, document_id):
    return _download(request, selectors.get_contact_document(contact_id=contact_id, document_id=document_id))


@require_GET
def document_preview_view(request, contact_id, document_id):
    return _preview(request, selectors.get_contact_document(contact_id=contact_id, document_id=document_id))


@require_POST
def document_delete_view(request, contact_id, document_id):
    document = selectors.get_contact_document(contact_id=contact_id, document_id=document_id)
    return _delete(request, document, reverse("documents:contact_documents", kwargs={"contact_id": contact_id}))


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


# --- Download All ------------------------------------------------------------------------


@require_POST
def download_all_view(request, contact_id):
    contact = _contact(contact_id)
    result = services.request_bundle(contact=contact, user=request.user, base_url=request.build_absolute_uri("/"))
    return redirect("documents:bundle", contact_id=contact.pk, bundle_id=result.bundle.pk)


def _bundle_urls(bundle) -> dict:
    """Where the bundle's page, zip and "ask again" live: under its contact or its case."""
    if bundle.contact_id:
        args, prefix = [bundle.contact_id], "documents:"
        back = reverse("documents:contact_documents", args=args)
    else:
        args, prefix = [bundle.case_id], "documents:case_"
        back = reverse("documents:case_documents", args=args)
    return {
        "status_url": reverse(f"{prefix}bundle", args=[*args, bundle.pk]) + "?format=json",
        "download_url": reverse(f"{prefix}bundle_download", args=[*args, bundle.pk]),
        "again_url": reverse(f"{prefix}download_all", args=args),
        "back_url": back,
    }


def _bundle_state(bundle) -> dict:
    ready = bundle.status == BundleStatus.READY
    return {
        "status": bundle.status,
        "label": bundle.get_status_display(),
        "files_done": bundle.files_done,
        "files_total": bundle.files_total,
        "error": bundle.error,
        "download_url": _bundle_urls(bundle)["download_url"] if ready else "",
    }


def _bundle_page(request, bundle, *, template, context):
    if bundle.status in (BundleStatus.PENDING, BundleStatus.BUILDING) and services.give_up_stalled_bundles(
        bundle_id=bundle.pk
    ):
        bundle.refresh_from_db()
    state = _bundle_state(bundle)
    if "application/json" in request.headers.get("Accept", "") or request.GET.get("format") == "json":
        return JsonResponse(state)
    context = {
        **context,
        "bundle": bundle,
        "state": state,
        "urls": _bundle_urls(bundle),
        "building": bundle.status in (BundleStatus.PENDING, BundleStatus.BUILDING),
    }
    return render(request, template, context)


@require_GET
def bundle_view(request, contact_id, bundle_id):
    bundle = selectors.get_user_bundle(contact_id=contact_id, bundle_id=bundle_id, user=request.user)
    context = {"contact": bundle.contact, "nav": "contacts", "active_tab": "documents"}
    return _bundle_page(request, bundle, template="documents/bundle.html", context=context)


@require_GET
def bundle_download_view(request, contact_id, bundle_id):
    bundle = selectors.get_user_bundle(contact_id=contact_id, bundle_id=bundle_id, user=request.user)
    if bundle.status != BundleStatus.READY or bundle.is_expired:
        return render(request, "documents/bundle_expired.html", {"contact": bundle.contact}, status=410)
    return _send_bundle(request, bundle)


def _send_bundle(request, bundle):
    services.record_bundle_access(bundle=bundle, user=request.user, request=request)
    filename = f"{bundle.owner_name} documents {bundle.created_at:%Y-%m-%d}.zip"
    return private_file_response(bundle.file.open("rb"), filename=filename, content_type="application/zip")


@require_GET
def bundle_link_view(request, token):
    """The link in the email: valid for 24 hours, then a friendly page to ask for a new one."""
    try:
        bundle = services.bundle_for_link(token)
    except services.BundleLinkExpired:
        return render(request, "documents/bundle_expired.html", {"contact": None}, status=410)
    if bundle.requested_by_id != request.user.pk:
        raise Http404("This link was sent to someone else.")
    return _send_bundle(request, bundle)


# --- Case → Documents: Case Documents and Contact Documents --------------------------------


def _case(case_id: int) -> Case:
    return get_object_or_404(Case, pk=case_id)


def _wants_list_only(request) -> bool:
    """The upload script's refresh asks for the list alone; a tab switched by htmx (target
    #case-body) gets the whole page, from which it picks the tab."""
    return bool(request.htmx) and request.htmx.target != "case-body"


@require_http_methods(["GET", "POST"])
def case_documents_view(request, case_id):
    """Case → Documents → Case Documents: the case's own files, with upload and Download All."""
    case = _case(case_id)
    if request.method == "POST":
        return _handle_upload(
            request,
            back=reverse("documents:case_documents", args=[case.pk]),
            form=lambda: CaseDocumentUploadForm(request.POST, request.FILES),
            store=lambda data: services.upload_documents(
                contact=None, case=case, files=data["files"], user=request.user
            ),
        )
    search = request.GET.get("q", "")
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.DOCUMENT_SORTS:
        sort = selectors.DEFAULT_SORT
    documents = selectors.case_own_documents(case=case, search=search, sort=sort)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "case": case,
        "nav": "cases",
        "active_tab": "documents",
        "active_subtab": "case_documents",
        "owner_name": f"case {case.number}",
        "case_own_documents": True,
        "page": page,
        "search": search,
        "sort": sort,
        "accept": ACCEPT_ATTRIBUTE,
        "accepted_labels": ACCEPTED_LABELS,
        "max_bytes": settings.DOCUMENT_MAX_BYTES,
        "max_request_bytes": settings.DOCUMENT_MAX_REQUEST_BYTES,
    }
    if _wants_list_only(request):
        return render(request, "documents/partials/document_list.html", context)
    return render(request, "documents/case_documents.html", context)


@require_GET
def case_contact_documents_view(request, case_id):
    """Case → Documents → Contact Documents: every document of the case's contacts, by contact."""
    case = _case(case_id)
    documents = selectors.case_contact_documents(case=case)
    page = Paginator(documents, CASE_DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "case": case,
        "page": page,
        "nav": "cases",
        "active_tab": "documents",
        "active_subtab": "contact_documents",
    }
    return render(request, "documents/case_contact_documents.html", context)


@require_GET
def case_document_download_view(request, case_id, document_id):
    return _download(request, selectors.get_case_document(case_id=case_id, document_id=document_id))


@require_GET
def case_document_preview_view(request, case_id, document_id):
    return _preview(request, selectors.get_case_document(case_id=case_id, document_id=document_id))


@require_POST
def case_document_delete_view(request, case_id, document_id):
    document = selectors.get_case_document(case_id=case_id, document_id=document_id)
    return _delete(request, document, reverse("documents:case_documents", kwargs={"case_id": case_id}))


@require_POST
def case_download_all_view(request, case_id):
    case = _case(case_id)
    result = services.request_bundle(case=case, user=request.user, base_url=request.build_absolute_uri("/"))
    return redirect("documents:case_bundle", case_id=case.pk, bundle_id=result.bundle.pk)


@require_GET
def case_bundle_view(request, case_id, bundle_id):
    bundle = selectors.get_user_case_bundle(case_id=case_id, bundle_id=bundle_id, user=request.user)
    context = {"case": bundle.case, "nav": "cases", "active_tab": "documents", "active_subtab": "case_documents"}
    return _bundle_page(request, bundle, template="documents/case_bundle.html", context=context)


@require_GET
def case_bundle_download_view(request, case_id, bundle_id):
    bundle = selectors.get_user_case_bundle(case_id=case_id, bundle_id=bundle_id, user=request.user)
    if bundle.status != BundleStatus.READY or bundle.is_expired:
        return render(request, "documents/bundle_expired.html", {"contact": None, "case": bundle.case}, status=410)
    return _send_bundle(request, bundle)


# --- Notes tab ---------------------------------------------------------------------------


def contact_notes_view(request, contact_id):
    contact = _contact(contact_id)
    if contact.merged_into_id and request.method == "GET":
        return redirect("documents:contact_notes", contact_id=contact.merged_into_id)
    form = NoteForm()
    if request.method == "POST":
        if _request_too_large(request):
            messages.error(request, _too_large_message())
            return redirect("documents:contact_notes", contact_id=contact.pk)
        form = NoteForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.create_note(
                    contact=contact,
                    user=request.user,
                    body_html=form.cleaned_data["body_html"],
                    files=form.cleaned_data["attachments"],
                    is_pinned=form.cleaned_data["is_pinned"],
                )
            except UploadRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "Note added.")
                return redirect("documents:contact_notes", contact_id=contact.pk)
    search = request.GET.get("q", "")
    notes = selectors.contact_notes(contact=contact, search=search)
    page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "contact": contact,
        "nav": "contacts",
        "active_tab": "notes",
        "form": form,
        "page": page,
        "search": search,
        "accept": ACCEPT_ATTRIBUTE,
    }
    if request.htmx and request.method == "GET":
        return render(request, "documents/partials/note_list.html", context)
    return render(request, "documents/contact_notes.html", context, status=400 if form.errors else 200)


def note_edit_view(request, contact_id, note_id):
    note = selectors.get_contact_note(contact_id=contact_id, note_id=note_id)
    if request.method == "POST" and _request_too_large(request):
        messages.error(request, _too_large_message())
        return redirect("documents:note_edit", contact_id=contact_id, note_id=note_id)
    if request.method == "POST":
        form = NoteForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.update_note(
                    note=note,
                    user=request.user,
                    body_html=form.cleaned_data["body_html"],
                    files=form.cleaned_data["attachments"],
                )
            except UploadRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "Note saved.")
                return redirect("documents:contact_notes", contact_id=contact_id)
    else:
        # The editor puts this into the page as HTML: never an unsanitized stored body.
        form = NoteForm(initial={"body_html": sanitize_note_html(note.body_html), "is_pinned": note.is_pinned})
    context = {"contact": note.contact, "note": note, "form": form, "nav": "contacts", "active_tab": "notes"}
    return render(request, "documents/note_edit.html", context, status=400 if form.errors else 200)


@require_POST
def note_delete_view(request, contact_id, note_id):
    note = selectors.get_contact_note(contact_id=contact_id, note_id=note_id)
    services.delete_note(note=note, user=request.user)
    messages.success(request, "Note deleted.")
    return redirect("documents:contact_notes", contact_id=contact_id)


@require_POST
def note_pin_view(request, contact_id, note_id):
    note = selectors.get_contact_note(contact_id=contact_id, note_id=note_id)
    services.set_note_pinned(note=note, user=request.user, pinned=not note.is_pinned)
    return redirect("documents:contact_notes", contact_id=contact_id)


# --- Profile PDF -------------------------------------------------------------------------


@require_GET
def contact_profile_pdf_view(request, contact_id):
    contact = _contact(contact_id)
    pdf = contact_profile_pdf(contact=contact)
    services.record_profile_pdf_access(contact=contact, user=request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{contact.display_name} profile.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
