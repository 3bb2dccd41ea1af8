"""Property: whatever transfers are attempted, the books stay balanced and within limits."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.ledger.bank_books import bank_account
from apps.ledger.models import LedgerAccount, Posting
from apps.ledger.selectors import ledger_accounts_beyond_limit, ledger_balance_mismatches, ledger_trial_balance
from apps.ledger.services import InsufficientFunds, Leg, ledger_account_open, ledger_post

_refs = itertools.count()

# (currency, overdraft limit) of the customer accounts under test; the bank's cash account
# of each currency funds them and may go either way.
ACCOUNTS = [("CNY", 0), ("CNY", 0), ("CNY", 5_000), ("USD", 0), ("USD", 2_000), ("JPY", 0)]

transfers = st.lists(
    st.tuples(
        st.integers(min_value=-1, max_value=len(ACCOUNTS) - 1),  # -1: the bank's cash
        st.integers(min_value=-1, max_value=len(ACCOUNTS) - 1),
        st.integers(min_value=1, max_value=20_000),
    ),
    min_size=1,
    max_size=30,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=transfers)
def test_random_transfers_keep_the_books_balanced_and_within_limits(moves: list[tuple[int, int, int]]) -> None:
    run = next(_refs)
    accounts = [
        ledger_account_open(code=f"prop:{run}:{i}", name=f"prop {i}", type=LedgerAccount.Type.LIABILITY,
                            currency=currency, overdraft_limit_minor=limit)
        for i, (currency, limit) in enumerate(ACCOUNTS)
    ]
    expected = {a.pk: 0 for a in accounts}
    accepted = 0
    for n, (src, dst, amount) in enumerate(moves):
        source = accounts[src] if src >= 0 else None
        target = accounts[dst] if dst >= 0 else None
        currency = (source or target or accounts[0]).currency
        source_pk = source.pk if source else bank_account("cash", currency).pk
        target_pk = target.pk if target and target.currency == currency else bank_account("cash", currency).pk
        if source_pk == target_pk:
            continue
        limit = source.overdraft_limit_minor if source else None
        try:
            # Paying out of `source` debits it (its liability shrinks), crediting `target`.
            ledger_post(external_ref=f"prop:{run}:{n}", kind="transfer", legs=[Leg(source_pk, amount), Leg(target_pk, -amount)])
        except InsufficientFunds:
            assert source is not None and expected[source.pk] - amount < -limit  # refused only when it had to be
            continue
        accepted += 1
        if source:
            expected[source.pk] -= amount
        if target_pk in expected:
            expected[target_pk] += amount
    assert all(total == 0 for total in ledger_trial_balance().values())
    assert ledger_balance_mismatches() == []
    assert ledger_accounts_beyond_limit() == []
    stored = dict(LedgerAccount.objects.filter(pk__in=expected).values_list("pk", "balance_minor"))
    assert stored == expected
    assert Posting.objects.filter(entry__external_ref__startswith=f"prop:{run}:").count() == 2 * accepted
