"""Staff side of the portal: Share Link on a case, task or form, the case's Portal links tab
(sent, opened, completed; revoke and resend), replies to portal messages, and the development
outbox."""

import email
import email.policy
import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case, Task
from contacts.models import Contact
from portal import selectors, services
from portal.forms import ShareLinkForm, StaffReplyForm
from portal.models import PortalLink


def _case_contact(case_id: int, contact_id: int):
    case = get_object_or_404(Case, pk=case_id)
    contact = get_object_or_404(Contact.objects.live(), pk=contact_id, case_links__case=case)
    return case, contact


def _next_url(request, default: str) -> str:
    """Where to go back to: the tab the dialog was opened from, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_http_methods(["GET", "POST"])
def share_view(request, case_id, contact_id):
    """The Share Link dialog (a partial for htmx, a page without JavaScript), for the whole
    case or, with ?task=, for one task or form of the contact."""
    case, contact = _case_contact(case_id, contact_id)
    task_id = request.GET.get("task") or request.POST.get("task")
    if task_id and not str(task_id).isdigit():
        raise Http404("No such task.")
    task = get_object_or_404(Task, pk=task_id, case=case, contact=contact) if task_id else None
    back = _next_url(request, reverse("portal:case_links", args=[case.pk]))
    form = ShareLinkForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        try:
            link = form.share(user=request.user, case=case, task=task)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if link.send_after:
                messages.success(
                    request,
                    f"Link for {contact.display_name} will be texted at {link.send_after:%H:%M} their time "
                    f"({link.send_after:%a %b %-d}).",
                )
            else:
                messages.success(request, f"Link sent to {contact.display_name} ({link.sent_to}).")
            return redirect(back)
    context = {"case": case, "contact": contact, "task": task, "form": form, "nav": "cases", "next": back}
    template = "portal/share/dialog.html" if request.htmx else "portal/share/page.html"
    return render(request, template, context, status=400 if form.errors else 200)


@require_GET
def case_links_view(request, case_id):
    """The case's Portal links tab; the list alone when it refreshes itself while links go out."""
    case = get_object_or_404(Case, pk=case_id)
    context = {**selectors.case_links_context(case), "nav": "cases", "active_tab": "links"}
    if request.htmx and request.htmx.target == "portal-links-list":
        return render(request, "portal/share/links.html", context)
    return render(request, "portal/share/links_tab.html", context)


def _case_link(case_id, link_id) -> PortalLink:
    return get_object_or_404(PortalLink.objects.select_related("contact"), pk=link_id, case_id=case_id)


@require_POST
def revoke_view(request, case_id, link_id):
    link = _case_link(case_id, link_id)
    services.revoke_link(link=link, user=request.user)
    messages.success(request, f"Link sent to {link.sent_to} revoked: it no longer opens.")
    return redirect("portal:case_links", case_id=case_id)


@require_POST
def resend_view(request, case_id, link_id):
    link = _case_link(case_id, link_id)
    try:
        services.resend_link(link=link, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Link sent again to {link.sent_to}; the earlier copy no longer opens.")
    return redirect("portal:case_links", case_id=case_id)


@require_POST
def reply_view(request, case_id, contact_id):
    case, contact = _case_contact(case_id, contact_id)
    form = StaffReplyForm(request.POST)
    if form.is_valid():
        services.reply_to_contact(contact=contact, case=case, body=form.cleaned_data["body"], user=request.user)
        messages.success(request, f"Reply sent to {contact.display_name} in the portal.")
    else:
        messages.error(request, "Write a reply first.")
    return redirect(_next_url(request, reverse("cases:messages", args=[case.pk])))


# --- Development outbox -------------------------------------------------------------------

URL_RE = re.compile(r"https?://[^\s<>\"]+")
OUTBOX_LIMIT = 50


def _emails(folder: Path) -> list[dict]:
    items = []
    if not folder.is_dir():
        return items
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:OUTBOX_LIMIT]:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
            part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
            body = part.get_content() if part is not None else ""
            items.append(
                {
                    "kind": "Email",
                    "to": message.get("To", ""),
                    "subject": message.get("Subject", ""),
                    "when": message.get("Date", ""),
                    "body": body,
                    "links": URL_RE.findall(body),
                    "mtime": path.stat().st_mtime,
                }
            )
    return items


def _texts(folder: Path) -> list[dict]:
    items = []
    if not folder.is_dir():
        return items
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:OUTBOX_LIMIT]:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        items.append(
            {
                "kind": "SMS",
                "to": data.get("to", ""),
                "subject": "",
                "when": data.get("sent_at", ""),
                "body": data.get("body", ""),
                "links": URL_RE.findall(data.get("body", "")),
                "mtime": path.stat().st_mtime,
            }
        )
    return items


@require_GET
def dev_outbox_view(request):
    """Only with DEBUG: what the file email backend and portal.sms.FileBackend "sent"."""
    if not settings.DEBUG:
        raise Http404("The outbox exists only in development.")
    items = _emails(Path(settings.EMAIL_FILE_PATH)) + _texts(Path(settings.SMS_FILE_PATH))
    items.sort(key=lambda item: item["mtime"], reverse=True)
    return render(request, "portal/dev_outbox.html", {"items": items[:OUTBOX_LIMIT]})
