"""The contact's portal: no account, reached from a secure link, every page scoped to the
session's contact."""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import TaskKind, TaskStatus
from cases.selectors import stage_timeline
from contacts.calling_window import contact_timezone
from firm.selectors import firm_setting
from kayse.client_ip import client_ip
from portal import ratelimit, selectors, services
from portal.forms import MessageForm, SecondFactorForm, TaskResponseForm, UploadForm
from portal.models import SecondFactor

PORTAL_COOKIE_PATH = "/portal/"  # the cookie is never sent to staff pages
# Limits on /p/<token>/. Unknown links are counted per client address, so one address trying
# tokens locks out only itself; each real link is counted on its own, from wherever it is
# opened, so guessing its second factor from many addresses gains nothing.
UNKNOWN_LINK_LIMIT = (30, 600)  # unknown, expired or revoked links per address per 10 minutes
LINK_LIMIT = (60, 600)  # requests for one link per 10 minutes
FACTOR_LIMIT = (5, 900)  # wrong second-factor answers per link per 15 minutes
FACTOR_DAY_LIMIT = (15, 86400)  # and per day: the last four digits can't be walked in a link's week


def _harden(response):
    """No token or page address leaks to another site in a Referer; nothing kept in caches.

    "same-origin" rather than "no-referrer": under no-referrer browsers send `Origin: null`
    with a form's POST, which CSRF protection must refuse (docs/decisions.md)."""
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _language(request, contact=None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if contact is not None and (contact.language or "")[:2] in codes:
        return contact.language[:2]
    return translation.get_language_from_request(request)[:2]


def _set_session_cookie(response, key: str):
    response.set_cookie(
        settings.PORTAL_SESSION_COOKIE,
        key,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
        path=PORTAL_COOKIE_PATH,
    )


def portal_page(view):
    """A portal page: needs a live portal session; runs in the contact's language and zone."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        session = services.find_session(request.COOKIES.get(settings.PORTAL_SESSION_COOKIE, ""))
        if session is None:
            response = redirect("portal:ended")
            response.delete_cookie(settings.PORTAL_SESSION_COOKIE, path=PORTAL_COOKIE_PATH)
            return _harden(response)
        request.portal = session
        zone, _source = contact_timezone(session.contact, None)
        with translation.override(_language(request, session.contact)), timezone.override(zone):
            response = view(request, *args, **kwargs)
            response.headers["Content-Language"] = translation.get_language()
        return _harden(response)

    return wrapper


def _invalid_link(request):
    """The one page for unknown, expired and revoked links: the firm's details, nothing else."""
    with translation.override(_language(request)):
        return _harden(render(request, "portal/link_invalid.html", status=404))


def _too_many_attempts(request, retry_after: int):
    with translation.override(_language(request)):
        response = render(request, "portal/too_many_attempts.html", {"minutes": retry_after // 60}, status=429)
    response.headers["Retry-After"] = str(retry_after)
    return _harden(response)


def _factor_lock(ident: str) -> str:
    """Empty while answers may be tried; "day" or "minutes" while the link is locked."""
    if ratelimit.is_blocked("factor-day", ident, limit=FACTOR_DAY_LIMIT[0]):
        return "day"
    if ratelimit.is_blocked("factor", ident, limit=FACTOR_LIMIT[0]):
        return "minutes"
    return ""


def _count_wrong_answer(ident: str) -> None:
    ratelimit.hit("factor", ident, limit=FACTOR_LIMIT[0], window_seconds=FACTOR_LIMIT[1])
    ratelimit.hit("factor-day", ident, limit=FACTOR_DAY_LIMIT[0], window_seconds=FACTOR_DAY_LIMIT[1])


@login_not_required
@require_http_methods(["GET", "POST"])
def entry_view(request, token):
    """GET shows one "Continue" button (link scanners never start a session); the POST
    checks the optional second factor, starts the session and leaves the token behind."""
    address = ratelimit.address_ident(client_ip(request))
    if ratelimit.is_blocked("unknown-link", address, limit=UNKNOWN_LINK_LIMIT[0]):
        return _too_many_attempts(request, UNKNOWN_LINK_LIMIT[1])
    link = services.find_link(token)
    if link is None:
        ratelimit.hit("unknown-link", address, limit=UNKNOWN_LINK_LIMIT[0], window_seconds=UNKNOWN_LINK_LIMIT[1])
        return _invalid_link(request)
    ident = f"link:{link.token_hash}"  # a resent link (a new token) starts afresh
    if not ratelimit.hit("link", ident, limit=LINK_LIMIT[0], window_seconds=LINK_LIMIT[1]):
        return _too_many_attempts(request, LINK_LIMIT[1])
    with translation.override(_language(request, link.contact)):
        factor_form = None
        locked = ""
        if link.second_factor:
            locked = _factor_lock(ident)
            factor_form = SecondFactorForm(
                request.POST if request.method == "POST" and not locked else None, second_factor=link.second_factor
            )
        if request.method == "POST" and not locked:
            if factor_form is not None:
                answer_ok = factor_form.is_valid() and services.check_second_factor(
                    link=link, answer=factor_form.cleaned_data["answer"]
                )
                if not answer_ok:
                    _count_wrong_answer(ident)
                    locked = _factor_lock(ident)
                    if not locked:
                        factor_form.add_error(
                            "answer",
                            _("That does not match what we have on file. Please try again.")
                            if link.second_factor == SecondFactor.PHONE_LAST4
                            else _("That date does not match what we have on file. Please try again."),
                        )
                else:
                    ratelimit.reset("factor", ident)
            if not locked and (factor_form is None or not factor_form.errors):
                key = services.start_session(link=link, request=request)
                target = reverse("portal:task", args=[link.task_id]) if link.task_id else reverse("portal:home")
                response = redirect(target)
                _set_session_cookie(response, key)
                return _harden(response)
        context = {"link": link, "contact": link.contact, "factor_form": factor_form, "locked": locked}
        response = render(request, "portal/entry.html", context, status=429 if locked else 200)
    return _harden(response)


@login_not_required
@require_GET
def ended_view(request):
    with translation.override(_language(request)):
        return _harden(render(request, "portal/ended.html"))


@portal_page
@require_POST
def signout_view(request):
    services.end_session(session=request.portal)
    response = redirect("portal:ended")
    response.delete_cookie(settings.PORTAL_SESSION_COOKIE, path=PORTAL_COOKIE_PATH)
    return response


@portal_page
@require_GET
def home_view(request):
    session = request.portal
    if request.GET.get("source") == "pwa":
        services.record_pwa_launch(session=session, request=request)
        return redirect("portal:home")
    cases = list(selectors.portal_cases(session)[:20])
    upcoming, _past = selectors.upcoming_and_past_appointments(session, limit=1)
    context = {
        "nav": "home",
        "cases": [{"case": case, "timeline": stage_timeline(case)} for case in cases],
        "open_tasks": selectors.open_task_count(session),
        "next_appointment": upcoming[0] if upcoming else None,
    }
    return render(request, "portal/home.html", context)


@portal_page
@require_GET
def tasks_view(request):
    tasks = list(selectors.portal_tasks(request.portal)[:100])
    open_statuses = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
    context = {
        "nav": "tasks",
        "todo": [t for t in tasks if t.status in open_statuses],
        "done": [t for t in tasks if t.status not in open_statuses],
    }
    return render(request, "portal/tasks.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def task_view(request, pk):
    session = request.portal
    task = selectors.portal_task(session, pk)
    is_form = task.kind == TaskKind.FORM or bool(task.form_fields)
    finished = task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
    if request.method == "POST" and not finished:
        submit = request.POST.get("action") != "draft"
        form = TaskResponseForm(request.POST, request.FILES, task=task, draft=not submit)
        if form.is_valid():
            try:
                stored = {}
                for name in form.file_fields:
                    upload = form.cleaned_data.get(name)
                    if upload:
                        [document] = services.upload_documents(session=session, files=[upload], case=task.case)
                        stored[name] = {"document": document.pk, "name": document.original_name}
                services.save_task_response(
                    session=session, task=task, response=form.response_data(stored_files=stored), submit=submit
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if submit:
                    return redirect(f"{reverse('portal:tasks')}?done={task.pk}")
                return redirect(f"{reverse('portal:task', args=[task.pk])}?saved=1")
    else:
        form = TaskResponseForm(task=task) if is_form else None
    context = {
        "nav": "tasks",
        "task": task,
        "form": form,
        "is_form": is_form,
        "finished": finished,
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "portal/task.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def documents_view(request):
    session = request.portal
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        cases = list(selectors.portal_cases(session)[:2])
        case = cases[0] if len(cases) == 1 else None
        try:
            stored = services.upload_documents(session=session, files=form.cleaned_data["files"][:20], case=case)
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            return redirect(f"{reverse('portal:documents')}?sent={len(stored)}")
    context = {
        "nav": "documents",
        "form": form,
        "errors": errors,
        "documents": selectors.portal_documents(session),
        "sent": int(request.GET["sent"]) if request.GET.get("sent", "").isdigit() else 0,
    }
    return render(request, "portal/documents.html", context, status=400 if errors else 200)


@portal_page
@require_http_methods(["GET", "POST"])
def messages_view(request):
    session = request.portal
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cases = list(selectors.portal_cases(session)[:2])
        try:
            services.post_message(session=session, body=form.cleaned_data["body"], case=cases[0] if cases else None)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            return redirect(f"{reverse('portal:messages')}#latest")
    context = {"nav": "messages", "form": form, "thread": selectors.portal_messages(session)}
    return render(request, "portal/messages.html", context)


@portal_page
@require_GET
def appointments_view(request):
    upcoming, past = selectors.upcoming_and_past_appointments(request.portal)
    context = {"nav": "appointments", "upcoming": upcoming, "past": past, "zone": timezone.get_current_timezone_name()}
    return render(request, "portal/appointments.html", context)


def _ics_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _ics_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


@portal_page
@require_GET
def appointment_ics_view(request, pk):
    appointment = selectors.portal_appointment(request.portal, pk)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_ics_text(firm_setting('FIRM_NAME'))}//Portal//EN",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@{settings.PORTAL_BASE_URL.split('//')[-1]}",
        f"DTSTAMP:{_ics_time(timezone.now())}",
        f"DTSTART:{_ics_time(appointment.starts_at)}",
        f"DTEND:{_ics_time(appointment.ends_at)}",
        f"SUMMARY:{_ics_text(appointment.title)} ({_ics_text(firm_setting('FIRM_NAME'))})",
        f"LOCATION:{_ics_text(appointment.location)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@login_not_required
@require_GET
def manifest_view(request):
    """Lets a phone add the portal to its home screen; launched from there it counts as mobile."""
    data = {
        "name": f"{firm_setting('FIRM_NAME')} portal",
        "short_name": "My case",
        "start_url": f"{reverse('portal:home')}?source=pwa",
        "scope": "/portal/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#14233a",
        "icons": [{"src": static("portal/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(data, content_type="application/manifest+json")
