"""Real threads, each with its own PostgreSQL connection, racing on the same accounts.

Run with DATABASE_URL=postgres://…; skipped on SQLite (which serialises every writer).
"""
from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from apps.accounts.models import Payment
from apps.accounts.services import payment_create
from apps.core.actors import Actor
from apps.core.money import Money
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import ledger_accounts_beyond_limit, ledger_balance_mismatches, ledger_trial_balance
from apps.ledger.services import InsufficientFunds, Leg, ledger_account_set_overdraft_limit, ledger_post
from apps.oauth.models import Consent
from tests.factories import make_account, make_customer, payment_token

TEST_ACTOR = Actor.system("test")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Start every job at once (a barrier), each in its own thread and DB connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results


def assert_books_sound() -> None:
    assert all(total == 0 for total in ledger_trial_balance().values()), ledger_trial_balance()
    assert ledger_balance_mismatches() == []
    assert ledger_accounts_beyond_limit() == []


def test_fifty_concurrent_transfers_keep_the_ledger_balanced() -> None:
    assert connection.vendor == "postgresql"
    customers = [make_customer() for _ in range(4)]
    accounts = [make_account(c, balance_minor=10_000) for c in customers]
    ledger_account_set_overdraft_limit(account_id=accounts[3].ledger_account_id, overdraft_limit_minor=5_000)
    ids = [a.ledger_account_id for a in accounts]
    rng = random.Random(20261128)
    plan = []
    for n in range(50):
        source, target = rng.sample(ids, 2)
        plan.append((n, source, target, rng.randint(1_000, 6_000)))

    def transfer(n: int, source: int, target: int, amount: int) -> Callable[[], str]:
        def job() -> str:
            try:
                ledger_post(external_ref=f"race:{n}", kind="transfer", legs=[Leg(source, amount), Leg(target, -amount)])
            except InsufficientFunds:
                return "refused"
            return "booked"
        return job

    results = run_concurrently([transfer(*step) for step in plan])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    outcome = Counter(results)
    assert outcome["booked"] + outcome["refused"] == 50
    assert outcome["booked"] == JournalEntry.objects.filter(kind="transfer").count() > 0
    assert_books_sound()
    # Money moved only between these accounts: their total is what was deposited.
    assert sum(LedgerAccount.objects.filter(pk__in=ids).values_list("balance_minor", flat=True)) == 40_000


def test_the_same_reference_posted_concurrently_books_once() -> None:
    a, b = make_account(make_customer(), balance_minor=10_000), make_account(make_customer())
    legs = [Leg(a.ledger_account_id, 700), Leg(b.ledger_account_id, -700)]
    results = run_concurrently([lambda: ledger_post(external_ref="once", kind="transfer", legs=legs).pk for _ in range(10)])
    assert not [r for r in results if isinstance(r, BaseException)]
    assert len(set(results)) == 1
    assert JournalEntry.objects.filter(external_ref="once").count() == 1
    b.ledger_account.refresh_from_db()
    assert b.ledger_account.balance_minor == 700
    assert_books_sound()


def test_concurrent_payments_from_shared_accounts() -> None:
    payers = [make_customer() for _ in range(3)]
    debtors = [make_account(c, balance_minor=20_000) for c in payers]
    creditor = make_account(make_customer())
    rng = random.Random(7)
    jobs = []
    for _ in range(30):
        index = rng.randrange(3)
        amount = rng.randint(2_000, 5_000)
        token = payment_token(payers[index], debtor=debtors[index], creditor_account_number=creditor.account_number,
                              amount_minor=amount)
        consent = token.consent

        def job(consent: Consent = consent, customer_id: str = payers[index].id, amount: int = amount) -> str:
            try:
                return payment_create(actor=TEST_ACTOR, consent_id=consent.id, application_id=consent.application_id, customer_id=customer_id,
                                      amount=Money(amount, "CNY"), creditor_account_number=creditor.account_number).id
            except InsufficientFunds:
                return "refused"
        jobs.append(job)
    results = run_concurrently(jobs)
    assert not [r for r in results if isinstance(r, BaseException)], results
    booked = [r for r in results if r != "refused"]
    assert len(booked) == Payment.objects.count() == JournalEntry.objects.filter(kind="payment").count()
    assert Consent.objects.filter(status=Consent.Status.CONSUMED).count() == len(booked)
    creditor.ledger_account.refresh_from_db()
    assert creditor.ledger_account.balance_minor == sum(Payment.objects.values_list("amount_minor", flat=True))
    assert_books_sound()


def test_one_consent_pays_once_however_many_race_for_it() -> None:
    alice = make_customer()
    debtor = make_account(alice, balance_minor=100_000)
    creditor = make_account(make_customer())
    token = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=1_000)
    consent = token.consent

    def job() -> str:
        try:
            return payment_create(actor=TEST_ACTOR, consent_id=consent.id, application_id=consent.application_id, customer_id=alice.id,
                                  amount=Money(1_000, "CNY"), creditor_account_number=creditor.account_number).id
        except Exception as error:  # noqa: BLE001
            return getattr(error, "code", repr(error))

    results = run_concurrently([job for _ in range(10)])
    assert Counter(r.startswith("pay_") for r in results)[True] == 1
    assert Counter(results)["consent_consumed"] == 9
    assert Payment.objects.count() == 1 and JournalEntry.objects.filter(kind="payment").count() == 1
    debtor.ledger_account.refresh_from_db()
    assert debtor.ledger_account.balance_minor == 99_000


def _race_one_key(n: int = 20, *, then_replay: bool = False) -> Any:
    alice = make_customer()
    debtor = make_account(alice, balance_minor=100_000)
    creditor = make_account(make_customer())
    token = payment_token(alice, debtor=debtor, creditor_account_number=creditor.account_number, amount_minor=2_500)
    body = {"consent_id": token.consent.id, "amount": {"amount": "25.00", "currency": "CNY"},
            "creditor_account_number": creditor.account_number}

    def job() -> Any:
        response = APIClient().post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key", **token.header)
        return response.status_code, response.get("Idempotent-Replayed"), response.json()

    results = run_concurrently([job for _ in range(n)])
    if then_replay:
        return results, debtor, job()
    return results, debtor


def test_twenty_requests_with_one_idempotency_key_make_one_payment() -> None:
    results, debtor = _race_one_key()
    assert not [r for r in results if isinstance(r, BaseException)], results
    firsts = [body for status, replayed, body in results if status == 201 and replayed is None]
    assert len(firsts) == 1
    for status, _replayed, body in results:
        if status == 201:
            assert body == firsts[0]
        else:
            # Still running: 409. Once committed the consent is consumed, and the token's
            # requests are either replayed (201 above) or told so.
            assert (status, body["code"]) in {(409, "idempotency_key_in_use"), (401, "consent_consumed")}, body
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(kind="payment").count() == 1
    debtor.ledger_account.refresh_from_db()
    assert debtor.ledger_account.balance_minor == 97_500
    assert_books_sound()


def test_after_the_race_the_same_key_replays_the_payment() -> None:
    results, debtor, replay = _race_one_key(then_replay=True)
    first = next(body for status, replayed, body in results if status == 201 and replayed is None)
    assert replay == (201, "true", first)
    statuses = Counter((status, replayed) for status, replayed, _body in results)
    assert set(statuses) <= {(201, None), (201, "true"), (409, None)}, statuses
