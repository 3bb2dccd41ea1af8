"""The books in the admin: read-only. Money moves only through `ledger_post`."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin, bank_time, money

from .models import JournalEntry, LedgerAccount, Posting
from .selectors import ledger_account_balance


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "type", "balance", "overdraft_limit", "posting_count")
    list_filter = ("type", "currency", "unlimited_overdraft", "tracks_balance")
    search_fields = ("code", "name")
    ordering = ("code",)
    exclude = ("balance_minor", "overdraft_limit_minor")
    readonly_fields = ("balance", "overdraft_limit")

    @admin.display(description="balance (normal direction)", ordering="balance_minor")
    def balance(self, obj: LedgerAccount) -> str:
        if obj.tracks_balance:
            return money(obj.balance_minor, obj.currency)
        # The bank's own books keep no running balance: summed from their postings.
        return money(ledger_account_balance(account_id=obj.pk), obj.currency) + " (from postings)"

    @admin.display(description="overdraft limit", ordering="overdraft_limit_minor")
    def overdraft_limit(self, obj: LedgerAccount) -> str:
        return money(obj.overdraft_limit_minor, obj.currency)


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
        return money(obj.amount_minor, obj.currency) if obj.amount_minor > 0 else ""

    @admin.display(description="credit")
    def credit(self, obj: Posting) -> str:
        return money(-obj.amount_minor, obj.currency) if obj.amount_minor < 0 else ""

    @admin.display(description="balance after")
    def balance_after(self, obj: Posting) -> str:
        if obj.balance_after_minor is None:  # the bank's own books keep no running balance
            return ""
        return money(obj.balance_after_minor, obj.currency)


# What staff read for the journal's `kind` (a free string the posting service names). The
# ledger only maps strings to words here; it still knows nothing of loans or payments.
JOURNAL_KIND_LABELS = {
    "cash_deposit": "Cash deposit",
    "internal_transfer": "Transfer between own accounts",
    "payment": "Payment",
    "loan_disbursement": "Loan disbursement",
    "loan_repayment": "Loan repayment",
    "loan_interest_accrual": "Interest accrual (end of day)",
    "loan_write_off": "Loan write-off",
}


def journal_kind_label(kind: str) -> str:
    """The readable name of a journal kind; an unlisted kind reads as words, not snake_case."""
    return JOURNAL_KIND_LABELS.get(kind) or kind.replace("_", " ").replace("-", " ").capitalize()


class JournalKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The known kinds, not SELECT DISTINCT over the whole journal (millions of rows).
        return sorted(JOURNAL_KIND_LABELS.items(), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind_label", "description", "business_date", "created")
    list_filter = (JournalKindFilter, "business_date")
    search_fields = ("=external_ref", "description")
    date_hierarchy = "business_date"
    inlines = [PostingInline]
    fields = ("id", "kind_label", "external_ref", "description", "business_date", "created")
    readonly_fields = fields

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, obj: JournalEntry) -> str:
        return journal_kind_label(obj.kind)

    @admin.display(description="recorded", ordering="created_at")
    def created(self, obj: JournalEntry) -> str:
        return bank_time(obj.created_at)
