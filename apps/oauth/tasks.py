"""Thin, idempotent Celery tasks for OAuth housekeeping (scheduled by CELERY_BEAT_SCHEDULE)."""
from __future__ import annotations

from celery import shared_task
from oauth2_provider.models import clear_expired

from apps.core.actors import Actor

from .services import code_redemptions_purge, consent_expire_due, token_bindings_purge


@shared_task
def expire_consents() -> int:
    """Consents past their expiry become expired; their tokens are revoked."""
    return consent_expire_due(actor=Actor.system("oauth.expire_consents"))


@shared_task
def clear_expired_tokens() -> int:
    """DOT's batched clear_expired(), then bindings (older than 2 days) whose token is gone and
    exchanged codes whose tokens are all gone."""
    clear_expired()
    actor = Actor.system("oauth.clear_expired_tokens")
    return token_bindings_purge(actor=actor) + code_redemptions_purge(actor=actor)
