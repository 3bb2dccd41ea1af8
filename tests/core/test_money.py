from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import (
    CURRENCY_EXPONENTS,
    MAX_MINOR,
    InvalidAmount,
    Money,
    format_minor,
    minor_from_decimal,
    money_json,
    parse_amount,
)


@given(st.integers(min_value=1, max_value=MAX_MINOR))
def test_string_round_trip_is_exact(minor: int) -> None:
    money = Money(minor, "CNY")
    assert parse_amount(money.as_string(), "CNY") == money


def test_formats_with_the_currency_exponent() -> None:
    assert Money(800000, "CNY").as_json() == {"amount": "8000.00", "currency": "CNY"}
    assert Money(5, "CNY").as_string() == "0.05"
    assert Money(1200, "JPY").as_string() == "1200"


def test_rounding_mode_is_named_at_each_use() -> None:
    assert minor_from_decimal(Decimal("0.125"), "CNY", rounding=ROUND_HALF_UP) == 13
    assert minor_from_decimal(Decimal("0.125"), "CNY", rounding=ROUND_HALF_EVEN) == 12


@pytest.mark.parametrize("raw", ["1.001", "0", "-1", "abc", "Infinity", "1e2", 1.5, True, None])
def test_rejects(raw: object) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(raw, "CNY")


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(1, "CNY") + Money(1, "USD")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(sorted(CURRENCY_EXPONENTS)))
def test_format_minor_matches_decimal_formatting(minor: int, currency: str) -> None:
    exponent = CURRENCY_EXPONENTS[currency]
    assert format_minor(minor, currency) == f"{Decimal(minor).scaleb(-exponent):.{exponent}f}"
    assert money_json(minor, currency) == {"amount": format_minor(minor, currency), "currency": currency}
