from django.conf import settings


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
