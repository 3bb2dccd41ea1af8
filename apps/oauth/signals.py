"""Cached token validations are dropped when what they copied changes: a deleted (revoked,
expired, rotated) or changed access token, or a change to the client (its application or
bank profile: disabled, re-typed, scopes changed; deleting an application deletes its tokens).

Always after commit: until the change commits other requests still read the old rows, and a
validation cached from them before an immediate forget would outlive it by TOKEN_CACHE_SECONDS.
(Outside a transaction `on_commit` runs at once.)
"""
from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import get_access_token_model, get_application_model

from .authentication import forget_tokens
from .models import ClientProfile


def forget_after_commit(checksums: list[str]) -> None:
    if checksums:
        transaction.on_commit(functools.partial(forget_tokens, checksums))


def _forget_application_tokens(application_id: int) -> None:
    checksums = list(
        get_access_token_model().objects.filter(application_id=application_id).values_list("token_checksum", flat=True)
    )
    forget_after_commit(checksums)


@receiver(post_delete, sender=get_access_token_model())
def forget_deleted_token(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_after_commit([instance.token_checksum])


@receiver(post_save, sender=get_access_token_model())
def forget_changed_token(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        forget_after_commit([instance.token_checksum])


@receiver(post_save, sender=get_application_model())
def forget_tokens_of_changed_application(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        _forget_application_tokens(instance.pk)


@receiver(post_save, sender=ClientProfile)
@receiver(post_delete, sender=ClientProfile)
def forget_tokens_of_changed_profile(sender: Any, instance: ClientProfile, **kwargs: Any) -> None:
    _forget_application_tokens(instance.application_id)
