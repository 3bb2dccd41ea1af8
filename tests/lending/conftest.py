"""Lending fixtures (defined in helpers.py so tests can import the builders too).

Every lending test runs with Django's debug cursor on, as the `make run` sandbox does
(DEBUG=True): it formats each statement's SQL with `%` for the query log, so a bare `%` in
hand-written SQL breaks there and nowhere else.
"""
from collections.abc import Iterator

import pytest
from django.db import connections

from tests.lending.helpers import borrower, clock, products  # noqa: F401


@pytest.fixture(autouse=True)
def _debug_cursor() -> Iterator[None]:
    for connection in connections.all():
        connection.force_debug_cursor = True
    yield
    for connection in connections.all():
        connection.force_debug_cursor = False
