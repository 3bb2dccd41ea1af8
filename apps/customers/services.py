"""Writes for customers. Every one takes a keyword `actor` (apps.core.actors)."""
from __future__ import annotations

import logging

from django.db import transaction

from apps.core.actors import Actor

from .models import Customer

logger = logging.getLogger(__name__)


@transaction.atomic
def customer_kyc_set(*, actor: Actor, customer: Customer, status: str) -> str | None:
    """Set the customer's KYC status; returns the previous status, or None when unchanged."""
    if status not in Customer.KycStatus.values:
        raise ValueError(f"unknown KYC status {status!r}")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    previous = locked.kyc_status
    if previous == status:
        return None
    locked.kyc_status = status
    locked.save(update_fields=["kyc_status"])
    customer.kyc_status = status
    logger.info("customer %s KYC %s -> %s by %s", customer.pk, previous, status, actor)
    return previous
