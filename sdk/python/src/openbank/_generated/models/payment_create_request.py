from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="PaymentCreateRequest")


@_attrs_define
class PaymentCreateRequest:
    """Refuses fields it does not know (a typo must not silently drop a constraint).

    Attributes:
        consent_id (str): The authorised payment consent the token was issued under.
        amount (MoneyRequest): Refuses fields it does not know (a typo must not silently drop a constraint).
        creditor_account_number (str): Exactly the consented creditor account.
        reference (str | Unset):
    """

    consent_id: str
    amount: MoneyRequest
    creditor_account_number: str
    reference: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        consent_id = self.consent_id

        amount = self.amount.to_dict()

        creditor_account_number = self.creditor_account_number

        reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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

        payment_create_request.additional_properties = d
        return payment_create_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
