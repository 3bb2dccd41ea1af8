"""Serializer pieces every API shares, so the contract has one Money shape."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Money")
class MoneySerializer(serializers.Serializer):
    """An amount of money: a decimal string (never a JSON number) and its currency."""

    amount = serializers.CharField(help_text='A decimal string in major units, e.g. "8000.00".')
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. CNY.")


@extend_schema_field(OpenApiTypes.STR)
class StrictAmountField(serializers.Field):
    """A decimal string (or an integer); floats are refused, amounts are parsed exactly later."""

    default_error_messages = {"invalid_amount": 'Give the amount as a decimal string, e.g. "100.00".'}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid_amount")
        return str(data)

    def to_representation(self, value: Any) -> str:
        return str(value)


class StrictCharField(serializers.CharField):
    """A JSON string, never a number coerced to one (account numbers lose leading zeros)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (a typo must not silently drop a constraint)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")] for name in unknown}
                )
        return super().to_internal_value(data)


# Named "Money" too: with COMPONENT_SPLIT_REQUEST the request side becomes `MoneyRequest`,
# the same pairing as every other component (Payment / PaymentCreateRequest).
@extend_schema_serializer(component_name="Money")
class MoneyInputSerializer(StrictSerializer):
    """An amount of money: a decimal string (never a JSON number) and its currency."""

    amount = StrictAmountField(
        help_text='A decimal string in major units, e.g. "100.00"; more decimals than the currency has are refused.'
    )
    currency = StrictCharField(max_length=3, help_text="ISO 4217 code, e.g. CNY.")


def rfc3339(moment: datetime) -> str:
    """A timestamp as the API writes it (what DRF's DateTimeField writes, without its cost)."""
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
