"""Shared fixtures for every suite (NetBox-style: one harness that API tests reuse)."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped, with the reason, on the embedded SQLite database."""
    on_postgres = django_settings.USING_POSTGRES
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session", autouse=True)
def _cache_per_test_worker() -> Iterator[None]:
    """xdist workers share one Redis: each gets its own key prefix so they never see each
    other's token cache, business date or throttle counters."""
    from django.test import override_settings

    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from apps.core.clock import forget_business_date

    forget_business_date()  # a pin of an earlier test was rolled back with its database
    prefix = django_settings.CACHES["default"].get("KEY_PREFIX", "")
    from apps.core.cache import redis_client

    client = redis_client()
    if client is not None:
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def celery_worker_process(transactional_db, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A real `celery worker` process on the test database, when a real broker is configured.

    On the embedded defaults (memory broker) tasks run eagerly and this fixture does nothing,
    so the same test proves both paths.
    """
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker or broker.startswith("memory"):
        yield
        return
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["PYTHONPATH"] = f"{ROOT / 'platform'}:{ROOT}"
    env["TOKEN_CACHE_SECONDS"] = "0"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "-l", "warning", "-n", f"test-{os.getpid()}@%h", "-Q", f"test-{os.getpid()}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    app.conf.task_default_queue = f"test-{os.getpid()}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5, destination=[f"test-{os.getpid()}@{os.uname().nodename}"])
            if replies:
                break
            if worker.poll() is not None:
                raise RuntimeError(worker.stdout.read().decode() if worker.stdout else "worker died")
        else:
            raise RuntimeError("Celery worker did not answer a ping within 30 s")
        yield
    finally:
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
