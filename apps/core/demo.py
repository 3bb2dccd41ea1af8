"""Shared helpers for the apps' demo seeds."""
from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def demo_secret(name: str, length: int = 40) -> str:
    """A stable secret for demo object `name`, derived from SECRET_KEY (never hard-coded)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo:{name}".encode(), hashlib.sha256).hexdigest()
    return digest[:length]


def seed(output: dict) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    password = "admin-" + demo_secret("admin-password", 12)
    admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
    admin.is_staff = admin.is_superuser = True
    if created:  # never reset on a rerun: that would sign the admin out (see seed.py)
        admin.set_password(password)
    admin.save()
    output["admin"] = {"username": "admin", "password": password}
