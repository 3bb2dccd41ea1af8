"""A double-entry ledger: accounts, immutable journal entries, postings in minor units.

Sign convention: a posting's `amount_minor` is positive for a debit and negative for a
credit; an entry's postings sum to zero per currency. Each account keeps its balance in
its *normal* direction (assets and expenses debit-normal, liabilities, equity and income
credit-normal), so a customer's deposit balance reads as a positive number.

Customer accounts *track* their balance: the row holds it (and its posting count), moved
under the row's lock by every post. The bank's own books do not (`tracks_balance=False`):
every customer's money movement touches one of them, so a locked running balance there
would make the whole bank's movements queue on one row. Their postings carry no
balance-after, and their balance is the sum of their postings
(`apps.ledger.selectors.ledger_account_balance`).
"""
from __future__ import annotations

from typing import Any

from django.db import models


class ImmutableQuerySet(models.QuerySet):
    """Journal entries and postings are written once: bulk updates and deletes are refused.

    On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE in the database too.
    """

    def update(self, **kwargs: Any) -> int:
        raise ValueError(f"{self.model.__name__} rows are immutable; post a reversing entry instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self.model.__name__} rows are immutable; post a reversing entry instead.")


class LedgerAccount(models.Model):
    class Type(models.TextChoices):
        ASSET = "asset"
        LIABILITY = "liability"
        EQUITY = "equity"
        INCOME = "income"
        EXPENSE = "expense"

    code = models.CharField(max_length=120, unique=True, help_text="e.g. bank:cash:CNY or deposit:acc_…")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=16, choices=Type.choices)
    currency = models.CharField(max_length=3)
    # Balance in the account's normal direction, in minor units; changed only by postings,
    # and only on accounts that track it (zero on the others, by a CHECK constraint).
    balance_minor = models.BigIntegerField(default=0)
    # How many postings the account has. Every post adds its postings here in the same
    # statement that moves the balance, under the account's row lock, so the count moves in
    # commit order: it versions the account's statement (a page read at one count is the
    # page for as long as the count holds). Zero on accounts that do not track a balance.
    posting_count = models.BigIntegerField(default=0)
    tracks_balance = models.BooleanField(
        default=True,
        help_text="Off for the bank's own books: posts neither lock nor update the row; the balance is summed from postings.",
    )
    # How far below zero the normal balance may go (an overdraft line); ignored if unlimited.
    overdraft_limit_minor = models.BigIntegerField(default=0)
    unlimited_overdraft = models.BooleanField(
        default=False, help_text="The bank's own clearing and settlement accounts may go either way."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unlimited_overdraft=True)
                | models.Q(balance_minor__gte=-models.F("overdraft_limit_minor")),
                name="ledger_account_within_overdraft",
            ),
            models.CheckConstraint(condition=models.Q(overdraft_limit_minor__gte=0), name="ledger_overdraft_not_negative"),
            # Without a locked running balance there is nothing to check an overdraft against.
            models.CheckConstraint(
                condition=models.Q(tracks_balance=True) | models.Q(unlimited_overdraft=True),
                name="ledger_untracked_is_unlimited",
            ),
            # A balance or count on an untracked row would be stale the moment it was read.
            models.CheckConstraint(
                condition=models.Q(tracks_balance=True) | models.Q(balance_minor=0, posting_count=0),
                name="ledger_untracked_keeps_no_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"

    @property
    def is_debit_normal(self) -> bool:
        return self.type in (self.Type.ASSET, self.Type.EXPENSE)

    @property
    def available_minor(self) -> int:
        return self.balance_minor + self.overdraft_limit_minor


class JournalEntry(models.Model):
    """One balanced money movement. Never updated or deleted: corrections are new entries."""

    # Unique through Meta.constraints (one index; `unique=True` would add a LIKE index too).
    external_ref = models.CharField(max_length=160, help_text="Makes posting idempotent.")
    # Not indexed: every index is paid on the hot path; reports filter by date first.
    kind = models.CharField(max_length=40)
    description = models.CharField(max_length=255, blank=True)
    business_date = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "journal entries"
        constraints = [models.UniqueConstraint(fields=["external_ref"], name="journal_entry_external_ref_unique")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.external_ref}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Journal entries are immutable; post a reversing entry instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Journal entries are immutable.")


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # No single-column index: `posting_account_recent` (account, -id) serves every lookup by account.
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings", db_index=False)
    amount_minor = models.BigIntegerField(help_text="Debit positive, credit negative.")
    currency = models.CharField(max_length=3)
    # The account's normal balance right after this posting: statements need no recomputation.
    # NULL on accounts that do not track a balance (the bank's own books, since ledger.0006).
    balance_after_minor = models.BigIntegerField(null=True)
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="posting_account_recent")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount_minor=0), name="posting_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_minor:+d} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Postings are immutable; post a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Postings are immutable.")
