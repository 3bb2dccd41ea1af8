from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="PaymentCreateRequest")


@_attrs_define
class PaymentCreateRequest:
    """The one payment a payment consent authorises, exactly as consented.

    Attributes:
        consent_id (str): The authorised payment consent the token was issued under.
        amount (MoneyRequest): An amount of money: a decimal string (never a JSON number) and its currency.
        creditor_account_number (str): Exactly the consented creditor account.
        reference (str | Unset):
    """

    consent_id: str
    amount: MoneyRequest
    creditor_account_number: str
    reference: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        consent_id = self.consent_id

        amount = self.amount.to_dict()

        creditor_account_number = self.creditor_account_number

        reference = self.reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "consent_id": consent_id,
                "amount": amount,
                "creditor_account_number": creditor_account_number,
            }
        )
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_request import MoneyRequest

        d = dict(src_dict)
        consent_id = d.pop("consent_id")

        amount = MoneyRequest.from_dict(d.pop("amount"))

        creditor_account_number = d.pop("creditor_account_number")

        reference = d.pop("reference", UNSET)

        payment_create_request = cls(
            consent_id=consent_id,
            amount=amount,
            creditor_account_number=creditor_account_number,
            reference=reference,
        )

        return payment_create_request
