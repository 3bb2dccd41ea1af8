"""Tasks go through the configured Celery: eager on the embedded defaults, a real worker in CI."""
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import IdempotencyKey
from apps.core.tasks import purge_expired_idempotency_keys


@pytest.mark.celery_worker
def test_purge_task_runs_through_celery(celery_worker_process) -> None:
    past = timezone.now() - timedelta(hours=1)
    IdempotencyKey.objects.create(scope="a:b", key="old", fingerprint="x", locked_at=past, expires_at=past)
    IdempotencyKey.objects.create(
        scope="a:b", key="new", fingerprint="x", locked_at=past, expires_at=timezone.now() + timedelta(hours=1)
    )
    result = purge_expired_idempotency_keys.delay()
    assert result.get(timeout=30) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
