"""Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`, answering
`{"data": [...], "has_more": bool, "next_cursor": str|null}`.

Keyset pagination on the primary key in a fixed direction: stable while rows are added,
and a page costs one indexed range scan however deep the client goes. The cursor is an
opaque, signed token so clients cannot forge positions.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from .errors import ValidationFailed, field_error

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SALT = "openbank.cursor"

LIST_PARAMETERS = [
    OpenApiParameter("limit", int, description=f"Page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).", required=False),
    OpenApiParameter("cursor", str, description="`next_cursor` from the previous page.", required=False),
]


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise ValidationFailed(
            f"limit must be an integer from 1 to {MAX_LIMIT}.",
            errors=[field_error("limit", "out_of_range", f"From 1 to {MAX_LIMIT}.")],
        )
    return value


def _decode(cursor: str, *, kind: str) -> Any:
    try:
        payload = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise ValidationFailed(
            "The cursor is not valid for this list.",
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid", "Use next_cursor from a previous page of the same list.")],
        )
    return payload["p"]


def paginate(
    request: Request,
    queryset: QuerySet[Any, Any],
    *,
    serialize: Callable[[Sequence[Any]], list[Any]],
    descending: bool = True,
) -> dict[str, Any]:
    """One page of `queryset` (model instances or `.values()` rows with "pk") ordered by
    primary key, newest first by default."""
    limit = _limit(request)
    kind = queryset.model._meta.label_lower
    cursor = request.query_params.get("cursor")
    ordering = "-pk" if descending else "pk"
    queryset = queryset.order_by(ordering)
    if cursor:
        position = _decode(cursor, kind=kind)
        queryset = queryset.filter(pk__lt=position) if descending else queryset.filter(pk__gt=position)
    rows = list(queryset[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = signing.dumps({"k": kind, "p": _position(rows[-1])}, salt=_SALT, compress=True) if has_more else None
    return {"data": serialize(rows), "has_more": has_more, "next_cursor": next_cursor}


def _position(row: Any) -> Any:
    """The primary key of a model instance, or of a `.values()` row (which must include "pk")."""
    return row["pk"] if isinstance(row, dict) else row.pk


def page_serializer(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The OpenAPI shape of a page of `item`, named e.g. `AccountList`."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "data": item(many=True),
            "has_more": serializers.BooleanField(),
            "next_cursor": serializers.CharField(allow_null=True),
            "__module__": item.__module__,
        },
    )
