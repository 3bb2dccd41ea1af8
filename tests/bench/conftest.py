import pytest
from django.db import connection


@pytest.fixture
def pg_dsn_args() -> list[str]:
    if connection.vendor != "postgresql":
        pytest.skip("benchmarks run on PostgreSQL: set DATABASE_URL")
    s = connection.settings_dict
    return ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres", s["NAME"]]
