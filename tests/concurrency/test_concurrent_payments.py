"""Money movements racing in separate OS processes, each with its own PostgreSQL connection.

Threads in one process share the GIL and a process's caches; these tests fork real
processes that all post at once (a barrier), as gunicorn and Celery workers do. They check
what a customer would notice: no deadlock error, no account beyond its limit, the books
balanced, every acknowledged movement in the ledger exactly once (retries included), and
that movements on different customer accounts never wait on each other, although almost
all of them have a leg on the bank's own books.

Run with DATABASE_URL=postgres://…; skipped on SQLite (which serialises every writer).
"""
from __future__ import annotations

import multiprocessing as mp
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Sum
from rest_framework.test import APIClient

from apps.accounts.models import Payment
from apps.ledger.bank_books import bank_account
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import (
    ledger_account_balance,
    ledger_accounts_beyond_limit,
    ledger_balance_mismatches,
    ledger_trial_balance,
)
from apps.ledger.services import InsufficientFunds, Leg, ledger_account_set_overdraft_limit, ledger_post
from tests.factories import make_account, make_customer, payment_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PROCESSES = 8
_CONTEXT = mp.get_context("fork")


def _child(target: Callable[..., Any], args: tuple[Any, ...], results: Any, index: int, barrier: Any) -> None:
    try:
        barrier.wait(timeout=60)
        results.put((index, "ok", target(*args)))
    except BaseException:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((index, "error", traceback.format_exc()))
    finally:
        connections.close_all()


def run_in_processes(jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]], *, timeout: float = 120) -> list[Any]:
    """Run each `target(*args)` in its own forked process, all released at once; return
    their results in order. A job that raised fails the test with its traceback."""
    connections.close_all()  # a forked child must open its own connection, never share ours
    barrier = _CONTEXT.Barrier(len(jobs))
    results = _CONTEXT.Queue()
    processes = [
        _CONTEXT.Process(target=_child, args=(target, args, results, i, barrier)) for i, (target, args) in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    collected: dict[int, Any] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(collected) < len(jobs):
            index, status, value = results.get(timeout=max(0.1, deadline - time.monotonic()))
            assert status == "ok", value
            collected[index] = value
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():  # hung (a deadlock would show here): stop it, fail below
                process.kill()
    assert all(process.exitcode == 0 for process in processes), [p.exitcode for p in processes]
    return [collected[i] for i in range(len(jobs))]


def assert_books_sound() -> None:
    assert all(total == 0 for total in ledger_trial_balance().values()), ledger_trial_balance()
    assert ledger_balance_mismatches() == []
    assert ledger_accounts_beyond_limit() == []


def _movements(index: int, customers: list[int], cash: int, income: int, steps: int) -> dict[str, Any]:
    """A worker's mix: transfers between customer accounts (often the same hot pair),
    deposits from and withdrawals to the bank's cash, fees to the bank's income; every
    tenth movement is retried under its reference, as a client retries after a timeout."""
    rng = random.Random(1000 + index)
    booked: dict[str, list[tuple[int, int]]] = {}
    refused: list[str] = []
    for n in range(steps):
        ref = f"mp:{index}:{n}"
        kind = rng.choice(["transfer", "transfer", "hot_pair", "deposit", "withdrawal", "fee"])
        amount = rng.randint(500, 4_000)
        if kind == "hot_pair":
            source, target = (customers[0], customers[1]) if rng.random() < 0.5 else (customers[1], customers[0])
        elif kind == "transfer":
            source, target = rng.sample(customers, 2)
        elif kind == "deposit":
            source, target = cash, rng.choice(customers)
        elif kind == "withdrawal":
            source, target = rng.choice(customers), cash
        else:
            source, target = rng.choice(customers), income
        # Debit the account the money leaves when it is a customer's deposit (a liability);
        # the bank's cash (an asset) is credited when money leaves it.
        legs = [Leg(source, amount), Leg(target, -amount)] if source != cash else [Leg(cash, amount), Leg(target, -amount)]
        try:
            ledger_post(external_ref=ref, kind=kind, legs=legs)
        except InsufficientFunds:
            refused.append(ref)
            continue
        booked[ref] = [(leg.account_id, leg.amount_minor) for leg in legs]
        if n % 10 == 0:
            ledger_post(external_ref=ref, kind=kind, legs=legs)  # the retry books nothing more
    return {"booked": booked, "refused": refused}


def test_many_processes_moving_money_on_shared_accounts_keep_the_books() -> None:
    owners = [make_customer() for _ in range(5)]
    accounts = [make_account(owner, balance_minor=10_000) for owner in owners]
    ledger_account_set_overdraft_limit(account_id=accounts[4].ledger_account_id, overdraft_limit_minor=10_000)
    customers = [a.ledger_account_id for a in accounts]
    cash, income = bank_account("cash").pk, bank_account("interest_income").pk
    cash_before = ledger_account_balance(account_id=cash)

    results = run_in_processes([(_movements, (i, customers, cash, income, 40)) for i in range(PROCESSES)])

    booked = {ref: legs for result in results for ref, legs in result["booked"].items()}
    refused = [ref for result in results for ref in result["refused"]]
    assert len(booked) + len(refused) == PROCESSES * 40
    assert len(booked) > PROCESSES * 10 and refused  # both outcomes happened: the race was real
    # Every acknowledged movement is in the ledger exactly once, with its legs; no refused one is.
    entries = JournalEntry.objects.filter(external_ref__startswith="mp:")
    assert sorted(entries.values_list("external_ref", flat=True)) == sorted(booked)
    posted: dict[str, list[tuple[int, int]]] = {}
    for ref, account, amount in Posting.objects.filter(entry__in=entries).values_list(
        "entry__external_ref", "account_id", "amount_minor"
    ):
        posted.setdefault(ref, []).append((account, amount))
    assert {ref: sorted(legs) for ref, legs in posted.items()} == {ref: sorted(legs) for ref, legs in booked.items()}
    assert_books_sound()
    # Each customer balance is its deposit plus what the acknowledged movements brought it.
    expected = {pk: 10_000 for pk in customers}
    for legs in booked.values():
        for account, amount in legs:
            if account in expected:
                expected[account] -= amount  # a debit shrinks a deposit
    stored = dict(LedgerAccount.objects.filter(pk__in=customers).values_list("pk", "balance_minor"))
    assert stored == expected
    assert min(stored.values()) >= -10_000
    cash_moved = sum(amount for legs in booked.values() for account, amount in legs if account == cash)
    assert ledger_account_balance(account_id=cash) == cash_before + cash_moved


def _pay(index: int, jobs: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[tuple[str, int, str]]:
    client = APIClient()
    outcomes = []
    for key, body, header in jobs:
        for _attempt in range(2 if index % 2 == 0 else 1):  # half the workers retry every payment
            response = client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key, **header)
            data = response.json()
            outcomes.append((key, response.status_code, data.get("id") or data.get("code")))
    return outcomes


def test_payments_over_the_api_in_many_processes_book_each_acknowledged_payment_once() -> None:
    payers = [make_customer() for _ in range(4)]
    debtors = [make_account(payer, balance_minor=20_000) for payer in payers]
    creditors = [make_account(make_customer()) for _ in range(2)]
    rng = random.Random(11)
    per_worker: list[list[tuple[str, dict[str, Any], dict[str, str]]]] = [[] for _ in range(PROCESSES)]
    for n in range(PROCESSES * 8):
        i = rng.randrange(len(payers))
        creditor = debtors[(i + 1) % len(debtors)] if n % 3 == 0 else rng.choice(creditors)  # payers pay each other too
        amount = rng.randint(1_000, 4_000)
        token = payment_token(payers[i], debtor=debtors[i], creditor_account_number=creditor.account_number,
                              amount_minor=amount)
        body = {"consent_id": token.consent.id, "amount": {"amount": f"{amount // 100}.{amount % 100:02d}", "currency": "CNY"},
                "creditor_account_number": creditor.account_number}
        per_worker[n % PROCESSES].append((f"pay-{n}", body, token.header))

    results = run_in_processes([(_pay, (i, jobs)) for i, jobs in enumerate(per_worker)])

    outcomes = [outcome for result in results for outcome in result]
    assert {status for _key, status, _value in outcomes} <= {201, 422}, Counter(s for _k, s, _v in outcomes)
    assert {value for _key, status, value in outcomes if status == 422} <= {"insufficient_funds"}
    acknowledged: dict[str, set[str]] = {}
    for key, status, value in outcomes:
        if status == 201:
            acknowledged.setdefault(key, set()).add(value)
    assert all(len(ids) == 1 for ids in acknowledged.values())  # a retry replays the same payment
    payment_ids = {next(iter(ids)) for ids in acknowledged.values()}
    assert set(Payment.objects.values_list("id", flat=True)) == payment_ids
    assert JournalEntry.objects.filter(kind="payment").count() == len(payment_ids)
    assert JournalEntry.objects.filter(external_ref__in=[f"payment:{pid}" for pid in payment_ids]).count() == len(payment_ids)
    assert_books_sound()
    accounts = [*debtors, *creditors]
    total = LedgerAccount.objects.filter(pk__in=[a.ledger_account_id for a in accounts]).aggregate(t=Sum("balance_minor"))["t"]
    assert total == 4 * 20_000  # payments only move money between these accounts


def _hold_a_post_open(account: int, cash: int, posted: Any, release: Any) -> str:
    with transaction.atomic():
        ledger_post(external_ref="held", kind="cash_deposit", legs=[Leg(cash, 100), Leg(account, -100)])
        posted.set()  # the post is done but not committed: its row locks are held
        assert release.wait(timeout=60)
    return "committed"


def _post_meanwhile(account: int, cash: int, ref: str, posted: Any) -> float:
    assert posted.wait(timeout=60)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # a wait fails the test instead of hanging it
        started = time.perf_counter()
        ledger_post(external_ref=ref, kind="cash_deposit", legs=[Leg(cash, 100), Leg(account, -100)])
        return time.perf_counter() - started


def _lock_or_fail(account: int, posted: Any) -> str:
    """Take the lock a post of a tracked account would take, without waiting."""
    assert posted.wait(timeout=60)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM ledger_ledgeraccount WHERE id = %s FOR NO KEY UPDATE NOWAIT", [account])
    except OperationalError:
        return "busy"
    return "free"


def test_posts_on_different_customer_accounts_do_not_wait_on_each_other_or_the_banks_books() -> None:
    alice, bob = make_account(make_customer()), make_account(make_customer())
    cash = bank_account("cash").pk
    posted, release = _CONTEXT.Event(), _CONTEXT.Event()
    holder = _CONTEXT.Process(target=_child_holding, args=(alice.ledger_account_id, cash, posted, release))
    connections.close_all()
    holder.start()
    try:
        # While Alice's deposit is open, Bob's deposit from the same cash account completes,
        # and the bank's cash row is not locked at all; Alice's row is.
        elapsed, cash_row, alice_row = run_in_processes([
            (_post_meanwhile, (bob.ledger_account_id, cash, "meanwhile", posted)),
            (_lock_or_fail, (cash, posted)),
            (_lock_or_fail, (alice.ledger_account_id, posted)),
        ])
        assert elapsed < 1.0 and cash_row == "free" and alice_row == "busy"
        assert not JournalEntry.objects.filter(external_ref="held").exists()  # still open
    finally:
        release.set()
        holder.join(timeout=30)
    assert holder.exitcode == 0
    assert set(JournalEntry.objects.values_list("external_ref", flat=True)) >= {"held", "meanwhile"}
    assert_books_sound()


def test_a_second_post_on_the_same_customer_account_does_wait() -> None:
    """The control for the test above: the same setup on one account is serialised."""
    alice = make_account(make_customer())
    cash = bank_account("cash").pk
    posted, release = _CONTEXT.Event(), _CONTEXT.Event()
    holder = _CONTEXT.Process(target=_child_holding, args=(alice.ledger_account_id, cash, posted, release))
    connections.close_all()
    holder.start()
    try:
        (outcome,) = run_in_processes([(_post_expecting_a_wait, (alice.ledger_account_id, cash, posted))])
        assert outcome == "waited"
    finally:
        release.set()
        holder.join(timeout=30)
    assert holder.exitcode == 0


def _post_expecting_a_wait(account: int, cash: int, posted: Any) -> str:
    try:
        _post_meanwhile(account, cash, "second", posted)
    except OperationalError:  # lock_timeout: it queued behind the open post
        return "waited"
    return "did not wait"


def _child_holding(account: int, cash: int, posted: Any, release: Any) -> None:
    try:
        _hold_a_post_open(account, cash, posted, release)
    finally:
        connections.close_all()
