"""A deleted (revoked, expired, rotated) access token leaves the token cache at once."""
from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import get_access_token_model

from .authentication import forget_tokens


@receiver(post_delete, sender=get_access_token_model())
def forget_deleted_token(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_tokens([instance.token_checksum])


@receiver(post_save, sender=get_access_token_model())
def forget_changed_token(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        forget_tokens([instance.token_checksum])
