"""Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`, answering
`{"data": [...], "has_more": bool, "next_cursor": str|null}`.

Keyset pagination on the primary key in a fixed direction: stable while rows are added,
and a page costs one indexed range scan however deep the client goes. The cursor is an
opaque, signed token so clients cannot forge positions.

Cursors are signed with keyed BLAKE2b (a MAC in one C call) under a key derived once per
process from SECRET_KEY; Django's `signing` derives its key again on every call, which cost
a statement page more than its rows' money formatting. SECRET_KEY_FALLBACKS still verify,
so rotating the key does not break a client half-way through a list.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
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


@cache
def _cursor_keys(secrets: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(hashlib.sha256(f"{_SALT}:{secret}".encode()).digest() for secret in secrets)


def _keys() -> tuple[bytes, ...]:
    """The signing key first, then the fallbacks' keys (settings may change under tests)."""
    return _cursor_keys((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def _mac(key: bytes, payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=key, digest_size=16).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _encode(*, kind: str, position: Any) -> str:
    payload = json.dumps({"k": kind, "p": position}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(_keys()[0], payload))}"


def _verified_payload(cursor: str) -> Any:
    """The cursor's payload if one of the keys signed it, else None."""
    body, _, signature = cursor.partition(".")
    try:
        payload, mac = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if not any(hmac.compare_digest(mac, _mac(key, payload)) for key in _keys()):
        return None
    try:
        return json.loads(payload)
    except ValueError:
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
