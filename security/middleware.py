"""Staff sessions, the second-factor requirement, and no caching of staff pages.

Each acts on views that require sign-in (LoginRequiredMiddleware's rule): views marked
@login_not_required (the portal, /healthz, the sign-in page) are left alone.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from security import sessions, two_factor
from security.services import current_request

# Pages an unverified user may still open: signing in and out, and the second factor's own pages.
TWO_FACTOR_OPEN_VIEWS = {
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "security:two_factor_verify",
    "security:two_factor_setup",
}
# Responses that may be cached: static files, the health check, the portal's web app manifest.
CACHEABLE_VIEWS = {"healthz", "portal:manifest"}


def _needs_sign_in(view_func) -> bool:
    return getattr(view_func, "login_required", True)


def _go(request, url: str):
    """A redirect that also works for an HTMX request (which would otherwise swap the page in)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class CurrentRequestMiddleware:
    """Makes the request known to the security log's signal receivers (who changed a role)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class StaffSessionMiddleware:
    """Signs staff out after STAFF_SESSION_IDLE without a request or STAFF_SESSION_MAX_AGE in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        message = sessions.expired_message(request.session)
        if message:
            request.staff_session_expired = message  # the security log's sign-out entry says why
            logout(request)
            if not _needs_sign_in(view_func):
                return None
            messages.info(request, message)
            return _go(request, redirect_to_login(request.get_full_path()).url)
        if _needs_sign_in(view_func):
            sessions.touch(request.session)
        return None


class TwoFactorMiddleware:
    """Staff who have a second factor, or must have one (REQUIRE_2FA_*), verify it once per
    session before any staff page; those who must and have none are sent to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not _needs_sign_in(view_func) or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_OPEN_VIEWS:
            return None
        step = two_factor.step_needed(request)
        if not step:
            return None
        page = reverse("security:two_factor_verify" if step == "verify" else "security:two_factor_setup")
        return _go(request, f"{page}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and download but static files, /healthz and
    the portal's manifest: a shared computer's browser cache keeps no client's data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if request.path.startswith(settings.STATIC_URL) or (match is not None and match.view_name in CACHEABLE_VIEWS):
            return response
        add_never_cache_headers(response)
        return response
