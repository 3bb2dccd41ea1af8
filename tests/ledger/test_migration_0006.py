"""Migration ledger.0006: the bank's books already booked become untracked, keeping their history."""
from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps

from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import ledger_account_balance, ledger_balances_match_postings, ledger_trial_balance
from apps.ledger.services import Leg, ledger_account_open, ledger_post

pytestmark = pytest.mark.django_db
migration = import_module("apps.ledger.migrations.0006_bank_books_untracked")


def test_bank_books_become_untracked_and_keep_their_balance_as_the_sum_of_their_postings() -> None:
    # The bank's cash as 0005 left it: tracking its balance, its postings with balance-after.
    cash = ledger_account_open(code="bank:cash:CNY", name="Cash", type="asset", currency="CNY",
                               unlimited_overdraft=True, tracks_balance=True)
    customer = ledger_account_open(code="deposit:acc_1", name="Alice", type="liability", currency="CNY")
    ledger_post(external_ref="in", kind="cash_deposit", legs=[Leg(cash.pk, 900), Leg(customer.pk, -900)])
    ledger_post(external_ref="out", kind="cash_withdrawal", legs=[Leg(customer.pk, 300), Leg(cash.pk, -300)])
    history = list(Posting.objects.filter(account_id=cash.pk).order_by("pk").values_list("balance_after_minor", flat=True))
    assert history == [900, 600]

    migration.untrack_bank_books(django_apps, None)

    cash.refresh_from_db()
    customer.refresh_from_db()
    assert (cash.tracks_balance, cash.balance_minor, cash.posting_count) == (False, 0, 0)
    assert (customer.tracks_balance, customer.balance_minor, customer.posting_count) == (True, 600, 2)
    assert list(Posting.objects.filter(account_id=cash.pk).order_by("pk").values_list("balance_after_minor", flat=True)) == history
    assert ledger_account_balance(account_id=cash.pk) == 600
    assert ledger_balances_match_postings() and ledger_trial_balance() == {"CNY": 0}
    # Posts after the migration leave the cash row alone.
    ledger_post(external_ref="in-2", kind="cash_deposit", legs=[Leg(cash.pk, 50), Leg(customer.pk, -50)])
    cash.refresh_from_db()
    assert (cash.balance_minor, cash.posting_count) == (0, 0)
    assert ledger_account_balance(account_id=cash.pk) == 650
    assert JournalEntry.objects.count() == 3


def test_backwards_the_stored_balances_come_back_from_the_postings() -> None:
    cash = ledger_account_open(code="bank:cash:CNY", name="Cash", type="asset", currency="CNY",
                               unlimited_overdraft=True, tracks_balance=False)
    income = ledger_account_open(code="bank:interest_income:CNY", name="Income", type="income", currency="CNY",
                                 unlimited_overdraft=True, tracks_balance=False)
    ledger_post(external_ref="fee", kind="fee", legs=[Leg(cash.pk, 70), Leg(income.pk, -70)])
    migration.track_bank_books(django_apps, None)
    assert list(LedgerAccount.objects.order_by("pk").values_list("tracks_balance", "balance_minor", "posting_count")) == [
        (True, 70, 1), (True, 70, 1)]
    assert ledger_balances_match_postings()
