"""Lending fixtures (defined in helpers.py so tests can import the builders too)."""
from tests.lending.helpers import borrower, clock, products  # noqa: F401
