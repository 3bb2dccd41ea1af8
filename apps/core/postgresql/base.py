"""Django's PostgreSQL backend, loading `timestamptz` with psycopg-binary's compiled loader.

Django loads every `timestamptz` through a Python subclass of psycopg's loader, so that it
can pin the zone. With USE_TZ on, the session zone is UTC (Django sets it), and the
compiled loader returns the same UTC datetimes several times faster: a page of twenty
consents reads eighty of them. Everything else is Django's backend unchanged.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base


def _compiled_timestamptz_loader() -> Any:
    import psycopg
    from psycopg.pq import Format

    if psycopg.pq.__impl__ == "python":
        return None
    return psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)


COMPILED_TIMESTAMPTZ_LOADER = _compiled_timestamptz_loader()


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        cursor = super().create_cursor(name)
        use_compiled_timestamps(self, cursor)
        return cursor


def use_compiled_timestamps(wrapper: Any, cursor: Any) -> None:
    """On a psycopg cursor of `wrapper`'s connection, where it gives Django's answer."""
    if COMPILED_TIMESTAMPTZ_LOADER is not None and settings.USE_TZ and wrapper.timezone_name == "UTC":
        cursor.adapters.register_loader("timestamptz", COMPILED_TIMESTAMPTZ_LOADER)
