"""Project-level views: the health check."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kayse.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception:  # the point of a health check is to report any failure
        logger.exception("Health check: the database cannot be reached")
        return {"ok": False, "vendor": connection.vendor}


def _broker_status() -> dict:
    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception:
        logger.exception("Health check: the broker cannot be reached")
        return {"ok": False, "transport": transport}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Anyone may ask (load balancers do), so a failure's details (hosts, users) go to the log only."""
    status = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(part["ok"] for part in status.values())
    status["status"] = "ok" if healthy else "error"
    return JsonResponse(status, status=200 if healthy else 503)
