from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.account_access_consent_create_kind_enum import AccountAccessConsentCreateKindEnum
from ..models.consent_permission import ConsentPermission

T = TypeVar("T", bound="AccountAccessConsentCreateRequest")


@_attrs_define
class AccountAccessConsentCreateRequest:
    """Ask to see (and, for credit, act on) the customer's accounts until `expires_at`.

    Attributes:
        kind (AccountAccessConsentCreateKindEnum): * `account_access` - account_access
        permissions (list[ConsentPermission]): What the app may see or do (at least one; an empty list is 400
            `required`).
        expires_at (datetime.datetime): In the future, at most one year ahead.
    """

    kind: AccountAccessConsentCreateKindEnum
    permissions: list[ConsentPermission]
    expires_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        permissions = []
        for permissions_item_data in self.permissions:
            permissions_item = permissions_item_data.value
            permissions.append(permissions_item)

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "permissions": permissions,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = AccountAccessConsentCreateKindEnum(d.pop("kind"))

        permissions = []
        _permissions = d.pop("permissions")
        for permissions_item_data in _permissions:
            permissions_item = ConsentPermission(permissions_item_data)

            permissions.append(permissions_item)

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        account_access_consent_create_request = cls(
            kind=kind,
            permissions=permissions,
            expires_at=expires_at,
        )

        return account_access_consent_create_request
