from __future__ import annotations

from django.db import models


class BusinessClock(models.Model):
    """A single row: when `pinned_date` is set, it is the bank's business date."""

    pinned_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "business clock"

    def __str__(self) -> str:
        return f"business date pinned to {self.pinned_date}" if self.pinned_date else "business date follows the calendar"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key and the first response given for it.

    Scoped to the calling OAuth client (and the customer, for customer tokens), so two
    clients can never see each other's responses. `fingerprint` is a hash of method, path
    and canonical body: the same key with another body is refused.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    scope = models.CharField(max_length=120)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    locked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.state})"
