"""A stale Idempotency-Key claim taken over by a retry: the first request must not finish too.

The work here is creating a user (any committed row would do): the question is only
whether it commits once or twice when a slow first request and its retry overlap.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from apps.core import idempotency
from apps.core.api import PlatformAPIView
from apps.core.idempotency import idempotent
from apps.core.models import IdempotencyKey

User = get_user_model()
LATER = timedelta(seconds=61)  # past IDEMPOTENCY_LOCK_TIMEOUT (60 s)


def make_view(during_work: Callable[[], None] = lambda: None) -> Callable[..., Any]:
    class Signup(PlatformAPIView):
        authentication_classes: list[Any] = []
        permission_classes: list[Any] = []
        throttle_classes: list[Any] = []

        @idempotent()
        def post(self, request: Request) -> Response:
            User.objects.create(username=f"{request.data['name']}-{uuid.uuid4().hex}")
            during_work()
            return Response({"created": request.data["name"]}, status=201)

    view: Callable[..., Any] = Signup.as_view()
    return view


def call(view: Callable[..., Any], key: str = "k-1") -> Any:
    request = APIRequestFactory().post("/signup", {"name": "ada"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    response = view(request)
    response.render()
    return response


def at(moment: Any) -> Any:
    """Run the claim code as if the clock said `moment`."""
    return mock.patch.object(idempotency.timezone, "now", return_value=moment)


@pytest.mark.django_db
def test_a_request_that_lost_its_claim_to_a_retry_rolls_its_work_back() -> None:
    # On SQLite every write transaction is serialised, so the retry's takeover is run inside
    # the first request's work (the real takeover code, at a clock 61 s later).
    def retry_takes_over() -> None:
        with at(timezone.now() + LATER):
            taken = idempotency._claim(IdempotencyKey.objects.get().scope, "k-1", IdempotencyKey.objects.get().fingerprint)
        assert isinstance(taken, IdempotencyKey)

    response = call(make_view(during_work=retry_takes_over))
    assert response.status_code == 409
    assert response.data["code"] == "idempotency_key_in_use"
    assert not User.objects.exists()  # the first request's work did not commit


@pytest.mark.django_db
def test_a_fresh_claim_is_not_taken_over_and_a_stale_one_is() -> None:
    first = idempotency._claim("s", "k", "f")
    assert isinstance(first, IdempotencyKey)
    with pytest.raises(idempotency.IdempotencyKeyInUse):
        idempotency._claim("s", "k", "f")
    with at(first.locked_at + LATER):
        retry = idempotency._claim("s", "k", "f")
    assert isinstance(retry, IdempotencyKey) and retry.locked_at > first.locked_at
    # The first owner can neither complete nor release the retry's claim.
    assert not idempotency._complete(first, Response({"x": 1}, status=201))
    idempotency._release(first)
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.IN_PROGRESS
    assert idempotency._complete(retry, Response({"x": 2}, status=201))
    replay = idempotency._claim("s", "k", "f")
    assert isinstance(replay, Response) and replay.data == {"x": 2}


@pytest.mark.django_db
def test_a_claim_completed_after_the_retry_read_it_is_not_taken_over() -> None:
    first = idempotency._claim("s", "k", "f")
    assert isinstance(first, IdempotencyKey)
    seen_by_retry = IdempotencyKey.objects.get()  # in progress, and stale 61 s later
    assert idempotency._complete(first, Response({"x": 1}, status=201))
    assert not idempotency._take_over(seen_by_retry, now=first.locked_at + LATER)
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.COMPLETED


@pytest.mark.django_db
def test_a_completed_claim_is_replayed_however_old_its_lock() -> None:
    first = idempotency._claim("s", "k", "f")
    assert isinstance(first, IdempotencyKey)
    assert idempotency._complete(first, Response({"x": 1}, status=201))
    with at(first.locked_at + LATER):
        replay = idempotency._claim("s", "k", "f")
    assert isinstance(replay, Response) and replay["Idempotent-Replayed"] == "true"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_takeover_race_on_postgres_commits_the_work_once() -> None:
    """Two connections: the first request is inside its work when its claim goes stale and a
    retry takes it over and finishes; then the first one resumes."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    in_work, resume = threading.Event(), threading.Event()

    def pause() -> None:
        if threading.current_thread().name == "first":
            in_work.set()
            assert resume.wait(30)

    view = make_view(during_work=pause)
    outcome: dict[str, Any] = {}

    def first() -> None:
        try:
            outcome["first"] = call(view)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first, name="first")
    thread.start()
    try:
        assert in_work.wait(30)
        # Another connection ages the claim past the lock timeout, as 61 s of waiting would.
        IdempotencyKey.objects.update(locked_at=timezone.now() - LATER)
        retry = call(view)
        assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    finally:
        resume.set()
        thread.join(30)
    assert outcome["first"].status_code == 409
    assert outcome["first"].data["code"] == "idempotency_key_in_use"
    assert User.objects.count() == 1  # the work committed once: the retry's
    again = call(view)
    assert again["Idempotent-Replayed"] == "true" and again.data == retry.data


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_waiting_on_a_finishing_first_request_replays_it() -> None:
    """The first request has stored its response but not committed when a retry (61 s later)
    arrives: the retry waits for the claim's row, then sees it completed and replays, instead
    of doing the work a second time."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    stored, resume = threading.Event(), threading.Event()
    real_complete = idempotency._complete

    def complete_then_pause(claim: IdempotencyKey, response: Response) -> bool:
        done = real_complete(claim, response)
        stored.set()
        assert resume.wait(30)
        return done

    view = make_view()
    outcome: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            outcome[name] = call(view)
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first",))
    with mock.patch.object(idempotency, "_complete", complete_then_pause):
        first.start()
        assert stored.wait(30)
    retry = threading.Thread(target=run, args=("retry",))
    try:
        with at(timezone.now() + LATER):
            retry.start()
            with connection.cursor() as cursor:  # until the retry waits for the claim's row lock
                for _ in range(300):
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    if cursor.fetchone()[0]:
                        break
                    threading.Event().wait(0.05)
                else:
                    pytest.fail("the retry never waited for the claim")
            resume.set()
            first.join(30)
            retry.join(30)
    finally:
        resume.set()
    assert outcome["first"].status_code == 201
    assert outcome["retry"].status_code == 201 and outcome["retry"]["Idempotent-Replayed"] == "true"
    assert User.objects.count() == 1
