"""Reads of deposit accounts, as customers and consented third parties see them."""
from __future__ import annotations

from typing import Any

from .models import DepositAccount


def consentable_accounts(*, customer_id: str) -> list[dict[str, Any]]:
    """The accounts a customer may choose to share on a consent page."""
    return [
        {"id": a.id, "name": a.name, "masked_number": a.masked_number, "currency": a.currency}
        for a in DepositAccount.objects.filter(customer_id=customer_id, status=DepositAccount.Status.ACTIVE).order_by("id")
    ]
