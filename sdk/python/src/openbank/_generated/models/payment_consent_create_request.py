from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.payment_consent_create_kind_enum import PaymentConsentCreateKindEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="PaymentConsentCreateRequest")


@_attrs_define
class PaymentConsentCreateRequest:
    """Ask the customer to authorise exactly one payment.

    Attributes:
        kind (PaymentConsentCreateKindEnum): * `payment` - payment
        amount (MoneyRequest): An amount of money: a decimal string (never a JSON number) and its currency.
        creditor_account_number (str):
        creditor_name (str):
        reference (str | Unset):  Default: ''.
        expires_at (datetime.datetime | Unset): Default: one day from now.
    """

    kind: PaymentConsentCreateKindEnum
    amount: MoneyRequest
    creditor_account_number: str
    creditor_name: str
    reference: str | Unset = ""
    expires_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        amount = self.amount.to_dict()

        creditor_account_number = self.creditor_account_number

        creditor_name = self.creditor_name

        reference = self.reference

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "amount": amount,
                "creditor_account_number": creditor_account_number,
                "creditor_name": creditor_name,
            }
        )
        if reference is not UNSET:
            field_dict["reference"] = reference
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_request import MoneyRequest

        d = dict(src_dict)
        kind = PaymentConsentCreateKindEnum(d.pop("kind"))

        amount = MoneyRequest.from_dict(d.pop("amount"))

        creditor_account_number = d.pop("creditor_account_number")

        creditor_name = d.pop("creditor_name")

        reference = d.pop("reference", UNSET)

        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        payment_consent_create_request = cls(
            kind=kind,
            amount=amount,
            creditor_account_number=creditor_account_number,
            creditor_name=creditor_name,
            reference=reference,
            expires_at=expires_at,
        )

        return payment_consent_create_request
