"""Bearer-token authentication that knows consents, with a token cache.

`request.auth` is a `TokenInfo`: the client, the customer (for tokens a customer
authorised), the scopes and the consent the token is bound to. A validated token is cached
(Redis in production, as JSON this module writes) for at most TOKEN_CACHE_SECONDS and
never beyond its expiry, so a request costs no database query for its token; revoking a
token or a consent deletes the cache entries, so it stops at once. The same Redis round
trip counts the request against its client's rate limit (docs/decisions/0005-hot-paths.md).
A token the cache does not know costs one query.
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.functional import SimpleLazyObject
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework.request import Request

from apps.core.cache import cache_delete_many, cache_get_and_count, cache_get_bytes, cache_set_bytes
from apps.core.errors import InvalidToken
from apps.core.throttling import COUNTED_ATTRIBUTE, ClientRateThrottle

from .models import ClientProfile, Consent, TokenBinding

CACHE_PREFIX = "oauth:token:"


class ConsentNotAuthorised(InvalidToken):
    code = "consent_not_authorised"
    title = "The consent behind this token is no longer authorised"


@dataclass(frozen=True)
class TokenInfo:
    token_checksum: str
    application_id: int
    client_id: str
    client_kind: str
    user_id: int | None
    customer_id: str | None
    scopes: frozenset[str]
    expires_at: float
    consent_id: str | None = None
    consent_kind: str | None = None
    consent_status: str | None = None
    consent_expires_at: float | None = None
    consent_permissions: tuple[str, ...] = ()
    consent_account_ids: tuple[str, ...] = ()

    # The interface DOT's permission classes expect of request.auth.
    @property
    def scope(self) -> str:
        return " ".join(sorted(self.scopes))

    def allow_scopes(self, scopes: list[str] | tuple[str, ...] | set[str]) -> bool:
        return set(scopes) <= self.scopes

    def is_valid(self, scopes: list[str] | None = None) -> bool:
        return self.expires_at > time.time() and self.allow_scopes(scopes or [])

    @property
    def is_customer_token(self) -> bool:
        return self.customer_id is not None

    def has_permission(self, permission: str) -> bool:
        return permission in self.consent_permissions

    def to_cache(self) -> bytes:
        data = asdict(self)
        data["scopes"] = sorted(self.scopes)
        return orjson.dumps(data)

    @classmethod
    def from_cache(cls, raw: bytes) -> TokenInfo:
        """Raises ValueError, KeyError or TypeError for an entry of another shape."""
        loaded = orjson.loads(raw)
        # Only known fields: an entry cached by an older release is read, not crashed on.
        data = {name: value for name, value in loaded.items() if name in cls.__dataclass_fields__}
        data["scopes"] = frozenset(data["scopes"])
        data["consent_permissions"] = tuple(data["consent_permissions"])
        data["consent_account_ids"] = tuple(data["consent_account_ids"])
        return cls(**data)


def token_checksum(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# What a forgotten token's cache entry holds for one cache lifetime. A request that read the
# token's rows just before a revocation committed may write its (live) validation after the
# forget ran; it writes only into an empty entry (`only_if_absent`), so the marker wins and
# every validation of that token reads the database until the marker expires.
FORGOTTEN = b"forgotten"


def forget_tokens(checksums: list[str]) -> None:
    """Drop cached validations (after revocation, consent changes): each entry becomes the
    `FORGOTTEN` marker for one cache lifetime, which no earlier reader can overwrite."""
    ttl = settings.TOKEN_CACHE_SECONDS
    if not ttl:
        cache_delete_many(CACHE_PREFIX + c for c in checksums)
        return
    for checksum in checksums:
        cache_set_bytes(CACHE_PREFIX + checksum, FORGOTTEN, ttl=ttl)


@functools.cache
def _load_sql() -> str:
    """One query for everything a token's validation needs, the binding even when the token
    is gone (to say why). Written out: it runs for the first request of every token (every
    payment's token is new), where five joined model objects cost milliseconds."""
    from apps.customers.models import Customer

    token, application = get_access_token_model()._meta, get_application_model()._meta
    profile, customer = ClientProfile._meta, Customer._meta
    binding, consent = TokenBinding._meta, Consent._meta

    def column(meta: Any, name: str) -> str:
        return str(meta.get_field(name).column)

    # Identifiers come from model metadata; the values are parameters.
    return f"""
SELECT t.{column(token, "scope")}, t.{column(token, "expires")}, t.{column(token, "application")},
       a.{column(application, "client_id")}, p.{column(profile, "kind")}, t.{column(token, "user")}, c.{column(customer, "id")},
       k.{column(consent, "id")}, k.{column(consent, "kind")}, k.{column(consent, "status")},
       k.{column(consent, "expires_at")}, k.{column(consent, "permissions")}, k.{column(consent, "account_ids")}
  FROM (SELECT 1 AS one) AS one
  LEFT JOIN {token.db_table} t ON t.{column(token, "token_checksum")} = %s
  LEFT JOIN {application.db_table} a ON a.{column(application, "id")} = t.{column(token, "application")}
  LEFT JOIN {profile.db_table} p ON p.{column(profile, "application")} = a.{column(application, "id")}
  LEFT JOIN {customer.db_table} c ON c.{column(customer, "user")} = t.{column(token, "user")}
  LEFT JOIN {binding.db_table} b ON b.{column(binding, "token_checksum")} = %s
  LEFT JOIN {consent.db_table} k ON k.{column(consent, "id")} = b.{column(binding, "consent")}
"""  # noqa: S608


def _json_list(value: Any) -> tuple[str, ...]:
    return tuple(json.loads(value) if isinstance(value, str | bytes) else value or ())


def _load(checksum: str) -> TokenInfo:
    with connection.cursor() as cursor:
        cursor.execute(_load_sql(), [checksum, checksum])
        (scope, expires, application_id, client_id, client_kind, user_id, customer_id,
         consent_id, consent_kind, consent_status, consent_expires, permissions, account_ids) = cursor.fetchone()
    if application_id is None:
        if consent_id is not None and consent_status != Consent.Status.AUTHORISED:
            raise _consent_error(consent_status)
        raise InvalidToken("The access token is unknown, expired or revoked.")
    return TokenInfo(
        token_checksum=checksum,
        application_id=application_id,
        client_id=client_id,
        client_kind=client_kind or "",
        user_id=user_id,
        customer_id=customer_id,
        scopes=frozenset(scope.split()),
        expires_at=_aware(expires).timestamp(),
        consent_id=consent_id,
        consent_kind=consent_kind,
        consent_status=consent_status,
        consent_expires_at=_aware(consent_expires).timestamp() if consent_id is not None else None,
        consent_permissions=_json_list(permissions) if consent_id is not None else (),
        consent_account_ids=_json_list(account_ids) if consent_id is not None else (),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite keeps UTC without offset


def _consent_error(status: str) -> ConsentNotAuthorised:
    code = {
        Consent.Status.REVOKED: "consent_revoked",
        Consent.Status.EXPIRED: "consent_expired",
        Consent.Status.CONSUMED: "consent_consumed",
        Consent.Status.REJECTED: "consent_rejected",
    }.get(status, "consent_not_authorised")  # type: ignore[call-overload]
    return ConsentNotAuthorised(f"The consent this token was issued under is {status}.", code=code)


# Which client a token belongs to never changes: remembering it lets a request read the
# token's cache entry and count itself against its client's rate limit in one round trip.
_TOKEN_CLIENTS: dict[str, int] = {}
_TOKEN_CLIENTS_MAX = 100_000


def resolve_token(raw: str) -> TokenInfo:
    """The token's TokenInfo, or InvalidToken."""
    return resolve_token_and_count(raw)[0]


def resolve_token_and_count(
    raw: str, *, count: Callable[[int], tuple[str, int] | None] | None = None
) -> tuple[TokenInfo, tuple[str, int] | None]:
    """`resolve_token`, and the request counted on the counter `count(application_id)`
    names, in the same round trip: (counter, new count); None when it was not counted (a
    token this process has not seen yet, or no limit)."""
    checksum = token_checksum(raw)
    ttl = settings.TOKEN_CACHE_SECONDS
    info: TokenInfo | None = None
    counted: tuple[str, int] | None = None
    if ttl:
        application_id = _TOKEN_CLIENTS.get(checksum)
        counter = count(application_id) if count is not None and application_id is not None else None
        if counter is not None:
            cached, n = cache_get_and_count(CACHE_PREFIX + checksum, counter=counter[0], ttl=counter[1])
            counted = (counter[0], n)
        else:
            cached = cache_get_bytes(CACHE_PREFIX + checksum)
        if cached is not None and cached != FORGOTTEN:
            try:
                info = TokenInfo.from_cache(cached)
            except (ValueError, KeyError, TypeError, AttributeError):
                info = None  # an entry of another shape: validate the token again
    if info is None:
        info = _load(checksum)
        remaining = int(info.expires_at - time.time())
        if ttl and remaining > 0:
            cache_set_bytes(CACHE_PREFIX + checksum, info.to_cache(), ttl=min(ttl, remaining), only_if_absent=True)
    if ttl and checksum not in _TOKEN_CLIENTS:  # also when another process validated it
        if len(_TOKEN_CLIENTS) >= _TOKEN_CLIENTS_MAX:
            _TOKEN_CLIENTS.clear()
        _TOKEN_CLIENTS[checksum] = info.application_id
    now = time.time()
    if info.expires_at <= now:
        raise InvalidToken("The access token has expired.", code="token_expired")
    if info.consent_id is not None:
        # A payment consent is consumed by its one payment; the token issued for it may still
        # read that payment and replay the idempotent response (the payment service refuses a
        # second payment under the consent's row lock).
        consumed_payment = info.consent_kind == Consent.Kind.PAYMENT and info.consent_status == Consent.Status.CONSUMED
        if info.consent_status != Consent.Status.AUTHORISED and not consumed_payment:
            raise _consent_error(info.consent_status or "")
        if info.consent_expires_at is not None and info.consent_expires_at <= now:
            raise _consent_error(Consent.Status.EXPIRED)
    return info, counted


def _client_counter(application_id: int) -> tuple[str, int] | None:
    return ClientRateThrottle.client_counter(application_id, time.time())


class BearerTokenAuthentication(OAuth2Authentication):
    """Authorization: Bearer <token> (header only: tokens in URLs leak into logs)."""

    def authenticate(self, request: Request) -> tuple[Any, TokenInfo] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise InvalidToken("Send the access token as `Authorization: Bearer <token>`.")
        info, counted = resolve_token_and_count(raw.strip(), count=_client_counter)
        if counted is not None:
            setattr(request, COUNTED_ATTRIBUTE, counted)
        user_id = info.user_id
        user = SimpleLazyObject(lambda: get_user_model().objects.get(pk=user_id)) if user_id else None
        return user, info

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
