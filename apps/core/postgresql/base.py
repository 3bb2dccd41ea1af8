"""Django's PostgreSQL backend, loading `timestamptz` with psycopg-binary's compiled loader.

Django loads every `timestamptz` through a Python subclass of psycopg's loader, so that it
can pin the zone. With USE_TZ on, the session zone is UTC (Django sets it), and the
compiled loader returns the same UTC datetimes several times faster: a page of twenty
consents reads eighty of them.

The debug log (and the tests that count queries) names a statement run through
`apps.core.postgres.fast_cursor()` by its text; Django's operations find no text on such a
cursor. Everything else is Django's backend unchanged.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base, operations


def _compiled_timestamptz_loader() -> Any:
    import psycopg
    from psycopg.pq import Format

    if psycopg.pq.__impl__ == "python":
        return None
    return psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)


COMPILED_TIMESTAMPTZ_LOADER = _compiled_timestamptz_loader()


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str:
        return super().last_executed_query(cursor, sql, params) or sql


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = super().create_cursor(name)
        use_compiled_timestamps(self, cursor)
        return cursor


def use_compiled_timestamps(wrapper: Any, cursor: Any) -> None:
    """On a psycopg cursor of `wrapper`'s connection, where it gives Django's answer."""
    if COMPILED_TIMESTAMPTZ_LOADER is not None and settings.USE_TZ and wrapper.timezone_name == "UTC":
        cursor.adapters.register_loader("timestamptz", COMPILED_TIMESTAMPTZ_LOADER)
