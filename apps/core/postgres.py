"""Cursors for the few hot statements, tuned for PostgreSQL where Django leaves speed on the table.

- Prepared statements. Django's psycopg 3 cursors bind parameters on the client, so
  PostgreSQL parses and plans every statement again; the ledger's one-statement post spent
  a third of its database time planning. `fast_cursor()` binds on the server and prepares
  the statement on first use in each connection (psycopg keeps the last 100 per connection).
  Use it only for statements whose text is fixed. Behind PgBouncer in transaction mode this
  needs PgBouncer 1.21+ with `max_prepared_statements` (docs/operations.md).
- Results come in the binary format: no numbers or timestamps parsed from text. Timestamps
  are aware datetimes in the session's zone, UTC, as Django's loader gives them.

Elsewhere (SQLite) `fast_cursor()` is Django's ordinary cursor.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def fast_cursor() -> Iterator[Any]:
    """A Django cursor on the default connection (errors translated, queries counted in
    tests) that prepares its statements on PostgreSQL."""
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
    # Results in PostgreSQL's binary format: integers and timestamps arrive as machine
    # values for psycopg-binary's compiled loaders, with no text to parse.
    server_binding.format = psycopg.pq.Format.BINARY
    # Django's own wrapping (error translation, the debug cursor that tests count queries with).
    django_connection: Any = connection
    with django_connection._prepare_cursor(server_binding) as wrapped:
        yield wrapped
