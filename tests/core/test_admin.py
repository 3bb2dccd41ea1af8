"""Staff pages: every registered admin opens, read-only records refuse edits, the clock can be pinned."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from apps.core.clock import business_date
from apps.core.models import BusinessClock
from apps.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db


def test_every_admin_changelist_opens(admin_client: Any) -> None:
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


def test_ledger_rows_cannot_be_added_or_deleted_from_the_admin(admin_client: Any) -> None:
    assert admin_client.get(reverse("admin:ledger_journalentry_add")).status_code == 403
    assert not JournalEntry.objects.exists()


def test_staff_pin_the_business_date_and_it_is_logged(admin_client: Any) -> None:
    response = admin_client.post(reverse("admin:core_businessclock_add"), {"pinned_date": "2027-01-31"})
    assert response.status_code == 302
    assert business_date() == date(2027, 1, 31)
    assert LogEntry.objects.filter(object_repr__contains="2027-01-31").exists()
    assert BusinessClock.objects.get().pinned_date == date(2027, 1, 31)
