"""Admin pieces every app shares, and the platform core's own admin pages."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import BusinessClock, IdempotencyKey


class ReadOnlyAdminMixin:
    """Staff with the view permission may look; nobody may add, change or delete here.

    Records written by services (ledger rows, payments, decisions, audit entries) change
    only through those services, so that every change stays balanced and audited.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    can_delete = False
    extra = 0


@admin.register(BusinessClock)
class BusinessClockAdmin(admin.ModelAdmin):
    """Operations pin the bank's business date here (sandbox, incident replays); changes are logged."""

    list_display = ("__str__", "pinned_date", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not BusinessClock.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: BusinessClock, form: Any, change: bool) -> None:
        from .clock import pin_business_date

        pin_business_date(obj.pinned_date)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("key", "scope", "state", "response_status", "created_at", "expires_at")
    list_filter = ("state",)
    search_fields = ("=key", "scope")
