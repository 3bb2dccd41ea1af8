from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.consent_kind import ConsentKind
from ..models.consent_permission import ConsentPermission
from ..models.consent_status import ConsentStatus

if TYPE_CHECKING:
    from ..models.consent_payment import ConsentPayment


T = TypeVar("T", bound="Consent")


@_attrs_define
class Consent:
    """
    Attributes:
        id (str):
        kind (ConsentKind): * `account_access` - Account access
            * `payment` - Payment
        status (ConsentStatus): * `awaiting_authorisation` - Awaiting authorisation
            * `authorised` - Authorised
            * `rejected` - Rejected
            * `revoked` - Revoked
            * `expired` - Expired
            * `consumed` - Consumed
        permissions (list[ConsentPermission]):
        expires_at (datetime.datetime):
        created_at (datetime.datetime):
        status_changed_at (datetime.datetime):
        authorised_at (datetime.datetime | None):
        account_ids (list[str]): Accounts the customer chose to share (empty until authorised).
        revoked_by (None | str): customer, client or staff, once revoked.
        payment (ConsentPayment | None): Payment consents only.
    """

    id: str
    kind: ConsentKind
    status: ConsentStatus
    permissions: list[ConsentPermission]
    expires_at: datetime.datetime
    created_at: datetime.datetime
    status_changed_at: datetime.datetime
    authorised_at: datetime.datetime | None
    account_ids: list[str]
    revoked_by: None | str
    payment: ConsentPayment | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.consent_payment import ConsentPayment

        id = self.id

        kind = self.kind.value

        status = self.status.value

        permissions = []
        for permissions_item_data in self.permissions:
            permissions_item = permissions_item_data.value
            permissions.append(permissions_item)

        expires_at = self.expires_at.isoformat()

        created_at = self.created_at.isoformat()

        status_changed_at = self.status_changed_at.isoformat()

        authorised_at: None | str
        if isinstance(self.authorised_at, datetime.datetime):
            authorised_at = self.authorised_at.isoformat()
        else:
            authorised_at = self.authorised_at

        account_ids = self.account_ids

        revoked_by: None | str
        revoked_by = self.revoked_by

        payment: dict[str, Any] | None
        if isinstance(self.payment, ConsentPayment):
            payment = self.payment.to_dict()
        else:
            payment = self.payment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "status": status,
                "permissions": permissions,
                "expires_at": expires_at,
                "created_at": created_at,
                "status_changed_at": status_changed_at,
                "authorised_at": authorised_at,
                "account_ids": account_ids,
                "revoked_by": revoked_by,
                "payment": payment,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.consent_payment import ConsentPayment

        d = dict(src_dict)
        id = d.pop("id")

        kind = ConsentKind(d.pop("kind"))

        status = ConsentStatus(d.pop("status"))

        permissions = []
        _permissions = d.pop("permissions")
        for permissions_item_data in _permissions:
            permissions_item = ConsentPermission(permissions_item_data)

            permissions.append(permissions_item)

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        status_changed_at = datetime.datetime.fromisoformat(d.pop("status_changed_at"))

        def _parse_authorised_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                authorised_at_type_0 = datetime.datetime.fromisoformat(data)

                return authorised_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        authorised_at = _parse_authorised_at(d.pop("authorised_at"))

        account_ids = cast(list[str], d.pop("account_ids"))

        def _parse_revoked_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revoked_by = _parse_revoked_by(d.pop("revoked_by"))

        def _parse_payment(data: object) -> ConsentPayment | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payment_type_1 = ConsentPayment.from_dict(data)

                return payment_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConsentPayment | None, data)

        payment = _parse_payment(d.pop("payment"))

        consent = cls(
            id=id,
            kind=kind,
            status=status,
            permissions=permissions,
            expires_at=expires_at,
            created_at=created_at,
            status_changed_at=status_changed_at,
            authorised_at=authorised_at,
            account_ids=account_ids,
            revoked_by=revoked_by,
            payment=payment,
        )

        consent.additional_properties = d
        return consent

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
