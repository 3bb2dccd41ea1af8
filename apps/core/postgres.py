"""Cursors for the few hot statements, tuned for PostgreSQL where Django leaves speed on the table.

- Prepared statements. Django's psycopg 3 cursors bind parameters on the client, so
  PostgreSQL parses and plans every statement again; the ledger's one-statement post spent
  a third of its database time planning. `fast_cursor()` binds on the server and prepares
  the statement on first use in each connection (psycopg keeps the last 100 per connection).
  Use it only for statements whose text is fixed. Behind PgBouncer in transaction mode this
  needs PgBouncer 1.21+ with `max_prepared_statements` (docs/operations.md).
- Timestamps. Django loads every `timestamptz` through a Python subclass of psycopg's
  loader so that it can pin the zone. With USE_TZ on, the session zone is UTC (Django sets
  it), and the compiled loader of psycopg-binary returns the same UTC datetimes several
  times faster; a statement page reads fifty of them.

Elsewhere (SQLite) `fast_cursor()` is Django's ordinary cursor.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection


def _compiled_timestamptz_loader() -> Any:
    try:
        import psycopg
        from psycopg.pq import Format
    except ImportError:  # no psycopg 3: nothing to tune
        return None
    if psycopg.pq.__impl__ == "python":
        return None
    return psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)


_COMPILED_TIMESTAMPTZ_LOADER = _compiled_timestamptz_loader()


@contextmanager
def fast_cursor() -> Iterator[Any]:
    """A Django cursor on the default connection (errors translated, queries counted in
    tests) that prepares its statements and loads timestamps compiled on PostgreSQL."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Only server-binding cursors (these) prepare; Django's client-binding ones never do.
        raw.prepare_threshold = 0
    server_binding = psycopg.Cursor(raw)
    if _COMPILED_TIMESTAMPTZ_LOADER is not None and settings.USE_TZ and connection.timezone_name == "UTC":
        server_binding.adapters.register_loader("timestamptz", _COMPILED_TIMESTAMPTZ_LOADER)
    # Django's own wrapping (error translation, the debug cursor that tests count queries with).
    django_connection: Any = connection
    with django_connection._prepare_cursor(server_binding) as wrapped:
        yield wrapped
