"""Customer writes name their actor."""
from __future__ import annotations

from typing import Any

import pytest

from apps.core.actors import Actor
from apps.customers.models import Customer
from apps.customers.services import customer_kyc_set
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_kyc_status_change_is_logged_with_its_actor(caplog: Any) -> None:
    customer = make_customer()
    Customer.objects.filter(pk=customer.pk).update(kyc_status=Customer.KycStatus.PENDING)
    customer.refresh_from_db()
    with caplog.at_level("INFO", logger="apps.customers.services"):
        previous = customer_kyc_set(actor=Actor("staff", "7", "ops"), customer=customer, status=Customer.KycStatus.VERIFIED)
    assert previous == Customer.KycStatus.PENDING
    assert Customer.objects.get(pk=customer.pk).kyc_status == Customer.KycStatus.VERIFIED
    assert "by staff:7" in caplog.text
    assert customer_kyc_set(actor=Actor.system(), customer=customer, status=Customer.KycStatus.VERIFIED) is None


def test_unknown_kyc_status_is_refused() -> None:
    with pytest.raises(ValueError):
        customer_kyc_set(actor=Actor.system(), customer=make_customer(), status="maybe")
