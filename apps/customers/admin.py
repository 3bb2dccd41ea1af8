"""Customers in the admin: search, KYC status, and audited KYC actions."""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.core.actors import Actor
from apps.core.admin import BackOfficeAdmin

from .models import Customer
from .services import customer_kyc_set


@admin.register(Customer)
class CustomerAdmin(BackOfficeAdmin):
    list_display = ("id", "display_name", "kind", "kyc_status", "user", "created_at")
    list_filter = ("kind", "kyc_status")
    search_fields = ("id", "display_name", "legal_name", "registration_number", "user__username")
    readonly_fields = ("id", "created_at")
    raw_id_fields = ("user",)
    ordering = ("-created_at",)
    actions = ["mark_kyc_verified", "mark_kyc_rejected"]

    def _set_kyc(self, request: HttpRequest, queryset: QuerySet[Customer], status: str) -> None:
        changed = 0
        for customer in queryset:
            previous = customer_kyc_set(actor=Actor.staff(request.user), customer=customer, status=status)
            if previous is None:
                continue
            self.log_change(request, customer, f"KYC status {previous} -> {status} (admin action)")
            changed += 1
        self.message_user(request, _("%(count)d customer(s) updated.") % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Mark KYC verified"), permissions=["change"])
    def mark_kyc_verified(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._set_kyc(request, queryset, Customer.KycStatus.VERIFIED)

    @admin.action(description=_("Mark KYC rejected"), permissions=["change"])
    def mark_kyc_rejected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._set_kyc(request, queryset, Customer.KycStatus.REJECTED)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # customers are kept (ledger and consents point at them)
