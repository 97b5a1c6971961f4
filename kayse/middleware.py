from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

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
