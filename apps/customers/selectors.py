from __future__ import annotations

from apps.core.errors import Unprocessable

from .models import Customer


class CustomerNotVerified(Unprocessable):
    code = "kyc_not_verified"
    title = "The customer's identity is not verified"


def customer_id_for_user(*, user_id: int) -> str | None:
    return Customer.objects.filter(user_id=user_id).values_list("id", flat=True).first()


def customer_require_verified(*, customer: Customer) -> None:
    """Only customers whose KYC is verified may apply for credit, draw, repay or pay."""
    if customer.kyc_status != Customer.KycStatus.VERIFIED:
        raise CustomerNotVerified(f"The customer's identity check is {customer.kyc_status}.")
