from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.consent_kind import ConsentKind
from ..models.consent_permission import ConsentPermission
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_request import MoneyRequest


T = TypeVar("T", bound="ConsentCreateRequest")


@_attrs_define
class ConsentCreateRequest:
    """
    Attributes:
        kind (ConsentKind): * `account_access` - Account access
            * `payment` - Payment
        permissions (list[ConsentPermission] | Unset): Account access: what the app may see or do (at least one).
        expires_at (datetime.datetime | Unset): Required for account access (future, at most one year); payments default
            to one day.
        amount (MoneyRequest | Unset): Refuses fields it does not know (a typo must not silently drop a constraint).
        creditor_account_number (str | Unset):
        creditor_name (str | Unset):
        reference (str | Unset):  Default: ''.
    """

    kind: ConsentKind
    permissions: list[ConsentPermission] | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET
    amount: MoneyRequest | Unset = UNSET
    creditor_account_number: str | Unset = UNSET
    creditor_name: str | Unset = UNSET
    reference: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        permissions: list[str] | Unset = UNSET
        if not isinstance(self.permissions, Unset):
            permissions = []
            for permissions_item_data in self.permissions:
                permissions_item = permissions_item_data.value
                permissions.append(permissions_item)

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.amount, Unset):
            amount = self.amount.to_dict()

        creditor_account_number = self.creditor_account_number

        creditor_name = self.creditor_name

        reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
            }
        )
        if permissions is not UNSET:
            field_dict["permissions"] = permissions
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if amount is not UNSET:
            field_dict["amount"] = amount
        if creditor_account_number is not UNSET:
            field_dict["creditor_account_number"] = creditor_account_number
        if creditor_name is not UNSET:
            field_dict["creditor_name"] = creditor_name
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_request import MoneyRequest

        d = dict(src_dict)
        kind = ConsentKind(d.pop("kind"))

        _permissions = d.pop("permissions", UNSET)
        permissions: list[ConsentPermission] | Unset = UNSET
        if _permissions is not UNSET:
            permissions = []
            for permissions_item_data in _permissions:
                permissions_item = ConsentPermission(permissions_item_data)

                permissions.append(permissions_item)

        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        _amount = d.pop("amount", UNSET)
        amount: MoneyRequest | Unset
        if isinstance(_amount, Unset):
            amount = UNSET
        else:
            amount = MoneyRequest.from_dict(_amount)

        creditor_account_number = d.pop("creditor_account_number", UNSET)

        creditor_name = d.pop("creditor_name", UNSET)

        reference = d.pop("reference", UNSET)

        consent_create_request = cls(
            kind=kind,
            permissions=permissions,
            expires_at=expires_at,
            amount=amount,
            creditor_account_number=creditor_account_number,
            creditor_name=creditor_name,
            reference=reference,
        )

        consent_create_request.additional_properties = d
        return consent_create_request

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
