"""Thin Celery wrappers around the nightly job (apps.lending.eod): one task per chunk of
~10k loans, spread over the workers by a chord; never one task per loan."""
from __future__ import annotations

from datetime import date

from celery import chord, shared_task

from apps.core.actors import Actor
from apps.core.clock import business_date as current_business_date

from . import eod, servicing

EOD_ACTOR = Actor.system("eod")


@shared_task(acks_late=True)
def eod_chunk(business_date: str, first_id: str, last_id: str) -> int:
    day = date.fromisoformat(business_date)
    result = eod.eod_process_range(business_date=day, first_id=first_id, last_id=last_id, actor=EOD_ACTOR)
    servicing.eod_auto_debit_range(business_date=day, first_id=first_id, last_id=last_id, actor=EOD_ACTOR)
    return result.loans if result is not None else 0


@shared_task
def eod_finish(results: list[int], business_date: str) -> int:
    run = eod.eod_run_finish(business_date=date.fromisoformat(business_date))
    return run.loans


@shared_task
def eod_run(business_date: str | None = None, chunk_size: int = eod.DEFAULT_CHUNK_SIZE) -> int:
    """The nightly job for one business date (default: today's). Running a date twice does nothing twice."""
    day = date.fromisoformat(business_date) if business_date else current_business_date()
    if eod.eod_run_begin(business_date=day) is None:
        return 0
    header = [eod_chunk.s(day.isoformat(), first, last) for first, last in eod.chunk_bounds(chunk_size=chunk_size)]
    if not header:
        eod.eod_run_finish(business_date=day)
        return 0
    chord(header)(eod_finish.s(day.isoformat()))
    return len(header)
