from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.account_status import AccountStatus
from ..models.deposit_account_kind import DepositAccountKind

T = TypeVar("T", bound="Account")


@_attrs_define
class Account:
    """
    Attributes:
        id (str):
        name (str):
        kind (DepositAccountKind): * `current` - Current
            * `savings` - Savings
            * `business` - Business
        currency (str):
        account_number (str):
        masked_number (str):
        status (AccountStatus): * `active` - Active
            * `frozen` - Frozen
            * `closed` - Closed
        opened_at (datetime.datetime):
    """

    id: str
    name: str
    kind: DepositAccountKind
    currency: str
    account_number: str
    masked_number: str
    status: AccountStatus
    opened_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        kind = self.kind.value

        currency = self.currency

        account_number = self.account_number

        masked_number = self.masked_number

        status = self.status.value

        opened_at = self.opened_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "kind": kind,
                "currency": currency,
                "account_number": account_number,
                "masked_number": masked_number,
                "status": status,
                "opened_at": opened_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        kind = DepositAccountKind(d.pop("kind"))

        currency = d.pop("currency")

        account_number = d.pop("account_number")

        masked_number = d.pop("masked_number")

        status = AccountStatus(d.pop("status"))

        opened_at = datetime.datetime.fromisoformat(d.pop("opened_at"))

        account = cls(
            id=id,
            name=name,
            kind=kind,
            currency=currency,
            account_number=account_number,
            masked_number=masked_number,
            status=status,
            opened_at=opened_at,
        )

        account.additional_properties = d
        return account

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
