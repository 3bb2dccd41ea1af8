"""HTTP conditional reads (RFC 9110 §8.8.3, §13.1.2): a strong `ETag` and `304 Not Modified`.

Clients poll statements, balances, accounts and loans. Every such read answers with a strong
`ETag`; a request with `If-None-Match` naming it gets `304 Not Modified` with no body. A view
calls these helpers only AFTER its authentication, scope, consent and visibility checks, so a
304 says nothing a full read would not.

A validator is a tuple of everything the representation depends on:
- a version of the data that moves in the same transaction as the data (an account's posting
  count), or the response data itself when no cheap version exists (`etag_of_data`);
- whatever changes what the caller may see: the token's consent and its window, filters,
  cursor, limit;
- the representation: the negotiated media type (an indented body is other bytes).
So no ETag is valid across consents, filters or representations.

`Cache-Control: private, no-cache` lets the client keep the body but makes it revalidate
every time; shared caches never store it (the answer depends on the Authorization header).
`Vary: Accept, Authorization` says so to any HTTP cache a client puts in front of itself.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.utils.cache import patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

CACHE_CONTROL = "private, no-cache"
VARY = ("Accept", "Authorization")


def etag_for(*parts: Any) -> str:
    """A strong entity tag from the validator's parts (their repr, hashed)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def etag_of_data(data: Any, *parts: Any) -> str:
    """A strong entity tag from the response data itself, for reads with no cheaper version."""
    body = orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return etag_for(hashlib.blake2b(body, digest_size=16).hexdigest(), *parts)


def representation(request: Request) -> str:
    """The negotiated media type with its parameters (e.g. `application/json; indent=2`)."""
    return str(getattr(request, "accepted_media_type", "") or "")


def if_none_match(request: Request, etag: str) -> bool:
    """True if `If-None-Match` names `etag` (or is `*`). The comparison is weak, as RFC 9110
    §13.1.2 asks for this header: `W/"x"` matches `"x"`."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in _split(header))


def _split(header: str) -> Sequence[str]:
    return [tag for tag in header.split(",") if tag.strip()]


def not_modified(etag: str) -> Response:
    """304: no body, the validator headers a 200 would carry (RFC 9110 §15.4.5)."""
    return with_etag(Response(status=304), etag)


def with_etag(response: Response, etag: str) -> Response:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, VARY)
    return response


def conditional_read(request: Request, *, validator: tuple[Any, ...], build: Callable[[], Response]) -> Response:
    """304 if the client holds the representation at `validator`, else `build()` with its ETag.

    Use when a cheap version exists: `build` (the expensive read) runs only on a miss. The
    version must be read before the data `build` reads, so a body can be newer than its
    ETag but never older (the next revalidation then fetches again)."""
    etag = etag_for(*validator, representation(request))
    if if_none_match(request, etag):
        return not_modified(etag)
    return with_etag(build(), etag)


def conditional_data(request: Request, data: Any, *, scope: tuple[Any, ...] = (), status: int = 200) -> Response:
    """304 or `data` with a strong ETag of the data itself and `scope` (consent, filters)."""
    etag = etag_of_data(data, *scope, representation(request))
    if if_none_match(request, etag):
        return not_modified(etag)
    return with_etag(Response(data, status=status), etag)
