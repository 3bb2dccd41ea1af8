"""The bank's login and logout pages (mobile-first, no JavaScript, English and Simplified Chinese)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.oauth.i18n import LanguageSwitchMixin

from .services import login_failure_record, login_locked, login_success_record


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-in attempts. For your security, sign-in is paused for a while; "
            "try again later."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else ""
        if login_locked(username=username, ip=ip):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip=ip)
            raise
        login_success_record(username=username)
        return cleaned


class BankLoginView(LanguageSwitchMixin, auth_views.LoginView):
    template_name = "customers/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = False


class BankLogoutView(LanguageSwitchMixin, auth_views.LogoutView):
    template_name = "customers/logged_out.html"
