"""The books in the admin: read-only. Money moves only through `ledger_post`."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from apps.core.money import CURRENCY_EXPONENTS, Money

from .models import JournalEntry, LedgerAccount, Posting
from .selectors import ledger_account_balance


def _money(minor: int, currency: str) -> str:
    if currency not in CURRENCY_EXPONENTS:
        return f"{minor} {currency} (minor units)"
    return f"{Money(minor, currency).as_string()} {currency}"


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "code", "name", "type", "currency", "balance", "overdraft_limit", "unlimited_overdraft", "tracks_balance",
        "posting_count",
    )
    list_filter = ("type", "currency", "unlimited_overdraft", "tracks_balance")
    search_fields = ("code", "name")
    ordering = ("code",)

    @admin.display(description="balance (normal direction)", ordering="balance_minor")
    def balance(self, obj: LedgerAccount) -> str:
        if obj.tracks_balance:
            return _money(obj.balance_minor, obj.currency)
        # The bank's own books keep no running balance: summed from their postings.
        return _money(ledger_account_balance(account_id=obj.pk), obj.currency) + " (from postings)"

    @admin.display(description="overdraft limit", ordering="overdraft_limit_minor")
    def overdraft_limit(self, obj: LedgerAccount) -> str:
        return _money(obj.overdraft_limit_minor, obj.currency)


class PostingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    fields = ("account", "debit", "credit", "balance_after", "business_date")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("account").order_by("pk")

    @admin.display(description="debit")
    def debit(self, obj: Posting) -> str:
        return _money(obj.amount_minor, obj.currency) if obj.amount_minor > 0 else ""

    @admin.display(description="credit")
    def credit(self, obj: Posting) -> str:
        return _money(-obj.amount_minor, obj.currency) if obj.amount_minor < 0 else ""

    @admin.display(description="balance after")
    def balance_after(self, obj: Posting) -> str:
        if obj.balance_after_minor is None:  # the bank's own books keep no running balance
            return ""
        return _money(obj.balance_after_minor, obj.currency)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "external_ref", "kind", "business_date", "created_at")
    list_filter = ("kind", "business_date")
    search_fields = ("external_ref", "description")
    date_hierarchy = "business_date"
    inlines = [PostingInline]
    show_full_result_count = False
