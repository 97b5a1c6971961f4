"""Errors as JSON with one shape: {"error": {"code", "message", "fields"}}; `fields` names each
bad field with its messages (a 400 names the field, never a 500)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def conflict(message: str) -> JsonResponse:
    """409: the call is fine but the object's state forbids it (already undone, already on the case)."""
    return JsonResponse(error_body("conflict", message), status=409)


def _flatten(detail) -> dict:
    """DRF's nested error detail as {"field" or "phones.0.number": ["message", …]}."""
    flat = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(item, str) for item in value):
            for index, inner in enumerate(value):
                if inner:
                    walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            messages = value if isinstance(value, list) else [value]
            flat.setdefault(prefix or "non_field_errors", []).extend(str(message) for message in messages)

    walk("", detail)
    return flat


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), ("", ["Invalid input."]))
        message = f"{first[0]}: {first[1][0]}" if first[0] not in ("", "non_field_errors") else first[1][0]
        response.data = error_body("invalid", message, fields)
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body("parse_error", str(exc.detail), {"body": [str(exc.detail)]})
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response


@csrf_exempt
@login_not_required
def api_not_found(request, rest=""):
    """Any other URL under /api/v1/: the API's own 404, in its error shape (not the site's page)."""
    return JsonResponse(error_body("not_found", "No such API URL."), status=404)
