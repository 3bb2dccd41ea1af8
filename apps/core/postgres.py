"""PostgreSQL read tuning that Django leaves on the table.

Django loads every `timestamptz` through a Python subclass of psycopg's loader, so that it
can pin the zone. With USE_TZ on, the session zone is UTC (Django sets it), and then the
compiled loader of psycopg-binary returns the same UTC datetimes several times faster. A
hot read of many rows (a statement page has fifty) installs it on its cursor.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection


def _compiled_loader() -> Any:
    try:
        import psycopg
        from psycopg.pq import Format
    except ImportError:  # no psycopg 3: nothing to tune
        return None
    if psycopg.pq.__impl__ == "python":
        return None
    return psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)


_COMPILED_TIMESTAMPTZ_LOADER = _compiled_loader()


def use_compiled_timestamp_loader(cursor: Any) -> None:
    """On a Django cursor of the default connection: load `timestamptz` columns with the
    compiled loader where it gives the same answer as Django's; otherwise leave it be."""
    if (
        _COMPILED_TIMESTAMPTZ_LOADER is not None
        and connection.vendor == "postgresql"
        and settings.USE_TZ
        and connection.timezone_name == "UTC"
    ):
        cursor.cursor.adapters.register_loader("timestamptz", _COMPILED_TIMESTAMPTZ_LOADER)
