"""Two-factor sign-in pages, the lockout page, and the security log."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from security import two_factor
from security.filters import SecurityEventFilter
from security.forms import CodeForm, RecoveryCodeForm
from security.models import SecurityEvent
from security.selectors import security_log_page
from security.sessions import describe_duration

WRONG_CODE = "That code didn't work. Codes change every 30 seconds: type the one your app shows now."
WRONG_RECOVERY_CODE = "That recovery code isn't valid, or it was used already."
THROTTLED = "Too many wrong codes. Wait a minute, then try again."


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers to a locked-out sign-in (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    context = {"wait": describe_duration(cool_off) if cool_off else ""}
    return render(request, "security/locked_out.html", context, status=429)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def two_factor_view(request, disable_form=None):
    """The user's two-factor settings: on or off, recovery codes left, replace, turn off."""
    device = two_factor.authenticator(request.user)
    context = {
        "device": device,
        "required": two_factor.is_required(request.user),
        "codes_left": two_factor.recovery_codes_left(request.user) if device else 0,
        "disable_form": disable_form or CodeForm(auto_id="disable_%s"),
    }
    return render(request, "security/two_factor.html", context, status=400 if disable_form else 200)


def two_factor_setup_view(request):
    """Scan the QR code (or type the secret), confirm with a code, note the recovery codes."""
    if two_factor.authenticator(request.user) is not None:
        return redirect("security:two_factor")
    device = two_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_authenticator(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            context = {"codes": codes, "next": _next_url(request), "just_enrolled": True}
            return render(request, "security/recovery_codes.html", context)
        form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.is_required(request.user),
        "next": _next_url(request),
    }
    return render(request, "security/two_factor_setup.html", context, status=400 if form.errors else 200)


def two_factor_verify_view(request):
    """The second step of signing in: a code from the app, or one of the recovery codes."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if two_factor.authenticator(request.user) is None:
        return redirect("security:two_factor_setup")
    posted = request.POST if request.method == "POST" else None
    using_recovery = bool(posted and "recovery_code" in posted)
    form = CodeForm(None if using_recovery else posted)
    recovery_form = RecoveryCodeForm(posted if using_recovery else None)
    if posted is not None:
        bound = recovery_form if using_recovery else form
        if bound.is_valid():
            throttled = two_factor.is_throttled(request.user)  # then even a right code is refused
            if two_factor.verify(request=request, **bound.cleaned_data):
                return redirect(_next_url(request))
            if using_recovery:
                bound.add_error("recovery_code", WRONG_RECOVERY_CODE)
            else:
                bound.add_error("code", THROTTLED if throttled else WRONG_CODE)
    context = {
        "form": form,
        "recovery_form": recovery_form,
        "next": _next_url(request),
        "using_recovery": using_recovery,
    }
    return render(request, "security/two_factor_verify.html", context, status=200 if posted is None else 400)


@require_POST
def recovery_codes_view(request):
    """New recovery codes, shown this once."""
    if two_factor.authenticator(request.user) is None:
        return redirect("security:two_factor_setup")
    codes = two_factor.regenerate_recovery_codes(request=request)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": resolve_url("security:two_factor")})


@require_POST
def two_factor_disable_view(request):
    form = CodeForm(request.POST, auto_id="disable_%s")
    throttled = two_factor.is_throttled(request.user)
    if form.is_valid() and two_factor.disable(request=request, code=form.cleaned_data["code"]):
        messages.success(request, "Two-factor sign-in is off. Your recovery codes no longer work.")
        return redirect("security:two_factor")
    if form.is_valid():
        form.add_error("code", THROTTLED if throttled else WRONG_CODE)
    return two_factor_view(request, disable_form=form)


def _cursor(value) -> int | None:
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if cursor > 0 else None


@permission_required("security.view_securityevent", raise_exception=True)
def security_log_view(request):
    """Sign-ins, lockouts, second factors, role changes and exports, newest first (Admins)."""
    filterset = SecurityEventFilter(request.GET or None, queryset=SecurityEvent.objects.all())
    page = security_log_page(
        queryset=filterset.qs, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after"))
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    context = {"filter": filterset, "page": page, "querystring": query.urlencode(), "nav": "security"}
    return render(request, "security/security_log.html", context)
