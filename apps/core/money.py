"""Exact money: integer minor units in storage, decimal strings in JSON, no floats.

`Money(minor=800000, currency="CNY")` is RMB 8,000.00. Parsing from the API refuses
anything a bank would not accept: more decimals than the currency has, zero or negative
where a positive amount is needed, amounts beyond a sane ceiling, unknown currencies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import Unprocessable, ValidationFailed, field_error

# ISO 4217 minor-unit exponents of the currencies the bank books.
CURRENCY_EXPONENTS: dict[str, int] = {"CNY": 2, "HKD": 2, "USD": 2, "EUR": 2, "JPY": 0}
# One transfer above 10^12 minor units (10 billion yuan) is an input error, not a payment.
MAX_MINOR = 10**12


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"


class CurrencyMismatch(Unprocessable):
    """The one currency-mismatch error of the platform (422 `currency_mismatch`): an amount,
    an account or a line in another currency than the operation's."""

    code, title = "currency_mismatch", "The currency does not match"


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if self.currency not in CURRENCY_EXPONENTS:
            raise ValueError(f"unknown currency {self.currency}")
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.exponent)

    def as_string(self) -> str:
        return format_minor(self.minor, self.currency)

    def as_json(self) -> dict[str, str]:
        return money_json(self.minor, self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch {self.currency} vs {other.currency}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)


def format_minor(minor: int, currency: str) -> str:
    """Minor units as the API's decimal string in major units: 12345 CNY is "123.45".

    The integer's digits with a point put in, not Decimal: statements format two amounts
    per line."""
    exponent = CURRENCY_EXPONENTS[currency]
    if not exponent:
        return str(minor)
    digits = str(abs(minor)).rjust(exponent + 1, "0")
    return ("-" if minor < 0 else "") + digits[:-exponent] + "." + digits[-exponent:]


def money_json(minor: int, currency: str) -> dict[str, str]:
    """The API's `Money` object for an amount in minor units."""
    return {"amount": format_minor(minor, currency), "currency": currency}


def minor_from_decimal(value: Decimal, currency: str, *, rounding: str = ROUND_HALF_UP) -> int:
    """Round a computed Decimal amount to the currency's minor unit with a named rounding mode."""
    exponent = CURRENCY_EXPONENTS[currency]
    return int((value.scaleb(exponent)).to_integral_value(rounding=rounding))


_PLAIN_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def parse_amount(raw: Any, currency: str, *, field: str = "amount", allow_zero: bool = False) -> Money:
    """Parse an API amount string exactly; never through float."""
    if currency not in CURRENCY_EXPONENTS:
        raise ValidationFailed(
            f"Unknown currency {currency!r}.",
            code="unsupported_currency",
            errors=[field_error(field.replace("amount", "currency"), "unsupported_currency",
                                f"Supported: {', '.join(sorted(CURRENCY_EXPONENTS))}.")],
        )
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _invalid(field, "invalid_amount", "Give the amount as a decimal string, e.g. \"100.00\".")
    text = str(raw).strip()
    # Decimal() alone would also take "1_000.00", "١٢٣" (other scripts' digits), "1e3", "NaN".
    # The sign is matched only to tell a negative amount apart (amount_not_positive).
    if not _PLAIN_AMOUNT.fullmatch(text):
        raise _invalid(field, "invalid_amount", "Not a plain decimal number (digits 0-9, optionally a point and decimals).")
    value = Decimal(text)
    exponent = CURRENCY_EXPONENTS[currency]
    if value.as_tuple().exponent < -exponent:  # type: ignore[operator]
        raise _invalid(field, "amount_too_precise", f"{currency} amounts have at most {exponent} decimals.")
    minor = int(value.scaleb(exponent))
    if minor < 0 or (minor == 0 and not allow_zero):
        raise _invalid(field, "amount_not_positive", "The amount must be greater than zero.")
    if minor > MAX_MINOR:
        raise _invalid(field, "amount_too_large", "The amount exceeds the largest accepted value.")
    return Money(minor, currency)


def _invalid(field: str, code: str, message: str) -> InvalidAmount:
    return InvalidAmount(message, code=code, errors=[field_error(field, code, message)])


def parse_money_input(data: dict[str, Any], *, field: str = "amount", currency: str | None = None) -> Money:
    """The API's one way to read a `MoneyInput` object (`{"amount": "8000.00", "currency": "CNY"}`)
    under `field`. With `currency`, the operation's currency: another one is the platform's 422
    `currency_mismatch`. Errors name `<field>.currency` and `<field>.amount`."""
    given = data.get("currency")
    if currency is not None and given != currency:
        raise CurrencyMismatch(
            f"The currency must be {currency}.",
            errors=[field_error(f"{field}.currency", "currency_mismatch", f"Use {currency}.")],
        )
    if given not in CURRENCY_EXPONENTS:
        raise ValidationFailed(
            f"Unknown currency {given!r}.",
            code="unsupported_currency",
            errors=[field_error(f"{field}.currency", "unsupported_currency",
                                f"Supported: {', '.join(sorted(CURRENCY_EXPONENTS))}.")],
        )
    return parse_amount(data.get("amount"), str(given), field=f"{field}.amount")
