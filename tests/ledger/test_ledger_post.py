"""ledger_post's contract: balanced, idempotent, overdraft-safe, immutable."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.ledger.bank_books import bank_account
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import (
    ledger_account_balance,
    ledger_account_statement_page,
    ledger_account_statement_version,
    ledger_accounts_beyond_limit,
    ledger_balances_match_postings,
    ledger_trial_balance,
)
from apps.ledger.services import (
    DuplicateEntryMismatch,
    InsufficientFunds,
    Leg,
    UnbalancedEntry,
    ledger_account_open,
    ledger_account_set_overdraft_limit,
    ledger_post,
)

pytestmark = pytest.mark.django_db


def deposit(code: str = "deposit:test", *, limit: int = 0, currency: str = "CNY") -> LedgerAccount:
    return ledger_account_open(
        code=f"{code}:{currency}", name=code, type=LedgerAccount.Type.LIABILITY, currency=currency,
        overdraft_limit_minor=limit,
    )


def counts() -> tuple[int, int, list[int]]:
    return (
        JournalEntry.objects.count(),
        Posting.objects.count(),
        list(LedgerAccount.objects.order_by("pk").values_list("balance_minor", flat=True)),
    )


def test_a_deposit_moves_both_balances_in_their_normal_direction() -> None:
    cash, customer = bank_account("cash"), deposit()
    entry = ledger_post(external_ref="dep-1", kind="cash_deposit", legs=[Leg(cash.pk, 10_000), Leg(customer.pk, -10_000)],
                        description="Cash in", business_date=date(2026, 1, 5))
    customer.refresh_from_db()
    assert ledger_account_balance(account_id=cash.pk) == 10_000  # an asset grows with a debit
    assert customer.balance_minor == 10_000  # the customer's deposit (a liability) grows with a credit
    assert ledger_account_balance(account_id=customer.pk) == 10_000
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert (stored.external_ref, stored.kind, stored.description, stored.business_date) == (
        "dep-1", "cash_deposit", "Cash in", date(2026, 1, 5))
    postings = list(stored.postings.order_by("pk").values_list("account_id", "amount_minor", "balance_after_minor"))
    # The bank's books keep no running balance, so their postings carry none.
    assert postings == [(cash.pk, 10_000, None), (customer.pk, -10_000, 10_000)]
    assert ledger_trial_balance() == {"CNY": 0}
    assert ledger_balances_match_postings()


@pytest.mark.parametrize(
    "amounts",
    [[100, -99], [100], [0, 0], [100, -100, 1]],
    ids=["off-by-one", "single-leg", "zero-legs", "three-legs-unbalanced"],
)
def test_unbalanced_entries_are_refused_and_write_nothing(amounts: list[int]) -> None:
    a, b, c = bank_account("cash"), deposit("d1"), deposit("d2")
    before = counts()
    with pytest.raises(UnbalancedEntry):
        ledger_post(external_ref="bad", kind="x", legs=[Leg(acc.pk, amt) for acc, amt in zip([a, b, c], amounts, strict=False)])
    assert counts() == before


def test_an_entry_balanced_in_total_but_not_per_currency_is_refused() -> None:
    cny, usd = deposit("d", currency="CNY", limit=1000), deposit("d", currency="USD")
    cash_usd = bank_account("cash", "USD")
    before = counts()
    with pytest.raises(UnbalancedEntry):
        ledger_post(external_ref="fx", kind="x", legs=[Leg(cny.pk, 500), Leg(usd.pk, -400), Leg(cash_usd.pk, -100)])
    assert counts() == before


def test_non_integer_amounts_are_refused() -> None:
    a, b = bank_account("cash"), deposit()
    with pytest.raises(UnbalancedEntry):
        ledger_post(external_ref="float", kind="x", legs=[Leg(a.pk, 1.5), Leg(b.pk, -1.5)])  # type: ignore[arg-type]
    assert JournalEntry.objects.count() == 0


def test_repeat_external_ref_returns_the_first_entry_and_writes_nothing() -> None:
    cash, customer = bank_account("cash"), deposit()
    legs = [Leg(cash.pk, 500), Leg(customer.pk, -500)]
    first = ledger_post(external_ref="once", kind="cash_deposit", legs=legs)
    before = counts()
    again = ledger_post(external_ref="once", kind="cash_deposit", legs=list(reversed(legs)))
    assert again.pk == first.pk
    assert counts() == before


def test_repeat_external_ref_is_still_the_first_entry_when_funds_are_gone_since() -> None:
    cash, customer = bank_account("cash"), deposit()
    ledger_post(external_ref="in", kind="cash_deposit", legs=[Leg(cash.pk, 500), Leg(customer.pk, -500)])
    out = [Leg(customer.pk, 500), Leg(cash.pk, -500)]
    first = ledger_post(external_ref="out", kind="withdrawal", legs=out)
    # The account is empty now; a retry of the same withdrawal is not a second withdrawal.
    assert ledger_post(external_ref="out", kind="withdrawal", legs=out).pk == first.pk


@pytest.mark.parametrize("change", ["amount", "account", "kind"])
def test_a_different_body_under_the_same_ref_is_refused(change: str) -> None:
    cash, customer, other = bank_account("cash"), deposit(), deposit("other")
    ledger_post(external_ref="ref", kind="cash_deposit", legs=[Leg(cash.pk, 500), Leg(customer.pk, -500)])
    before = counts()
    legs = {
        "amount": [Leg(cash.pk, 600), Leg(customer.pk, -600)],
        "account": [Leg(cash.pk, 500), Leg(other.pk, -500)],
        "kind": [Leg(cash.pk, 500), Leg(customer.pk, -500)],
    }[change]
    with pytest.raises(DuplicateEntryMismatch) as caught:
        ledger_post(external_ref="ref", kind="other_kind" if change == "kind" else "cash_deposit", legs=legs)
    assert caught.value.status == 409 and caught.value.code == "ledger_reference_reused"
    assert counts() == before


def test_a_deposit_account_cannot_go_below_zero() -> None:
    cash, customer = bank_account("cash"), deposit()
    ledger_post(external_ref="in", kind="k", legs=[Leg(cash.pk, 1_000), Leg(customer.pk, -1_000)])
    before = counts()
    with pytest.raises(InsufficientFunds) as caught:
        ledger_post(external_ref="out", kind="k", legs=[Leg(customer.pk, 1_001), Leg(cash.pk, -1_001)])
    assert (caught.value.status, caught.value.code) == (422, "insufficient_funds")
    assert counts() == before
    assert not JournalEntry.objects.filter(external_ref="out").exists()
    # The exact balance can be spent.
    ledger_post(external_ref="out", kind="k", legs=[Leg(customer.pk, 1_000), Leg(cash.pk, -1_000)])
    customer.refresh_from_db()
    assert customer.balance_minor == 0


def test_an_overdraft_line_lets_the_account_go_negative_down_to_the_limit() -> None:
    cash, customer = bank_account("cash"), deposit(limit=5_000)
    ledger_post(external_ref="a", kind="k", legs=[Leg(customer.pk, 5_000), Leg(cash.pk, -5_000)])
    customer.refresh_from_db()
    assert customer.balance_minor == -5_000
    with pytest.raises(InsufficientFunds):
        ledger_post(external_ref="b", kind="k", legs=[Leg(customer.pk, 1), Leg(cash.pk, -1)])


def test_debit_normal_accounts_without_an_overdraft_cannot_go_negative_either() -> None:
    asset = ledger_account_open(code="asset:limited", name="limited asset", type=LedgerAccount.Type.ASSET, currency="CNY")
    customer = deposit(limit=10_000)
    with pytest.raises(InsufficientFunds):
        ledger_post(external_ref="x", kind="k", legs=[Leg(customer.pk, 1), Leg(asset.pk, -1)])


def test_the_banks_own_books_may_go_either_way() -> None:
    cash, clearing = bank_account("cash"), bank_account("clearing")
    ledger_post(external_ref="x", kind="k", legs=[Leg(cash.pk, -7_000), Leg(clearing.pk, 7_000)])
    assert ledger_account_balance(account_id=cash.pk) == -7_000
    assert ledger_account_balance(account_id=clearing.pk) == 7_000
    assert ledger_accounts_beyond_limit() == []


def test_the_banks_books_are_not_updated_by_a_post() -> None:
    """(That their rows are not locked either is tested on PostgreSQL, from another
    connection, in tests/concurrency/test_concurrent_payments.py.)"""
    cash, customer = bank_account("cash"), deposit()
    ledger_post(external_ref="seed", kind="k", legs=[Leg(cash.pk, 1_000), Leg(customer.pk, -1_000)])
    with CaptureQueriesContext(connection) as queries:
        ledger_post(external_ref="t", kind="k", legs=[Leg(cash.pk, 400), Leg(customer.pk, -400)])
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and f"IN ({customer.pk})" in updates[0], updates
    cash.refresh_from_db()
    assert (cash.balance_minor, cash.posting_count) == (0, 0)  # the row never moves
    assert ledger_account_balance(account_id=cash.pk) == 1_400
    assert ledger_balances_match_postings()


def test_an_entry_on_the_banks_books_alone_touches_no_account_row() -> None:
    receivable, income = bank_account("interest_receivable"), bank_account("interest_income")
    with CaptureQueriesContext(connection) as queries:
        ledger_post(external_ref="accrue", kind="interest_accrual", legs=[Leg(receivable.pk, 35), Leg(income.pk, -35)])
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert ledger_account_balance(account_id=receivable.pk) == ledger_account_balance(account_id=income.pk) == 35
    assert ledger_trial_balance() == {"CNY": 0}


def test_the_database_refuses_an_untracked_account_that_could_be_overdrawn_or_keep_a_balance() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(code="x:1", name="x", type="asset", currency="CNY", tracks_balance=False)
    cash = bank_account("cash")
    for change in ({"balance_minor": 5}, {"posting_count": 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerAccount.objects.filter(pk=cash.pk).update(**change)


def test_the_statement_version_is_the_posting_count() -> None:
    cash, customer = bank_account("cash"), deposit()
    assert ledger_account_statement_version(ledger_account_id=customer.pk) == 0
    ledger_post(external_ref="v1", kind="k", legs=[Leg(cash.pk, 10), Leg(customer.pk, -10)])
    ledger_post(external_ref="v2", kind="k", legs=[Leg(cash.pk, 5), Leg(customer.pk, -3), Leg(customer.pk, -2)])
    assert ledger_account_statement_version(ledger_account_id=customer.pk) == 3
    with pytest.raises(ValueError):
        ledger_account_statement_version(ledger_account_id=cash.pk)  # the bank's books count nothing
    with pytest.raises(ValueError):
        ledger_account_statement_page(ledger_account_id=cash.pk, limit=5)  # nor keep a balance-after


def test_lowering_a_limit_below_the_used_overdraft_is_refused() -> None:
    cash, customer = bank_account("cash"), deposit(limit=5_000)
    ledger_post(external_ref="a", kind="k", legs=[Leg(customer.pk, 3_000), Leg(cash.pk, -3_000)])
    with pytest.raises(Exception) as caught:
        ledger_account_set_overdraft_limit(account_id=customer.pk, overdraft_limit_minor=2_000)
    assert getattr(caught.value, "code", "") == "overdraft_in_use"
    assert ledger_account_set_overdraft_limit(account_id=customer.pk, overdraft_limit_minor=3_000).overdraft_limit_minor == 3_000


def test_the_database_refuses_a_balance_beyond_the_limit_even_without_the_service() -> None:
    customer = deposit()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=customer.pk).update(balance_minor=-1)


def test_unknown_accounts_are_refused() -> None:
    cash = bank_account("cash")
    with pytest.raises(ValueError):
        ledger_post(external_ref="ghost", kind="k", legs=[Leg(cash.pk, 10), Leg(999_999, -10)])
    assert JournalEntry.objects.count() == 0


def test_entries_and_postings_are_immutable() -> None:
    cash, customer = bank_account("cash"), deposit()
    entry = ledger_post(external_ref="imm", kind="k", legs=[Leg(cash.pk, 10), Leg(customer.pk, -10)])
    stored = JournalEntry.objects.get(pk=entry.pk)
    posting = stored.postings.first()
    stored.description = "rewritten"
    for attempt in (stored.save, stored.delete, posting.save, posting.delete,
                    lambda: JournalEntry.objects.filter(pk=entry.pk).update(description="x"),
                    lambda: Posting.objects.filter(entry=entry).update(amount_minor=99),
                    lambda: Posting.objects.filter(entry=entry).delete()):
        with pytest.raises(ValueError):
            attempt()
    assert JournalEntry.objects.get(pk=entry.pk).description == ""
    assert sorted(Posting.objects.filter(entry=entry).values_list("amount_minor", flat=True)) == [-10, 10]


@pytest.mark.postgres
def test_postgresql_refuses_raw_sql_changes_to_the_journal() -> None:
    cash, customer = bank_account("cash"), deposit()
    entry = ledger_post(external_ref="raw", kind="k", legs=[Leg(cash.pk, 10), Leg(customer.pk, -10)])
    for sql in ("UPDATE ledger_posting SET amount_minor = 99 WHERE entry_id = %s",
                "DELETE FROM ledger_posting WHERE entry_id = %s",
                "UPDATE ledger_journalentry SET kind = 'x' WHERE id = %s"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])


def test_the_trial_balance_is_zero_in_every_currency_after_many_entries() -> None:
    accounts = {c: (bank_account("cash", c), deposit("d", currency=c, limit=10**6)) for c in ("CNY", "USD", "JPY")}
    for i, (cash, dep) in enumerate(accounts.values()):
        ledger_post(external_ref=f"in-{i}", kind="k", legs=[Leg(cash.pk, 1_000 + i), Leg(dep.pk, -1_000 - i)])
        ledger_post(external_ref=f"out-{i}", kind="k", legs=[Leg(dep.pk, 3_000), Leg(cash.pk, -3_000)])
    assert ledger_trial_balance() == {"CNY": 0, "USD": 0, "JPY": 0}
    assert ledger_balances_match_postings()


def test_a_statement_lists_postings_within_inclusive_business_dates() -> None:
    cash, customer = bank_account("cash"), deposit()
    for day in (1, 2, 3, 4):
        ledger_post(external_ref=f"d{day}", kind="k", legs=[Leg(cash.pk, day), Leg(customer.pk, -day)],
                    business_date=date(2026, 3, day))
    statement = ledger_account_statement_page(ledger_account_id=customer.pk, booked_from=date(2026, 3, 2),
                                              booked_to=date(2026, 3, 3), limit=10)
    assert [(p.amount_minor, p.balance_after_minor, p.entry_reference) for p in statement] == [(-3, 6, "d3"), (-2, 3, "d2")]


def test_a_post_between_customer_accounts_costs_four_statements(django_assert_num_queries) -> None:
    cash, a, b = bank_account("cash"), deposit("a"), deposit("b")
    ledger_post(external_ref="seed", kind="k", legs=[Leg(cash.pk, 1_000), Leg(a.pk, -1_000)], business_date=date(2026, 1, 1))
    # SAVEPOINT, INSERT the entry, lock the two rows, INSERT the postings, UPDATE the two
    # rows, RELEASE (the test itself runs inside a transaction).
    with django_assert_num_queries(6):
        ledger_post(external_ref="t", kind="transfer", legs=[Leg(a.pk, 100), Leg(b.pk, -100)], business_date=date(2026, 1, 1))
    # A repeat fails its claim, then reads the first entry and its postings.
    with django_assert_num_queries(6):
        ledger_post(external_ref="t", kind="transfer", legs=[Leg(a.pk, 100), Leg(b.pk, -100)], business_date=date(2026, 1, 1))
    assert JournalEntry.objects.filter(external_ref="t").count() == 1
    assert ledger_balances_match_postings()


def test_several_legs_on_one_account_get_running_balances_after() -> None:
    cash, a = bank_account("cash"), deposit("a", limit=100)
    ledger_post(external_ref="seed", kind="k", legs=[Leg(cash.pk, 1_000), Leg(a.pk, -1_000)])
    entry = ledger_post(external_ref="multi", kind="fees", legs=[Leg(a.pk, 300), Leg(cash.pk, -500), Leg(a.pk, 200), Leg(a.pk, -50), Leg(cash.pk, 50)])
    rows = list(Posting.objects.filter(entry_id=entry.pk).order_by("pk").values_list("account_id", "amount_minor", "balance_after_minor"))
    assert rows == [(a.pk, 300, 700), (cash.pk, -500, None), (a.pk, 200, 500), (a.pk, -50, 550), (cash.pk, 50, None)]
    a.refresh_from_db()
    assert a.balance_minor == 550 and ledger_balances_match_postings()
