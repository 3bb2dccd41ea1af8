from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="ConsentPayment")


@_attrs_define
class ConsentPayment:
    """
    Attributes:
        amount (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        creditor_account_number (str):
        creditor_name (str):
        reference (str):
        debtor_account_id (None | str): The account the customer chose to pay from, once authorised.
    """

    amount: Money
    creditor_account_number: str
    creditor_name: str
    reference: str
    debtor_account_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        creditor_account_number = self.creditor_account_number

        creditor_name = self.creditor_name

        reference = self.reference

        debtor_account_id: None | str
        debtor_account_id = self.debtor_account_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "creditor_account_number": creditor_account_number,
                "creditor_name": creditor_name,
                "reference": reference,
                "debtor_account_id": debtor_account_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        amount = Money.from_dict(d.pop("amount"))

        creditor_account_number = d.pop("creditor_account_number")

        creditor_name = d.pop("creditor_name")

        reference = d.pop("reference")

        def _parse_debtor_account_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        debtor_account_id = _parse_debtor_account_id(d.pop("debtor_account_id"))

        consent_payment = cls(
            amount=amount,
            creditor_account_number=creditor_account_number,
            creditor_name=creditor_name,
            reference=reference,
            debtor_account_id=debtor_account_id,
        )

        consent_payment.additional_properties = d
        return consent_payment

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
