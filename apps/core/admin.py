"""Admin pieces every app shares, the back office's branding, and the core's own admin pages.

Staff read money as money ("8,000.00 CNY", never fen) and times in the bank's zone, next to
its business dates: `money` and `bank_time` below, and `BackOfficeAdmin`, which renders every
page of a model admin in the bank's zone and keeps list pages to a laptop screen.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clock import business_timezone
from .models import BusinessClock, IdempotencyKey
from .money import CURRENCY_EXPONENTS, format_minor

admin.site.site_header = _("OpenBank back office")
admin.site.site_title = _("OpenBank back office")
admin.site.index_title = _("Operations")


def money(minor: int | None, currency: str) -> str:
    """Minor units as an amount with its currency and thousands separators: 800000 CNY is
    "8,000.00 CNY" (format_minor's digits, grouped; no float on the way)."""
    if minor is None:
        return "—"
    if currency not in CURRENCY_EXPONENTS:
        return f"{minor} {currency} (minor units)"
    text = format_minor(minor, currency)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _dot, fraction = text.partition(".")
    return f"{sign}{int(whole):,}{_dot}{fraction} {currency}"


def bank_time(moment: datetime | None) -> str:
    """A timestamp in the bank's zone, the zone named: business dates are that zone's days."""
    if moment is None:
        return "—"
    return f"{timezone.localtime(moment, business_timezone()):%Y-%m-%d %H:%M} ({settings.BUSINESS_TIME_ZONE})"


class BackOfficeAdmin(admin.ModelAdmin):
    """Pages in the bank's time zone (timestamps then read beside business dates) and list
    pages that fit a laptop: a page of 50, no full COUNT(*) on the big tables."""

    list_per_page = 50
    show_full_result_count = False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        with timezone.override(business_timezone()):
            return _rendered(super().changelist_view(request, extra_context))

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with timezone.override(business_timezone()):
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        with timezone.override(business_timezone()):
            return _rendered(super().history_view(request, object_id, extra_context))


def _rendered(response: HttpResponse) -> HttpResponse:
    # TemplateResponses render lazily, after the view returns: render inside the zone.
    render = getattr(response, "render", None)
    if render is not None and not getattr(response, "is_rendered", True):
        render()
    return response


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


class ReadOnlyAdmin(ReadOnlyAdminMixin, BackOfficeAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    can_delete = False
    extra = 0


@admin.register(BusinessClock)
class BusinessClockAdmin(BackOfficeAdmin):
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
    list_display = ("key", "scope", "state", "response_status", "created", "expires")
    list_filter = ("state",)
    search_fields = ("=key", "scope")

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj: IdempotencyKey) -> str:
        return bank_time(obj.created_at)

    @admin.display(description=_("expires"), ordering="expires_at")
    def expires(self, obj: IdempotencyKey) -> str:
        return bank_time(obj.expires_at)


class AmountField(forms.DecimalField):
    """An amount typed and shown in major units ("8000.00") for a model field kept in minor
    units (800000): staff never type fen. More decimals than the currency has are refused."""

    def __init__(self, *, currency: str = "CNY", **kwargs: Any) -> None:
        self.currency = currency
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and self.currency in CURRENCY_EXPONENTS:
            return format_minor(value, self.currency)
        return value

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        amount = super().clean(value)
        if amount is None:
            return None
        exponent = CURRENCY_EXPONENTS.get(self.currency, 2)
        scaled = amount.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise forms.ValidationError(
                _("At most %(places)d decimal places in %(currency)s."), code="amount_too_precise",
                params={"places": exponent, "currency": self.currency},
            )
        return int(scaled)


class AmountFieldsMixin:
    """Model admins whose `amount_fields` (minor-unit integer fields) are edited as amounts
    in the object's currency (the model's `currency` field; CNY on an add form)."""

    amount_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.amount_fields:
            label = str(db_field.verbose_name).removesuffix(" minor")
            return AmountField(
                required=not db_field.blank, label=label[:1].upper() + label[1:],
                help_text=_("An amount, e.g. 8000.00"), decimal_places=None,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        currency = getattr(obj, "currency", None) or "CNY"
        for name in self.amount_fields:
            field = form.base_fields.get(name)
            if isinstance(field, AmountField):
                field.currency = currency
        return form
