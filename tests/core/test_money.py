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


@pytest.mark.parametrize(
    "raw",
    ["1_000.00", "1_0", "١٢٣", "１２３.４５", "१००", "12.٣٤", "+1.00", "1.", ".5", "1,000.00", "0x10", "NaN", "1 000", "1.0\n0"],
)
def test_only_plain_ascii_decimals_are_amounts(raw: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_amount(raw, "CNY")
    assert caught.value.code == "invalid_amount"


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=6))
def test_digits_of_any_script_but_ascii_are_refused(digits: str) -> None:
    if digits.isascii():
        assert parse_amount(digits, "JPY", allow_zero=True).minor == int(digits)
    else:
        with pytest.raises(InvalidAmount):
            parse_amount(digits, "JPY", allow_zero=True)


def test_surrounding_spaces_and_integers_are_still_accepted() -> None:
    assert parse_amount(" 12.30 ", "CNY") == Money(1230, "CNY")
    assert parse_amount(12, "CNY") == Money(1200, "CNY")
    with pytest.raises(InvalidAmount) as caught:
        parse_amount("-1.00", "CNY")
    assert caught.value.code == "amount_not_positive"


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
