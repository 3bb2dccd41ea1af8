"""The bank's business clock.

Money events carry a business date. It normally follows the calendar in the bank's time
zone; staff (and the sandbox, and tests) can pin it so that end-of-day jobs, due dates and
settlement can be moved deliberately. One place answers "what day is it for the bank".
"""
from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

_CACHE_KEY = "core:business-date-override"
# Every money movement asks for the business date, and a pin changes it a few times a year:
# each process keeps the pin it last read for a second instead of asking the shared cache
# each time. A pin reaches the process that made it at once and every other within a second.
_LOCAL_SECONDS = 1.0
_local: tuple[float, str] | None = None


def business_timezone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def calendar_date(moment: datetime | None = None) -> date:
    return (moment or timezone.now()).astimezone(business_timezone()).date()


def business_date() -> date:
    from .models import BusinessClock  # models import this module's helpers

    global _local
    now = time.monotonic()
    if _local is not None and _local[0] > now:
        override = _local[1]
    else:
        override = cache.get(_CACHE_KEY)
        if override is None:
            row = BusinessClock.objects.filter(pk=1).values_list("pinned_date", flat=True).first()
            override = row.isoformat() if row else ""
            cache.set(_CACHE_KEY, override, 5)
        _local = (now + _LOCAL_SECONDS, override)
    return date.fromisoformat(override) if override else calendar_date()


def forget_business_date() -> None:
    """Drop what this process and the shared cache remember of the pin (after a change)."""
    global _local
    _local = None
    cache.delete(_CACHE_KEY)


def pin_business_date(value: date | None) -> None:
    """Pin (or with None, release) the bank's business date."""
    from .models import BusinessClock

    BusinessClock.objects.update_or_create(pk=1, defaults={"pinned_date": value})
    forget_business_date()
