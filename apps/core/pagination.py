"""Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`, answering
`{"data": [...], "has_more": bool, "next_cursor": str|null}`.

Keyset pagination on the primary key in a fixed direction: stable while rows are added,
and a page costs one indexed range scan however deep the client goes. The cursor is an
opaque token signed with `django.core.signing` (HMAC-SHA256, salted for cursors), so
clients cannot forge positions. SECRET_KEY_FALLBACKS still verify, so rotating the key does
not break a client half-way through a list.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

# The bounds _limit enforces, declared (400 outside them; an empty value is refused by
# PlatformAPIView before this runs).
LIST_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        description=f"Page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        required=False,
    ),
    OpenApiParameter(
        "cursor", {"type": "string", "minLength": 1}, description="`next_cursor` from the previous page.", required=False
    ),
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


def _signer() -> signing.Signer:
    # Made per call: it reads SECRET_KEY and SECRET_KEY_FALLBACKS then (settings may change).
    # No timestamp: a cursor stays valid as long as the list does.
    return signing.Signer(salt=_SALT)


def _encode(*, kind: str, position: Any) -> str:
    return _signer().sign_object({"k": kind, "p": position})


def _verified_payload(cursor: str) -> Any:
    """The cursor's payload if SECRET_KEY or one of its fallbacks signed it, else None."""
    try:
        return _signer().unsign_object(cursor)
    except (signing.BadSignature, ValueError):  # ValueError: a signed body that is not JSON
        return None


def _decode(cursor: str, *, kind: str) -> Any:
    payload = _verified_payload(cursor)
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise ValidationFailed(
            "The cursor is not valid for this list.",
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid", "Use next_cursor from a previous page of the same list.")],
        )
    return payload["p"]


# A page source: given the position to continue after (None for the first page) and how many
# rows to return, the rows in page order, each with a `pk`.
Fetch = Callable[[Any, int], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a list request asks for: the position to continue after (None for the first
    page, else a verified cursor's) and the page size."""

    after: Any
    limit: int


def page_request(request: Request, *, kind: str) -> PageRequest:
    """The validated `limit` and `cursor` of a request for the list `kind`."""
    limit = _limit(request)
    cursor = request.query_params.get("cursor")
    return PageRequest(after=_decode(cursor, kind=kind) if cursor else None, limit=limit)


def page_of(
    fetch: Fetch, page: PageRequest, *, kind: str, serialize: Callable[[Sequence[Any]], list[Any]]
) -> dict[str, Any]:
    """The page `page` asks for from `fetch`, in the list shape, its next cursor for `kind`."""
    rows = list(fetch(page.after, page.limit + 1))
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = _encode(kind=kind, position=rows[-1].pk) if has_more else None
    return {"data": serialize(rows), "has_more": has_more, "next_cursor": next_cursor}


def paginate(
    request: Request,
    queryset: QuerySet[Any, Any],
    *,
    serialize: Callable[[Sequence[Any]], list[Any]],
    descending: bool = True,
) -> dict[str, Any]:
    """One page of `queryset` ordered by primary key, newest first by default. (A
    hand-written page source goes through `page_request` and `page_of` instead.)"""
    kind = queryset.model._meta.label_lower
    fetch = _queryset_fetch(queryset, descending=descending)
    return page_of(fetch, page_request(request, kind=kind), kind=kind, serialize=serialize)


def _queryset_fetch(queryset: QuerySet[Any, Any], *, descending: bool) -> Fetch:
    def fetch(after: Any, count: int) -> Sequence[Any]:
        ordered = queryset.order_by("-pk" if descending else "pk")
        if after is not None:
            ordered = ordered.filter(pk__lt=after) if descending else ordered.filter(pk__gt=after)
        return list(ordered[:count])

    return fetch


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
