"""Deposit accounts and payments for bank staff.

Accounts are opened by the service and their money moves only through the ledger, so the
admin shows them read-only; staff may freeze and unfreeze them (audited in LogEntry).
Payments are read-only.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.actors import Actor
from apps.core.admin import BackOfficeAdmin, ReadOnlyAdmin, bank_time, money
from apps.core.errors import PlatformError

from .models import DepositAccount, Payment
from .services import deposit_account_freeze, deposit_account_unfreeze


@admin.register(DepositAccount)
class DepositAccountAdmin(BackOfficeAdmin):
    list_display = ("account_number", "name", "customer", "kind", "status", "balance")
    list_filter = ("status", "kind", "currency")
    search_fields = ("=id", "account_number", "=customer__id", "customer__display_name", "customer__user__username")
    list_select_related = ("customer", "ledger_account")
    readonly_fields = (
        "id", "customer", "account_number", "name", "kind", "currency", "status", "balance", "available",
        "ledger_account", "opened",
    )
    fields = readonly_fields
    actions = ["freeze", "unfreeze"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are opened through deposit_account_open

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="balance (ledger)", ordering="ledger_account__balance_minor")
    def balance(self, obj: DepositAccount) -> str:
        return money(obj.ledger_account.balance_minor, obj.ledger_account.currency)

    @admin.display(description="opened")
    def opened(self, obj: DepositAccount) -> str:
        return bank_time(obj.opened_at)

    @admin.display(description="available (ledger)")
    def available(self, obj: DepositAccount) -> str:
        return money(obj.ledger_account.available_minor, obj.ledger_account.currency)

    def _change_status(self, request: HttpRequest, queryset: QuerySet[DepositAccount], *, freeze: bool) -> None:
        done = 0
        for account in queryset:
            before = account.status
            try:
                if freeze:
                    changed = deposit_account_freeze(account_id=account.pk, actor=Actor.staff(request.user))
                else:
                    changed = deposit_account_unfreeze(account_id=account.pk, actor=Actor.staff(request.user))
            except PlatformError as error:
                self.message_user(request, f"{account}: {error.detail}", messages.ERROR)
                continue
            if changed.status != before:
                self.log_change(request, changed, "Frozen" if freeze else "Unfrozen")
                done += 1
        self.message_user(request, f"{done} account(s) {'frozen' if freeze else 'unfrozen'}.", messages.SUCCESS)

    @admin.action(description="Freeze: stop payments out of the selected accounts", permissions=["change"])
    def freeze(self, request: HttpRequest, queryset: QuerySet[DepositAccount]) -> None:
        self._change_status(request, queryset, freeze=True)

    @admin.action(description="Unfreeze the selected accounts", permissions=["change"])
    def unfreeze(self, request: HttpRequest, queryset: QuerySet[DepositAccount]) -> None:
        self._change_status(request, queryset, freeze=False)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "amount", "debtor_account", "creditor_account", "business_date", "created")
    list_filter = ("status", "currency", "business_date")
    search_fields = ("=id", "=consent__id", "debtor_account__account_number", "creditor_account__account_number", "reference")
    list_select_related = ("debtor_account", "creditor_account")
    exclude = ("amount_minor",)
    readonly_fields = ("amount", "created")

    @admin.display(description="amount", ordering="amount_minor")
    def amount(self, obj: Payment) -> str:
        return money(obj.amount_minor, obj.currency)

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: Payment) -> str:
        return bank_time(obj.created_at)
