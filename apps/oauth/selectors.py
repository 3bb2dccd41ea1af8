"""Reads of consents and OAuth clients."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ClientProfile, Consent


def consentable_accounts(*, customer_id: str) -> list[dict[str, Any]]:
    """The accounts a customer may share on a consent page: dicts with `id`, `name`,
    `masked_number` and `currency`.

    Deposit accounts belong to a higher app (accounts imports oauth for its tokens), so oauth
    reads them through the selector the setting CONSENT_ACCOUNTS_SELECTOR names (decision 0008)
    instead of importing it.
    """
    selector = import_string(settings.CONSENT_ACCOUNTS_SELECTOR)
    return list(selector(customer_id=customer_id))


def consents_for_client(*, application_id: int) -> QuerySet[Consent]:
    return Consent.objects.filter(application_id=application_id)


def client_display_name(*, application: Any) -> str:
    profile = ClientProfile.objects.filter(application=application).first()
    return profile.display_name if profile else application.name


@dataclass
class ConnectedApp:
    application_id: int
    display_name: str
    consents: list[Consent] = field(default_factory=list)


def connected_apps(*, customer_id: str) -> list[ConnectedApp]:
    """The customer's authorised, unexpired consents, grouped by app (by name, then app)."""
    consents = (
        Consent.objects.filter(
            customer_id=customer_id, status=Consent.Status.AUTHORISED, expires_at__gt=timezone.now()
        )
        .select_related("application", "application__profile")
        .order_by("application_id", "-authorised_at")
    )
    apps: dict[int, ConnectedApp] = {}
    for consent in consents:
        application = consent.application
        profile = getattr(application, "profile", None)
        entry = apps.setdefault(
            application.pk,
            ConnectedApp(application.pk, profile.display_name if profile else application.name),
        )
        entry.consents.append(consent)
    return sorted(apps.values(), key=lambda a: (a.display_name.lower(), a.application_id))
