"""Staff screens: products, lists (with CSV import/export), scorecards, decisions, lines, loans.

Money is shown as amounts with the currency (`money`), edited in major units where staff
may edit it (`AmountFieldsMixin`); the minor-unit fields themselves are never on screen.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.core.actors import Actor
from apps.core.admin import AmountFieldsMixin, BackOfficeAdmin, ReadOnlyAdmin, bank_time, money

from . import lists, servicing
from .errors import CsvImportError, LoanNotActive
from .models import (
    BlackListEntry,
    CreditApplication,
    CreditLine,
    EodRun,
    Installment,
    Loan,
    LoanStatusChange,
    Product,
    Repayment,
    RiskDecision,
    Scorecard,
    WhiteListEntry,
)


@admin.register(Product)
class ProductAdmin(AmountFieldsMixin, BackOfficeAdmin):
    list_display = ("code", "name", "kind", "amount_range", "daily_rate_band", "invitation_only", "active")
    list_filter = ("kind", "active", "invitation_only")
    search_fields = ("code", "name")
    amount_fields = ("min_amount_minor", "max_amount_minor")

    @admin.display(description="amount range", ordering="min_amount_minor")
    def amount_range(self, obj: Product) -> str:
        return f"{money(obj.min_amount_minor, obj.currency)} – {money(obj.max_amount_minor, obj.currency)}"

    @admin.display(description="daily rate band")
    def daily_rate_band(self, obj: Product) -> str:
        return f"{obj.min_daily_rate.normalize():f} – {obj.max_daily_rate.normalize():f}"


class CsvUploadForm(forms.Form):
    file = forms.FileField(help_text="UTF-8 CSV with the header shown below.")


class CsvImportExportMixin:
    """Adds an 'Export selected as CSV' action and an import page (all rows or none)."""

    csv_header: list[str]
    csv_filename: str
    # The lending services that do the work (all rows or none; see lists.py).
    csv_import: Callable[..., int]  # (text=..., actor=...) -> rows imported
    csv_export: Callable[..., str]  # (queryset=...) -> CSV text

    def get_urls(self) -> list:
        info = self.model._meta.app_label, self.model._meta.model_name  # type: ignore[attr-defined]
        return [
            path("import-csv/", self.admin_site.admin_view(self.import_csv_view), name="{}_{}_import_csv".format(*info)),  # type: ignore[attr-defined]
            *super().get_urls(),  # type: ignore[misc]
        ]

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):  # type: ignore[attr-defined]
            return HttpResponse(status=403)
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = self.csv_import(
                    text=form.cleaned_data["file"].read().decode("utf-8-sig"), actor=Actor.staff(request.user)
                )
            except (CsvImportError, UnicodeDecodeError) as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(request, f"Imported {count} rows.", messages.SUCCESS)  # type: ignore[attr-defined]
                info = self.model._meta.app_label, self.model._meta.model_name  # type: ignore[attr-defined]
                return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": f"Import {self.model._meta.verbose_name_plural} from CSV",  # type: ignore[attr-defined]
            "form": form,
            "header": ",".join(self.csv_header),
            "opts": self.model._meta,  # type: ignore[attr-defined]
        }
        return TemplateResponse(request, "admin/lending/import_csv.html", context)

    @admin.action(description="Export selected as CSV")
    def export_csv(self, request: HttpRequest, queryset: Any) -> HttpResponse:
        response = HttpResponse(self.csv_export(queryset=queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response


@admin.register(WhiteListEntry)
class WhiteListEntryAdmin(CsvImportExportMixin, AmountFieldsMixin, BackOfficeAdmin):
    list_display = ("customer", "product", "pre_approved_limit", "created")
    list_filter = ("product",)
    search_fields = ("customer__id", "customer__display_name")
    raw_id_fields = ("customer",)
    actions = ["export_csv"]
    csv_header = lists.WHITELIST_CSV_HEADER
    csv_filename = "white-list.csv"
    change_list_template = "admin/lending/csv_change_list.html"

    amount_fields = ("pre_approved_limit_minor",)
    csv_import = staticmethod(lists.whitelist_import_csv)
    csv_export = staticmethod(lists.whitelist_export_csv)

    @admin.display(description="pre-approved limit", ordering="pre_approved_limit_minor")
    def pre_approved_limit(self, obj: WhiteListEntry) -> str:
        return money(obj.pre_approved_limit_minor, obj.product.currency)

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: WhiteListEntry) -> str:
        return bank_time(obj.created_at)


@admin.register(BlackListEntry)
class BlackListEntryAdmin(CsvImportExportMixin, BackOfficeAdmin):
    list_display = ("customer", "national_id_hash", "reason", "created")
    search_fields = ("customer__id", "national_id_hash", "reason")
    raw_id_fields = ("customer",)
    actions = ["export_csv"]
    csv_header = lists.BLACKLIST_CSV_HEADER
    csv_filename = "black-list.csv"
    change_list_template = "admin/lending/csv_change_list.html"

    csv_import = staticmethod(lists.blacklist_import_csv)
    csv_export = staticmethod(lists.blacklist_export_csv)

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: BlackListEntry) -> str:
        return bank_time(obj.created_at)


@admin.register(Scorecard)
class ScorecardAdmin(AmountFieldsMixin, BackOfficeAdmin):
    list_display = ("version", "product_kind", "active", "approve_threshold", "refer_threshold")
    search_fields = ("version",)
    amount_fields = ("exposure_cap_minor",)
    list_filter = ("product_kind", "active")


@admin.register(RiskDecision)
class RiskDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "product", "outcome", "score", "limit", "business_date")
    list_filter = ("outcome", "model_version")
    search_fields = ("=id", "=customer__id", "customer__display_name")
    list_select_related = ("customer", "product")
    exclude = ("limit_minor",)
    readonly_fields = ("limit", "created")

    @admin.display(description="limit", ordering="limit_minor")
    def limit(self, obj: RiskDecision) -> str:
        return money(obj.limit_minor, obj.product.currency)

    @admin.display(description="created")
    def created(self, obj: RiskDecision) -> str:
        return bank_time(obj.created_at)


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "product", "status", "requested_amount", "created")
    list_filter = ("status",)
    search_fields = ("=id", "=customer__id", "customer__display_name")
    list_select_related = ("customer", "product")
    exclude = ("requested_amount_minor",)
    readonly_fields = ("requested_amount", "created")

    @admin.display(description="requested amount", ordering="requested_amount_minor")
    def requested_amount(self, obj: CreditApplication) -> str:
        return money(obj.requested_amount_minor, obj.product.currency)

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: CreditApplication) -> str:
        return bank_time(obj.created_at)


@admin.register(CreditLine)
class CreditLineAdmin(AmountFieldsMixin, BackOfficeAdmin):
    list_display = ("id", "customer", "product", "status", "limit", "used")
    list_filter = ("status", "product")
    search_fields = ("=id", "=customer__id", "customer__display_name")
    list_select_related = ("customer", "product")
    fields = ("customer", "product", "status", "limit_minor", "used", "daily_rate", "business_date", "opened")
    readonly_fields = ("customer", "product", "used", "daily_rate", "business_date", "opened")
    amount_fields = ("limit_minor",)

    @admin.display(description="limit", ordering="limit_minor")
    def limit(self, obj: CreditLine) -> str:
        return money(obj.limit_minor, obj.currency)

    @admin.display(description="used", ordering="used_minor")
    def used(self, obj: CreditLine) -> str:
        return money(obj.used_minor, obj.currency)

    @admin.display(description="opened")
    def opened(self, obj: CreditLine) -> str:
        return bank_time(obj.opened_at)


class InstallmentInline(admin.TabularInline):
    model = Installment
    extra = 0
    can_delete = False
    fields = ("number", "due_date", "grace_until", "principal", "interest", "penalty", "paid", "status", "paid_on")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("loan").order_by("number")

    @admin.display(description="principal")
    def principal(self, obj: Installment) -> str:
        return money(obj.principal_minor, obj.loan.currency)

    @admin.display(description="interest")
    def interest(self, obj: Installment) -> str:
        return money(obj.interest_minor, obj.loan.currency)

    @admin.display(description="penalty")
    def penalty(self, obj: Installment) -> str:
        return money(obj.penalty_minor, obj.loan.currency)

    @admin.display(description="paid (principal + interest + penalty)")
    def paid(self, obj: Installment) -> str:
        return money(obj.principal_paid_minor + obj.interest_paid_minor + obj.penalty_paid_minor, obj.loan.currency)


class StatusChangeInline(admin.TabularInline):
    model = LoanStatusChange
    extra = 0
    can_delete = False
    fields = ("business_date", "time", "from_status", "to_status", "reason", "actor")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="time")
    def time(self, obj: LoanStatusChange) -> str:
        return bank_time(obj.timestamp)


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "product", "status", "principal", "outstanding_principal", "days_past_due")
    list_filter = ("status", "delinquency_bucket", "product")
    search_fields = ("=id", "=customer__id", "customer__display_name")
    list_select_related = ("customer", "product")
    inlines = [InstallmentInline, StatusChangeInline]
    actions = ["write_off"]
    fields = (
        "id", "customer", "product", "line", "deposit_account", "status", "principal", "method", "term_months",
        "daily_rate", "penalty_daily_rate", "day_count", "rounding", "grace_days", "disbursement_date",
        "maturity_date", "outstanding_principal", "principal_not_due", "accrued_interest", "interest_paid",
        "penalty_outstanding", "last_accrual_date", "days_past_due", "delinquency_bucket", "closed_on", "created",
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("lending.change_loan")  # type: ignore[union-attr]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.fields

    @admin.display(description="principal", ordering="principal_minor")
    def principal(self, obj: Loan) -> str:
        return money(obj.principal_minor, obj.currency)

    @admin.display(description="outstanding principal", ordering="outstanding_principal_minor")
    def outstanding_principal(self, obj: Loan) -> str:
        return money(obj.outstanding_principal_minor, obj.currency)

    @admin.display(description="principal not yet billed")
    def principal_not_due(self, obj: Loan) -> str:
        return money(obj.principal_not_due_minor, obj.currency)

    @admin.display(description="interest accrued this period")
    def accrued_interest(self, obj: Loan) -> str:
        return money(obj.accrued_interest_minor, obj.currency)

    @admin.display(description="interest paid this period")
    def interest_paid(self, obj: Loan) -> str:
        return money(obj.current_interest_paid_minor, obj.currency)

    @admin.display(description="penalty outstanding")
    def penalty_outstanding(self, obj: Loan) -> str:
        return money(obj.penalty_outstanding_minor, obj.currency)

    @admin.display(description="created")
    def created(self, obj: Loan) -> str:
        return bank_time(obj.created_at)

    @admin.action(description="Write off the selected loans", permissions=["change"])
    def write_off(self, request: HttpRequest, queryset: Any) -> None:
        done = 0
        for loan in queryset:
            try:
                servicing.loan_write_off(loan_id=loan.id, reason="written off by staff action",
                                         actor=Actor.staff(request.user))
                done += 1
            except LoanNotActive as exc:
                self.message_user(request, f"{loan.id}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Wrote off {done} loans.", messages.SUCCESS)


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "loan", "source", "amount", "business_date", "created")
    list_filter = ("source",)
    search_fields = ("=id", "=loan__id")
    list_select_related = ("loan",)
    fields = ("id", "loan", "source", "amount", "allocation", "business_date", "created")
    readonly_fields = fields

    @admin.display(description="amount", ordering="amount_minor")
    def amount(self, obj: Repayment) -> str:
        return money(obj.amount_minor, obj.loan.currency)

    @admin.display(description="allocation")
    def allocation(self, obj: Repayment) -> str:
        currency = obj.loan.currency
        parts = [
            ("penalty", obj.penalty_minor), ("overdue interest", obj.overdue_interest_minor),
            ("overdue principal", obj.overdue_principal_minor), ("current interest", obj.current_interest_minor),
            ("current principal", obj.current_principal_minor), ("prepaid principal", obj.prepaid_principal_minor),
        ]
        return "; ".join(f"{label} {money(minor, currency)}" for label, minor in parts if minor) or "—"

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: Repayment) -> str:
        return bank_time(obj.created_at)


@admin.register(EodRun)
class EodRunAdmin(ReadOnlyAdmin):
    list_display = ("business_date", "step", "status", "chunks", "loans", "started", "finished")
    list_filter = ("status", "step")

    @admin.display(description="started", ordering="started_at")
    def started(self, obj: EodRun) -> str:
        return bank_time(obj.started_at)

    @admin.display(description="finished", ordering="finished_at")
    def finished(self, obj: EodRun) -> str:
        return bank_time(obj.finished_at)
