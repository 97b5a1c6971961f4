"""The API's readable docs: Redoc from the app's own static files (drf-spectacular-sidecar),
no web fonts from elsewhere. Redoc styles itself inline and searches in a blob worker, so this
page (which shows the schema, no client data) relaxes the site's CSP for exactly that."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

DOCS_CSP = settings.CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "script-src 'self'", "script-src 'self'; worker-src blob:"
)


class ApiDocsView(SpectacularRedocView):
    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response
