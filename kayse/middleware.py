import logging

from django.conf import settings
from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

# Room for a form's other fields and the multipart boundaries around its files.
FORM_FIELDS_MARGIN = 1024 * 1024


def largest_request_bytes() -> int:
    """The largest request body the app reads: its biggest upload (documents or an import), and its form."""
    return max(settings.DOCUMENT_MAX_REQUEST_BYTES, settings.IMPORT_MAX_UPLOAD_BYTES) + FORM_FIELDS_MARGIN


class RequestSizeMiddleware:
    """Refuses a body larger than any upload the app takes before anything reads it.

    Django's CSRF check reads a POST, files and all, before the view runs, so a view's own
    size check comes after the body was written to a temporary file: anyone holding a CSRF
    cookie (the sign-in page hands one out) could send gigabytes to any form. Listed before
    CsrfViewMiddleware; its answer still passes through the middleware that adds the
    security headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= largest_request_bytes():
            return None
        message = f"That upload is larger than {filesizeformat(largest_request_bytes())} in total."
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"ok": False, "error": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)


class SecurityHeadersMiddleware:
    """Sends the project's CSP (no inline script, nothing from elsewhere) and its
    Permissions-Policy (no camera, microphone, location, payment or device access) on
    every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class StatementTimeoutMiddleware:
    """Turns a query PostgreSQL cancelled at DB_STATEMENT_TIMEOUT into a page that says so (503),
    instead of a bare server error; the slow request is logged with its path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        logger.warning("Statement timeout (%s) on %s %s", settings.DB_STATEMENT_TIMEOUT, request.method, request.path)
        seconds = int(settings.DB_STATEMENT_TIMEOUT.total_seconds())
        message = f"The database took longer than {seconds} s to answer, so the request was stopped."
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"ok": False, "error": message}, status=503)
        return render(request, "503.html", {"message": message}, status=503)


def is_statement_timeout(exception) -> bool:
    """A PostgreSQL query cancelled by statement_timeout (Django wraps psycopg's QueryCanceled)."""
    try:
        from psycopg.errors import QueryCanceled
    except ImportError:  # pragma: no cover - psycopg is in requirements.txt
        return False
    return isinstance(exception, OperationalError) and isinstance(exception.__cause__, QueryCanceled)
