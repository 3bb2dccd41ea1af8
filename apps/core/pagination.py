"""Cursor pagination: `?limit=` (default 20, max 100) and `?cursor=`, answering
`{"data": [...], "has_more": bool, "next_cursor": str|null}`.

Keyset pagination on the primary key in a fixed direction: stable while rows are added,
and a page costs one indexed range scan however deep the client goes. The cursor is
opaque: the position is encrypted and authenticated (AES-256-GCM, key derived from
SECRET_KEY), so clients can neither read internal keys (a posting id would tell the bank's
volume) nor forge positions. It is bound to the list it came from: the list's kind, path and
filters (every query parameter but `cursor` and `limit`) are the cipher's associated data,
so a cursor of one account's statement, or of other filters, is refused (`invalid_cursor`).
SECRET_KEY_FALLBACKS still decrypt, so rotating the key does not break a client half-way
through a list.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac
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


_NONCE = 12
# Query parameters that page through a list rather than choose it.
_PAGING = frozenset({"cursor", "limit"})


def _secrets() -> list[str]:
    # Read per call (settings may change). No expiry: a cursor stays valid as long as the list does.
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _key(secret: str) -> AESGCM:
    return AESGCM(salted_hmac(_SALT, "aes-256-gcm", secret=secret, algorithm="sha256").digest())


def list_scope(request: Request) -> str:
    """What a list is, besides its kind: the path and the filters, in a canonical order."""
    filters = sorted((k, v) for k, values in request.query_params.lists() if k not in _PAGING for v in values)
    return f"{request.path}?{urlencode(filters)}"


def _associated(kind: str, scope: str) -> bytes:
    return f"{kind}\x00{scope}".encode()


def _encode(*, kind: str, scope: str, position: Any) -> str:
    secret = _secrets()[0]
    plain, associated = json.dumps(position).encode(), _associated(kind, scope)
    # The nonce is a MAC of what is sealed (as in AES-GCM-SIV), not random: the same page
    # always carries the same cursor, so its body matches its strong ETag byte for byte; a
    # nonce repeats only with the very same message, which then seals to the same bytes.
    nonce = salted_hmac(_SALT + ".nonce", associated + b"\x00" + plain, secret=secret, algorithm="sha256").digest()[:_NONCE]
    sealed = _key(secret).encrypt(nonce, plain, associated)
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def _opened_position(cursor: str, *, kind: str, scope: str) -> tuple[bool, Any]:
    """(True, position) if SECRET_KEY or a fallback sealed it for this list, else (False, None)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):  # ValueError: non-ASCII characters
        return False, None
    if len(raw) <= _NONCE:
        return False, None
    for secret in _secrets():
        try:
            plain = _key(secret).decrypt(raw[:_NONCE], raw[_NONCE:], _associated(kind, scope))
        except InvalidTag:
            continue
        return True, json.loads(plain)
    return False, None


def _decode(cursor: str, *, kind: str, scope: str) -> Any:
    valid, position = _opened_position(cursor, kind=kind, scope=scope)
    if not valid:
        raise ValidationFailed(
            "The cursor is not valid for this list.",
            code="invalid_cursor",
            errors=[field_error("cursor", "invalid", "Use next_cursor from a previous page of the same list, with the same filters.")],
        )
    return position


# A page source: given the position to continue after (None for the first page) and how many
# rows to return, the rows in page order, each with a `pk`.
Fetch = Callable[[Any, int], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a list request asks for: the position to continue after (None for the first
    page, else a verified cursor's) and the page size."""

    after: Any
    limit: int
    scope: str = ""  # the list the cursors of this page are bound to (list_scope)


def page_request(request: Request, *, kind: str) -> PageRequest:
    """The validated `limit` and `cursor` of a request for the list `kind`."""
    limit = _limit(request)
    cursor = request.query_params.get("cursor")
    scope = list_scope(request)
    return PageRequest(after=_decode(cursor, kind=kind, scope=scope) if cursor else None, limit=limit, scope=scope)


def page_of(
    fetch: Fetch, page: PageRequest, *, kind: str, serialize: Callable[[Sequence[Any]], list[Any]]
) -> dict[str, Any]:
    """The page `page` asks for from `fetch`, in the list shape, its next cursor for `kind`."""
    rows = list(fetch(page.after, page.limit + 1))
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = _encode(kind=kind, scope=page.scope, position=rows[-1].pk) if has_more else None
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
