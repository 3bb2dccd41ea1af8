from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_status import PaymentStatus

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="Payment")


@_attrs_define
class Payment:
    """
    Attributes:
        id (str):
        status (PaymentStatus): * `accepted` - Accepted
            * `booked` - Booked
        consent_id (str):
        debtor_account_id (str):
        creditor_account_number (str):
        amount (Money): An amount of money: a decimal string (never a JSON number) and its currency.
        reference (str):
        created_at (datetime.datetime):
        business_date (datetime.date):
    """

    id: str
    status: PaymentStatus
    consent_id: str
    debtor_account_id: str
    creditor_account_number: str
    amount: Money
    reference: str
    created_at: datetime.datetime
    business_date: datetime.date
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        consent_id = self.consent_id

        debtor_account_id = self.debtor_account_id

        creditor_account_number = self.creditor_account_number

        amount = self.amount.to_dict()

        reference = self.reference

        created_at = self.created_at.isoformat()

        business_date = self.business_date.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "consent_id": consent_id,
                "debtor_account_id": debtor_account_id,
                "creditor_account_number": creditor_account_number,
                "amount": amount,
                "reference": reference,
                "created_at": created_at,
                "business_date": business_date,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        status = PaymentStatus(d.pop("status"))

        consent_id = d.pop("consent_id")

        debtor_account_id = d.pop("debtor_account_id")

        creditor_account_number = d.pop("creditor_account_number")

        amount = Money.from_dict(d.pop("amount"))

        reference = d.pop("reference")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        business_date = datetime.date.fromisoformat(d.pop("business_date"))

        payment = cls(
            id=id,
            status=status,
            consent_id=consent_id,
            debtor_account_id=debtor_account_id,
            creditor_account_number=creditor_account_number,
            amount=amount,
            reference=reference,
            created_at=created_at,
            business_date=business_date,
        )

        payment.additional_properties = d
        return payment

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
