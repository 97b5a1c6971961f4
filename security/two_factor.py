"""Two-factor sign-in for staff: an authenticator app (TOTP) and single-use recovery codes.

Built on django-otp: a confirmed TOTPDevice is the second factor; a StaticDevice holds the
recovery codes (each deleted when used). Both devices throttle wrong codes themselves.
"""

import re
import time
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import SecurityEventKind
from security.services import record_security_event

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# A session found to need no second factor is looked at again after this long (a device set
# up in another browser, a new role) or at once when the REQUIRE_2FA_* settings change.
_NOTHING_NEEDED = "two_factor_not_needed"
RECHECK_SECONDS = 300


def step_needed(request, user=None) -> str:
    """What a signed-in, unverified session must do first: "verify", "setup", or "" (nothing)."""
    user = user or request.user
    policy = [settings.REQUIRE_2FA_FOR_ADMINS, settings.REQUIRE_2FA_FOR_STAFF]
    checked = request.session.get(_NOTHING_NEEDED)
    now = time.time()
    if checked and checked[0] == policy and now - checked[1] < RECHECK_SECONDS:
        return ""
    if authenticator(user) is not None:
        step = "verify"
    elif is_required(user):
        step = "setup"
    else:
        step = ""
    if step:
        request.session.pop(_NOTHING_NEEDED, None)
    else:
        request.session[_NOTHING_NEEDED] = [policy, int(now)]
    return step


def is_required(user) -> bool:
    """Whether this user must use a second factor (REQUIRE_2FA_FOR_STAFF / _FOR_ADMINS)."""
    if settings.REQUIRE_2FA_FOR_STAFF:
        return True
    if not settings.REQUIRE_2FA_FOR_ADMINS:
        return False
    from contacts.roles import ADMIN  # the role's name; contacts owns the roles

    return user.is_superuser or user.groups.filter(name=ADMIN).exists()


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device, kept until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG QR code (no image library needed).
    Safe to put in a page as it is: segno draws the address as squares, never as text."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, light="#fff", title="QR code to scan")
    return mark_safe(svg)  # noqa: S308


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def confirm_authenticator(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Turn two-factor sign-in on if `code` comes from the new app; returns fresh recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
        if not device.verify_token(_digits(code)):
            record_security_event(
                kind=SecurityEventKind.TWO_FACTOR_FAILED, request=request, user=request.user, details={"step": "setup"}
            )
            return None
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        codes = _replace_recovery_codes(request.user)
        record_security_event(kind=SecurityEventKind.TWO_FACTOR_ENROLLED, request=request, user=request.user)
    otp_login(request, device)
    return codes


def verify(*, request, code: str = "", recovery_code: str = "") -> bool:
    """Check a code from the app, or a recovery code (used up), and mark the session verified."""
    user = request.user
    if recovery_code:
        device = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME, confirmed=True).first()
        token, method = _digits(recovery_code).lower(), "recovery code"
    else:
        device = authenticator(user)
        token, method = _digits(code), "authenticator app"
    with transaction.atomic():
        locked = type(device).objects.select_for_update().filter(pk=device.pk).first() if device else None
        ok = locked is not None and locked.verify_token(token)
        if ok:
            details = {"method": method}
            if recovery_code:
                details["recovery_codes_left"] = recovery_codes_left(user)
            record_security_event(
                kind=SecurityEventKind.TWO_FACTOR_VERIFIED, request=request, user=user, details=details
            )
        else:
            record_security_event(
                kind=SecurityEventKind.TWO_FACTOR_FAILED, request=request, user=user, details={"method": method}
            )
    if ok:
        otp_login(request, locked)
    return ok


def is_throttled(user) -> bool:
    """Too many wrong codes lately: the devices refuse even a right one for a while."""
    device = authenticator(user)
    return device is not None and not device.verify_is_allowed()[0]


def regenerate_recovery_codes(*, request) -> list[str]:
    """New recovery codes (shown once); the old ones stop working."""
    with transaction.atomic():
        codes = _replace_recovery_codes(request.user)
        record_security_event(kind=SecurityEventKind.RECOVERY_CODES_REGENERATED, request=request, user=request.user)
    return codes


def disable(*, request, code: str) -> bool:
    """Turn two-factor sign-in off, confirmed with a current code from the app."""
    device = authenticator(request.user)
    if device is None:
        return False
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(_digits(code)):
            record_security_event(
                kind=SecurityEventKind.TWO_FACTOR_FAILED,
                request=request,
                user=request.user,
                details={"step": "disable"},
            )
            return False
        TOTPDevice.objects.filter(user=request.user).delete()
        StaticDevice.objects.filter(user=request.user).delete()
        record_security_event(kind=SecurityEventKind.TWO_FACTOR_DISABLED, request=request, user=request.user)
    request.session.pop(_NOTHING_NEEDED, None)
    return True


def _replace_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
