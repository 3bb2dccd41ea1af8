"""ledger_post outside any transaction (autocommit): the post is its own transaction.

The refusals must still write nothing, because the whole transaction is rolled back.
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.clock import business_date
from apps.ledger.bank_books import bank_account
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import ledger_balances_match_postings, ledger_trial_balance
from apps.ledger.services import InsufficientFunds, Leg, UnbalancedEntry, ledger_account_open, ledger_post

pytestmark = [pytest.mark.django_db(transaction=True)]


def deposit(code: str, currency: str = "CNY") -> LedgerAccount:
    return ledger_account_open(code=code, name=code, type=LedgerAccount.Type.LIABILITY, currency=currency)


def snapshot() -> tuple[int, int, list[int]]:
    return (JournalEntry.objects.count(), Posting.objects.count(),
            list(LedgerAccount.objects.order_by("pk").values_list("balance_minor", flat=True)))


def test_a_post_is_its_own_transaction() -> None:
    cash, a = bank_account("cash"), deposit("a")
    business_date()  # the business date is cached; this test counts the post alone
    with CaptureQueriesContext(connection) as queries:
        entry = ledger_post(external_ref="one", kind="cash_deposit", legs=[Leg(cash.pk, 500), Leg(a.pk, -500)])
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # INSERT the entry, lock the customer's row, read the bank's (no lock), INSERT the
    # postings, UPDATE the customer's row; all in one transaction.
    assert [s for s in statements if s not in {"BEGIN", "COMMIT"}] == ["INSERT", "SELECT", "SELECT", "INSERT", "UPDATE"]
    assert JournalEntry.objects.get(pk=entry.pk).postings.count() == 2
    a.refresh_from_db()
    assert a.balance_minor == 500 and ledger_trial_balance() == {"CNY": 0} and ledger_balances_match_postings()
    assert ledger_post(external_ref="one", kind="cash_deposit", legs=[Leg(cash.pk, 500), Leg(a.pk, -500)]).pk == entry.pk
    assert JournalEntry.objects.count() == 1


def test_refusals_write_nothing() -> None:
    cash, a, usd = bank_account("cash"), deposit("a"), deposit("u", "USD")
    ledger_post(external_ref="seed", kind="k", legs=[Leg(cash.pk, 500), Leg(a.pk, -500)])
    before = snapshot()
    with pytest.raises(InsufficientFunds):
        ledger_post(external_ref="too-much", kind="k", legs=[Leg(a.pk, 501), Leg(cash.pk, -501)])
    with pytest.raises(UnbalancedEntry):
        ledger_post(external_ref="fx", kind="k", legs=[Leg(cash.pk, 100), Leg(usd.pk, -100)])
    with pytest.raises(ValueError):
        ledger_post(external_ref="ghost", kind="k", legs=[Leg(cash.pk, 100), Leg(987_654, -100)])
    assert snapshot() == before
    assert not JournalEntry.objects.filter(external_ref__in=["too-much", "fx", "ghost"]).exists()
    # The refused references stay free for a corrected post.
    ledger_post(external_ref="too-much", kind="k", legs=[Leg(a.pk, 500), Leg(cash.pk, -500)])
    a.refresh_from_db()
    assert a.balance_minor == 0
