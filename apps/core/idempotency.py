"""Idempotency-Key semantics, after Stripe.

- same key, same body: the first response is replayed with `Idempotent-Replayed: true`;
- same key, another body: 422 `idempotency_key_reused`;
- same key while the first request still runs: 409 `idempotency_key_in_use`;
- keys are scoped to the calling client (and customer) and kept IDEMPOTENCY_KEY_TTL.

The claim is committed before the work starts, so concurrent requests see it. The work
and the stored response commit together in one transaction: a crash leaves either both
or neither. A request that fails (any error) releases its claim and writes nothing, so
the client may retry the same key once it has fixed the cause.

A claim whose request has not finished within IDEMPOTENCY_LOCK_TIMEOUT (a crashed worker)
may be taken over by a retry, which stamps its own `locked_at` on the claim. `locked_at`
is therefore the claim's owner token: the first request stores its response and releases
the claim only with a conditional UPDATE/DELETE on the `locked_at` it stamped, so a slow
first request that lost its claim rolls its work back instead of moving the money a
second time.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import Conflict, Unprocessable, ValidationFailed, field_error
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyMissing(ValidationFailed):
    code = "idempotency_key_required"
    title = "An Idempotency-Key header is required"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    title = "This Idempotency-Key was used with a different request"


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"
    title = "A request with this Idempotency-Key is still being processed"


def _scope_of(request: Request) -> str:
    auth = request.auth
    client = getattr(auth, "application_id", None) or "anonymous"
    customer = getattr(auth, "customer_id", None) or "-"
    return f"{client}:{customer}"


def _fingerprint(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    except TypeError:
        body = request.body.decode("utf-8", "replace")
    material = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Insert the claim, or return the replay / raise the conflict for an existing one."""
    now = timezone.now()
    expires = now + settings.IDEMPOTENCY_KEY_TTL
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint, locked_at=now, expires_at=expires
                )
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(scope=scope, key=key).first()
            if existing is None:
                continue  # released between our insert and our read: try again
            if existing.expires_at <= now:
                IdempotencyKey.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
                continue
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was first used with another request; use a new key for a new request."
                ) from None
            if existing.state == IdempotencyKey.State.COMPLETED:
                return _replay(existing)
            stale = existing.locked_at <= now - settings.IDEMPOTENCY_LOCK_TIMEOUT
            if stale:
                if _take_over(existing, now=now):
                    return existing
                continue  # completed, released or taken by another retry meanwhile: look again
            raise IdempotencyKeyInUse(
                "The first request with this Idempotency-Key has not finished; retry shortly.",
                headers={"Retry-After": "1"},
            ) from None
    raise IdempotencyKeyInUse("Could not claim the Idempotency-Key; retry shortly.", headers={"Retry-After": "1"})


def _take_over(existing: IdempotencyKey, *, now: Any) -> bool:
    """Stamp our lock time on a stale claim, if it is still the one we read and in progress.

    Conditional on the state too: if its owner stores its response after we read the claim,
    our UPDATE matches nothing (on PostgreSQL it waits for the owner's row lock, then re-checks
    this WHERE) and the caller replays instead of doing the work again.
    """
    taken = IdempotencyKey.objects.filter(
        pk=existing.pk, locked_at=existing.locked_at, state=IdempotencyKey.State.IN_PROGRESS
    ).update(locked_at=now)
    if taken:
        existing.locked_at = now
    return bool(taken)


def _replay(record: IdempotencyKey) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in record.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


_REPLAYED_HEADERS = ("Location",)


def idempotent(*, required: bool = True) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a DRF view method (post) so that it honours Idempotency-Key."""

    def decorator(handler: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get(HEADER, "").strip()
            if not key:
                if required:
                    raise IdempotencyKeyMissing(
                        "Send an Idempotency-Key header (e.g. a UUID) so that a retry cannot act twice.",
                        errors=[field_error(HEADER, "required", "This header is required.")],
                    )
                with transaction.atomic():
                    return handler(view, request, *args, **kwargs)
            if len(key) > MAX_KEY_LENGTH:
                raise ValidationFailed(
                    "Idempotency-Key is too long.",
                    code="idempotency_key_invalid",
                    errors=[field_error(HEADER, "max_length", f"At most {MAX_KEY_LENGTH} characters.")],
                )
            claimed = _claim(_scope_of(request), key, _fingerprint(request))
            if isinstance(claimed, Response):
                return claimed
            try:
                with transaction.atomic():
                    response = handler(view, request, *args, **kwargs)
                    if response.status_code >= 400:
                        raise _HandlerFailed(response)
                    if not _complete(claimed, response):
                        # A retry took the claim over: it does the work; ours rolls back.
                        raise _ClaimLost(
                            "This request took too long and a retry with the same Idempotency-Key took over; "
                            "nothing was done by this one. Retry to get the retry's response.",
                            headers={"Retry-After": "1"},
                        )
                return response
            except _HandlerFailed as failed:
                _release(claimed)
                return failed.response
            except _ClaimLost:
                raise  # the claim is the retry's now: not ours to release
            except BaseException:
                _release(claimed)
                raise

        wrapper.idempotency_required = required  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _owned(claim: IdempotencyKey) -> QuerySet[IdempotencyKey]:
    """The claim row, only while it is still ours (no retry has stamped its own lock time)."""
    return IdempotencyKey.objects.filter(
        pk=claim.pk, locked_at=claim.locked_at, state=IdempotencyKey.State.IN_PROGRESS
    )


def _complete(claim: IdempotencyKey, response: Response) -> bool:
    """Store the response on the claim if we still own it; False if a retry took it over."""
    return bool(
        _owned(claim).update(
            state=IdempotencyKey.State.COMPLETED,
            response_status=response.status_code,
            response_body=response.data,
            response_headers={h: response[h] for h in _REPLAYED_HEADERS if h in response},
        )
    )


def _release(claim: IdempotencyKey) -> None:
    """Give the key back after a failure, unless a retry owns it by now."""
    _owned(claim).delete()


class _ClaimLost(IdempotencyKeyInUse):
    """Our claim was taken over by a retry: 409 idempotency_key_in_use, our work rolled back."""


class _HandlerFailed(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def purge_expired(*, batch_size: int = 5000) -> int:
    """Delete expired keys in batches; returns how many went."""
    deleted = 0
    cutoff = timezone.now()
    while True:
        ids = list(IdempotencyKey.objects.filter(expires_at__lte=cutoff).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]


__all__ = ["HEADER", "idempotent", "purge_expired"]
