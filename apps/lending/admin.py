"""Staff screens: products, lists (with CSV import/export), scorecards, decisions, lines, loans."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.core.actors import Actor
from apps.core.admin import ReadOnlyAdmin

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
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "min_amount_minor", "max_amount_minor", "min_daily_rate", "max_daily_rate", "active")
    list_filter = ("kind", "active", "invitation_only")
    search_fields = ("code", "name")


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
class WhiteListEntryAdmin(CsvImportExportMixin, admin.ModelAdmin):
    list_display = ("customer", "product", "pre_approved_limit_minor", "created_at")
    list_filter = ("product",)
    search_fields = ("customer__id", "customer__display_name")
    raw_id_fields = ("customer",)
    actions = ["export_csv"]
    csv_header = lists.WHITELIST_CSV_HEADER
    csv_filename = "white-list.csv"
    change_list_template = "admin/lending/csv_change_list.html"

    csv_import = staticmethod(lists.whitelist_import_csv)

    csv_export = staticmethod(lists.whitelist_export_csv)


@admin.register(BlackListEntry)
class BlackListEntryAdmin(CsvImportExportMixin, admin.ModelAdmin):
    list_display = ("customer", "national_id_hash", "reason", "created_at")
    search_fields = ("customer__id", "national_id_hash", "reason")
    raw_id_fields = ("customer",)
    actions = ["export_csv"]
    csv_header = lists.BLACKLIST_CSV_HEADER
    csv_filename = "black-list.csv"
    change_list_template = "admin/lending/csv_change_list.html"

    csv_import = staticmethod(lists.blacklist_import_csv)

    csv_export = staticmethod(lists.blacklist_export_csv)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ("version", "product_kind", "active", "approve_threshold", "refer_threshold", "created_at")
    list_filter = ("product_kind", "active")


@admin.register(RiskDecision)
class RiskDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "product", "outcome", "score", "limit_minor", "model_version", "created_at")
    list_filter = ("outcome", "model_version")
    search_fields = ("id", "customer__id")


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "product", "status", "requested_amount_minor", "created_at")
    list_filter = ("status",)


@admin.register(CreditLine)
class CreditLineAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "product", "status", "limit_minor", "used_minor")
    list_filter = ("status", "product")
    search_fields = ("id", "customer__id")
    fields = ("customer", "product", "status", "limit_minor", "used_minor", "daily_rate")
    readonly_fields = ("customer", "product", "used_minor", "daily_rate")


class InstallmentInline(admin.TabularInline):
    model = Installment
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Installment._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = LoanStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("timestamp", "business_date", "from_status", "to_status", "reason", "actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "product", "status", "principal_minor", "outstanding_principal_minor",
                    "days_past_due", "delinquency_bucket")
    list_filter = ("status", "delinquency_bucket", "product")
    search_fields = ("id", "customer__id")
    inlines = [InstallmentInline, StatusChangeInline]
    actions = ["write_off"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("lending.change_loan")  # type: ignore[union-attr]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Loan._meta.fields]

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
    list_display = ("id", "loan", "source", "amount_minor", "business_date", "created_at")
    list_filter = ("source",)


@admin.register(EodRun)
class EodRunAdmin(ReadOnlyAdmin):
    list_display = ("business_date", "step", "status", "chunks", "loans", "started_at", "finished_at")
