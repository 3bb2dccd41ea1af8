"""The bank's login and logout pages (mobile-first, no JavaScript, English and Simplified Chinese).

Password guessing is stopped by django-axes (settings: AXES_*, TRUSTED_PROXY_COUNT): failures
are counted per username and per client address, and a locked attempt is refused here before
the password is checked, so a guesser learns nothing and the hasher costs nothing.
"""
from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from apps.customers.i18n import LanguageSwitchMixin

LOCKED_MESSAGE = _(
    "Too many failed sign-in attempts. For your security, sign-in is paused for a while; try again later."
)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The username failures are counted under (AXES_USERNAME_CALLABLE): "Li.Na " is "li.na"."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "locked": LOCKED_MESSAGE}

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and not AxesProxyHandler.is_allowed(self.request, {"username": username}):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()  # a failure is counted by axes (user_login_failed)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the attempt that reached the limit (or any locked attempt axes
    stops during authentication, e.g. on the admin's login) gets the sign-in page saying why."""
    form = ThrottledAuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "locked": LOCKED_MESSAGE, "next": request.POST.get("next", "")}
    return render(request, BankLoginView.template_name, context)


class BankLoginView(LanguageSwitchMixin, auth_views.LoginView):
    template_name = "customers/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = False


class BankLogoutView(LanguageSwitchMixin, auth_views.LogoutView):
    template_name = "customers/logged_out.html"
