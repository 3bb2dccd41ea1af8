"""The bank's business clock.

Money events carry a business date. It normally follows the calendar in the bank's time
zone; staff (and the sandbox, and tests) can pin it so that end-of-day jobs, due dates and
settlement can be moved deliberately. One place answers "what day is it for the bank".
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

_CACHE_KEY = "core:business-date-override"


def business_timezone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def calendar_date(moment: datetime | None = None) -> date:
    return (moment or timezone.now()).astimezone(business_timezone()).date()


def business_date() -> date:
    from .models import BusinessClock  # models import this module's helpers

    override = cache.get(_CACHE_KEY)
    if override is None:
        row = BusinessClock.objects.filter(pk=1).values_list("pinned_date", flat=True).first()
        override = row.isoformat() if row else ""
        cache.set(_CACHE_KEY, override, 5)
    return date.fromisoformat(override) if override else calendar_date()


def pin_business_date(value: date | None) -> None:
    """Pin (or with None, release) the bank's business date."""
    from .models import BusinessClock

    BusinessClock.objects.update_or_create(pk=1, defaults={"pinned_date": value})
    cache.delete(_CACHE_KEY)
