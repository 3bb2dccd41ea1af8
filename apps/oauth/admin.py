"""OAuth clients with their bank profile, consents (revocable, audited) and the audit log."""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_admin_class, get_application_model

from apps.core.actors import Actor
from apps.core.admin import BackOfficeAdmin, ReadOnlyAdmin, bank_time, money
from apps.core.errors import PlatformError

from .models import ClientProfile, Consent
from .services import consent_revoke

Application = get_application_model()


class ClientProfileInline(admin.StackedInline):
    model = ClientProfile
    can_delete = False
    extra = 1
    max_num = 1
    fields = ("kind", "display_name", "allowed_scopes")


# The grants this server serves (OAUTH2_GRANT_TYPES_SUPPORTED; refresh comes with a code):
# an app registered for implicit, password or device code could never get a token here.
SERVED_GRANTS = (
    (Application.GRANT_AUTHORIZATION_CODE, _("Authorization code (customers sign in; with PKCE)")),
    (Application.GRANT_CLIENT_CREDENTIALS, _("Client credentials (the app acts for itself)")),
)


class ApplicationWithProfileAdmin(get_application_admin_class(), BackOfficeAdmin):  # type: ignore[misc]
    inlines = [ClientProfileInline]
    list_display = ("name", "client_id", "profile_kind", "client_type", "authorization_grant_type")
    list_per_page = 50

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "authorization_grant_type":
            # The form's choice field then refuses any other grant on save, too.
            kwargs["choices"] = SERVED_GRANTS
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("kind"))
    def profile_kind(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_kind_display() if profile else "—"


if admin.site.is_registered(Application):
    admin.site.unregister(Application)
admin.site.register(Application, ApplicationWithProfileAdmin)


@admin.register(Consent)
class ConsentAdmin(BackOfficeAdmin):
    list_display = ("id", "kind", "status", "application", "customer", "payment_amount", "expires")
    list_filter = ("status", "kind")
    search_fields = ("id", "customer__id", "customer__display_name", "application__name", "application__client_id")
    list_select_related = ("application", "customer")
    ordering = ("-created_at",)
    actions = ["revoke_selected"]
    readonly_fields = [f.name for f in Consent._meta.fields if f.name != "amount_minor"] + ["payment_amount"]
    exclude = ("amount_minor",)

    @admin.display(description=_("payment amount"), ordering="amount_minor")
    def payment_amount(self, obj: Consent) -> str:
        return money(obj.amount_minor, obj.currency) if obj.amount_minor is not None else "—"

    @admin.display(description=_("expires"), ordering="expires_at")
    def expires(self, obj: Consent) -> str:
        return bank_time(obj.expires_at)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # apps create consents through the API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the record is the audit trail

    @admin.action(description=_("Revoke selected consents"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Consent]) -> None:
        revoked = skipped = 0
        for consent in queryset:
            try:
                consent_revoke(actor=Actor.staff(request.user), consent=consent)
            except PlatformError:
                skipped += 1
                continue
            self.log_change(request, consent, "Revoked by staff (admin action); its tokens were revoked.")
            revoked += 1
        self.message_user(
            request,
            _("%(revoked)d consent(s) revoked, %(skipped)d already ended.") % {"revoked": revoked, "skipped": skipped},
            messages.SUCCESS if revoked else messages.WARNING,
        )


class LogEntryAdmin(ReadOnlyAdmin):
    """Every admin change, read-only: who did what to which object, and when."""

    list_display = ("time", "user", "content_type", "object_repr", "action_flag", "change_message")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "object_id", "user__username", "change_message")
    date_hierarchy = "action_time"
    readonly_fields = [f.name for f in LogEntry._meta.fields]

    @admin.display(description=_("time"), ordering="action_time")
    def time(self, obj: LogEntry) -> str:
        return bank_time(obj.action_time)


if not admin.site.is_registered(LogEntry):
    admin.site.register(LogEntry, LogEntryAdmin)
