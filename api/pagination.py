"""Keyset ("cursor") pages: never a COUNT, the same cost on page 1 and page 10,000."""

import base64
import json

from django.db.models import Q
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_SIZE = 50
MAX_SIZE = 200


def _encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(text: str):
    try:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        raise exceptions.ValidationError({"cursor": ["This cursor is not one the API gave out."]}) from None


class KeysetPagination:
    """Pages of a queryset ordered ascending by `fields` (the last one unique, e.g. id)."""

    def __init__(self, fields: tuple[str, ...], *, descending: bool = False):
        self.fields = fields
        self.descending = descending

    def size(self, request) -> int:
        raw = request.query_params.get("page_size", "")
        try:
            return max(1, min(MAX_SIZE, int(raw))) if raw else DEFAULT_SIZE
        except ValueError:
            raise exceptions.ValidationError({"page_size": ["A whole number from 1 to 200."]}) from None

    def after(self, queryset, values):
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise exceptions.ValidationError({"cursor": ["This cursor is not one the API gave out."]})
        op = "lt" if self.descending else "gt"
        condition = Q()
        for index, name in enumerate(self.fields):
            step = Q(**{f"{name}__{op}": values[index]})
            for earlier, value in zip(self.fields[:index], values[:index], strict=False):
                step &= Q(**{earlier: value})
            condition |= step
        return queryset.filter(condition)

    def page(self, request, queryset) -> tuple[list, str | None]:
        size = self.size(request)
        cursor = request.query_params.get("cursor")
        if cursor:
            queryset = self.after(queryset, _decode(cursor))
        prefix = "-" if self.descending else ""
        rows = list(queryset.order_by(*(prefix + name for name in self.fields))[: size + 1])
        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            values = [getattr(last, name) for name in self.fields]
            values = [value.isoformat() if hasattr(value, "isoformat") else value for value in values]
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", _encode(values))
        return rows, next_url

    @staticmethod
    def response(results, next_url) -> Response:
        return Response({"next": next_url, "results": results})
