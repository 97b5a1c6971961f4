"""What the OpenAPI schema says beyond the views: bearer tokens, and the one error shape
every operation may answer with."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.hooks import postprocess_schema_enums

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable, e.g. invalid, not_found, insufficient_scope."},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Each bad field (phones.0.number for nested ones) with its messages.",
                },
            },
        }
    },
}
ERROR_RESPONSES = {
    "400": "Bad input: `fields` names each bad field.",
    "401": "No token, or an unknown, revoked or expired one.",
    "403": "The token lacks the scope, or its user the permission.",
    "404": "No such object.",
    "409": "The change conflicts with the object's state.",
    "415": "The body is not JSON (or, for an upload, multipart/form-data).",
    "429": "Too many requests for this token (API_RATE_LIMIT).",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token made by an Admin."}


def add_error_responses(result, generator, request, public):
    """Every operation documents the error shape for each error status it can answer."""
    result = postprocess_schema_enums(result, generator)
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result
