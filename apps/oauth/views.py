"""The bank's pages for OAuth: the consent (authorization) page and the customer's connected apps.

/oauth/authorize/ is django-oauth-toolkit's AuthorizationView with the bank's rules:
- scopes accounts, payments and credit need `consent_id`: a consent this client created,
  awaiting authorisation and unexpired, whose kind matches the scopes (payment ->
  payments; account access -> accounts and/or credit);
- PKCE with S256 only (a missing challenge or `plain` is refused);
- the customer sees exactly what is asked and until when, chooses which of their own
  accounts to share (checked again on the server), and allows or refuses;
- the authorization response (success and error) carries `iss` (RFC 9207).
The request is always validated from the URL's query string, on GET and on POST, so
nothing in the posted form can change the client, redirect URI, scopes or PKCE challenge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import _add_iss_to_redirect
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView
from oauthlib import oauth2
from oauthlib.common import urlencode

from apps.core.actors import Actor
from apps.core.errors import PlatformError
from apps.core.money import Money
from apps.customers.i18n import LanguageSwitchMixin, language_links
from apps.customers.models import Customer

from .models import Consent
from .selectors import client_display_name, connected_apps, consentable_accounts
from .services import consent_authorise, consent_needs_accounts, consent_reject, consent_revoke

CONSENT_SCOPES = frozenset({"accounts", "payments", "credit"})
SCOPES_FOR_KIND = {
    Consent.Kind.PAYMENT: frozenset({"payments"}),
    Consent.Kind.ACCOUNT_ACCESS: frozenset({"accounts", "credit"}),
}
ACCOUNT_PERMISSIONS = {"read_accounts", "read_balances", "read_transactions"}
CREDIT_PERMISSIONS = {"read_credit", "manage_credit"}


@dataclass
class AuthorizationRequest:
    scopes: list[str]
    credentials: dict[str, Any]
    application: Any
    customer: Customer
    consent: Consent | None = None
    accounts: list[dict[str, Any]] = field(default_factory=list)


class _Refusal(Exception):
    """An OAuth error to send back to the (already validated) redirect URI."""

    def __init__(self, checked: AuthorizationRequest, error: str, description: str) -> None:
        self.checked = checked
        self.error = error
        self.description = description
        super().__init__(description)


class ConsentAuthorizationView(LanguageSwitchMixin, AuthorizationView):
    template_name = "oauth/authorize.html"
    error_template_name = "oauth/authorize_error.html"

    # --- validation -------------------------------------------------------------------
    def _validate_query(self, request: HttpRequest) -> tuple[list[str], dict[str, Any]]:
        """oauthlib's validation of the authorization request, from the query string only."""
        core = self.get_oauthlib_core()
        uri = core._get_escaped_full_path(request)
        headers = core.extract_headers(request)
        headers.pop("Content-Type", None)
        try:
            return core.server.validate_authorization_request(uri, http_method="GET", body=None, headers=headers)
        except oauth2.FatalClientError as error:
            raise FatalClientError(error=error) from None
        except oauth2.OAuth2Error as error:
            raise OAuthToolkitError(error=error, redirect_uri=error.redirect_uri) from None

    def _check_request(self, request: HttpRequest) -> AuthorizationRequest:
        """Everything that can be checked without the customer: the client, redirect URI,
        PKCE and the consent. Checked before the sign-in too, so a malformed request is
        answered at once instead of after the customer typed a password."""
        scopes, credentials = self._validate_query(request)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        checked = AuthorizationRequest(
            scopes=list(scopes), credentials=credentials, application=application, customer=None  # type: ignore[arg-type]
        )
        if credentials.get("code_challenge_method") != "S256":
            raise _Refusal(checked, "invalid_request", "PKCE is required with code_challenge_method=S256 ('plain' is not accepted).")
        requested = set(scopes)
        if requested & CONSENT_SCOPES:
            consent_id = request.GET.get("consent_id", "").strip()
            if not consent_id:
                raise _Refusal(checked, "invalid_request", "consent_id is required for the scopes accounts, payments and credit.")
            consent = Consent.objects.filter(pk=consent_id, application=application).first()
            if consent is None:
                raise _Refusal(checked, "invalid_request", "consent_id does not name a consent of this client.")
            if consent.status != Consent.Status.AWAITING_AUTHORISATION:
                raise _Refusal(checked, "invalid_request", f"The consent is {consent.status}, not awaiting authorisation.")
            if consent.expires_at <= timezone.now():
                raise _Refusal(checked, "invalid_request", "The consent has expired; create a new one.")
            allowed = SCOPES_FOR_KIND[consent.kind]  # type: ignore[index]
            if not requested <= allowed:
                raise _Refusal(
                    checked,
                    "invalid_scope",
                    f"This consent ({consent.kind}) can only be authorised with the scope(s): {' '.join(sorted(allowed))}.",
                )
            permissions = set(consent.permissions)
            if "accounts" in requested and not permissions & ACCOUNT_PERMISSIONS:
                raise _Refusal(checked, "invalid_scope", "The scope accounts needs a consent with an account permission.")
            if "credit" in requested and not permissions & CREDIT_PERMISSIONS:
                raise _Refusal(checked, "invalid_scope", "The scope credit needs a consent with a credit permission.")
            checked.consent = consent
        return checked

    def _check(self, request: HttpRequest) -> AuthorizationRequest:
        checked = self._check_request(request)
        customer = Customer.objects.filter(user_id=cast(int, request.user.pk)).first()
        if customer is None:
            raise _NotACustomer()
        checked.customer = customer
        if checked.consent is not None:
            accounts = consentable_accounts(customer_id=customer.pk)
            if checked.consent.kind == Consent.Kind.PAYMENT:
                accounts = [a for a in accounts if a["currency"] == checked.consent.currency]
            checked.accounts = accounts
        return checked

    def handle_no_permission(self) -> HttpResponse:
        """Not signed in: answer a malformed request now (RFC 6749 §4.1.2.1: an error page for
        a bad client or redirect URI, else a redirect back with the error); only a request
        that could be authorised goes on to the sign-in page."""
        try:
            self._check_request(self.request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        except _Refusal as refusal:
            return self._refuse(refusal.checked, refusal.error, refusal.description)
        return super().handle_no_permission()

    # --- responses ----------------------------------------------------------------------
    def _issuer(self) -> str:
        return oauth2_settings.oauth2_authorization_server_issuer(self.request)

    def error_response(self, error: OAuthToolkitError, application: Any, **kwargs: Any) -> HttpResponse:
        """Fatal errors (unknown client, bad redirect URI) get a page; others go back to the app, with iss."""
        redirect_now, response = OAuthLibMixinErrors.split(error)
        if redirect_now:
            return self.redirect(_add_iss_to_redirect(response["url"], self._issuer()), application)
        oauthlib_error = response["error"]
        return self._error_page(
            _("This sign-in link is not valid"),
            oauthlib_error.description or oauthlib_error.error,
            status=oauthlib_error.status_code,
        )

    def _refuse(self, checked: AuthorizationRequest, error: str, description: str) -> HttpResponse:
        redirect_uri = checked.credentials["redirect_uri"]
        params = {"error": error, "error_description": description}
        if checked.credentials.get("state"):
            params["state"] = checked.credentials["state"]
        separator = "&" if "?" in redirect_uri else "?"
        url = _add_iss_to_redirect(redirect_uri + separator + urlencode(params.items()), self._issuer())
        return self.redirect(url, checked.application)

    def _error_page(self, title: str, detail: str, *, status: int = 400) -> HttpResponse:
        return render(
            self.request,
            self.error_template_name,
            {"title": title, "detail": detail, "language_links": language_links(self.request)},
            status=status,
        )

    def _page(self, checked: AuthorizationRequest, *, errors: list[str] | None = None,
              selected: list[str] | None = None, status: int = 200) -> HttpResponse:
        consent = checked.consent
        all_scopes = get_scopes_backend().get_all_scopes()
        payment = None
        if consent is not None and consent.kind == Consent.Kind.PAYMENT and consent.amount_minor is not None:
            payment = {
                "amount": Money(consent.amount_minor, consent.currency).as_string(),
                "currency": consent.currency,
                "creditor_name": consent.creditor_name,
                "creditor_account": f"**** {consent.creditor_account_number[-4:]}",
                "reference": consent.reference,
            }
        context = {
            "app_name": client_display_name(application=checked.application),
            "customer": checked.customer,
            "consent": consent,
            "permission_labels": [Consent.Permission(p).label for p in (consent.permissions if consent else [])],
            "payment": payment,
            "scope_descriptions": [all_scopes.get(s, s) for s in checked.scopes] if consent is None else [],
            "accounts": checked.accounts,
            "needs_accounts": consent is not None and consent_needs_accounts(consent),
            "is_payment": consent is not None and consent.kind == Consent.Kind.PAYMENT,
            # The accounts a credit consent shares are where drawdowns go and repayments come from.
            "moves_credit": consent is not None and Consent.Permission.MANAGE_CREDIT in consent.permissions,
            "shares_data": consent is not None and bool(set(consent.permissions) & ACCOUNT_PERMISSIONS),
            "selected": set(selected or []),
            "errors": errors or [],
            "form_action": self.request.get_full_path(),
            "language_links": language_links(self.request),
        }
        return render(self.request, self.template_name, context, status=status)

    # --- handlers -----------------------------------------------------------------------
    def _checked_or_response(self, request: HttpRequest) -> AuthorizationRequest | HttpResponse:
        """The checked request, or the response that ends it (an error page or a redirect
        back to the client with the error)."""
        try:
            return self._check(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        except _NotACustomer:
            return self._not_a_customer()
        except _Refusal as refusal:
            return self._refuse(refusal.checked, refusal.error, refusal.description)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        checked = self._checked_or_response(request)
        if isinstance(checked, HttpResponse):
            return checked
        return self._page(checked)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        checked = self._checked_or_response(request)
        if isinstance(checked, HttpResponse):
            return checked
        decision = request.POST.get("decision")
        if decision == "refuse":
            if checked.consent is not None:
                consent_reject(actor=Actor.customer(checked.customer.pk), consent=checked.consent, customer=checked.customer)
            return self._refuse(checked, "access_denied", "The customer refused.")
        if decision != "allow":
            return self._page(checked, errors=[_("Choose Allow or Refuse.")], status=400)
        account_ids = request.POST.getlist("account_ids")
        debtor = request.POST.get("debtor_account_id", "")
        credentials = {
            key: checked.credentials[key]
            for key in ("client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method")
            if checked.credentials.get(key) is not None
        }
        try:
            with transaction.atomic():
                if checked.consent is not None:
                    consent = consent_authorise(
                        actor=Actor.customer(checked.customer.pk),
                        consent=checked.consent,
                        customer=checked.customer,
                        account_ids=account_ids,
                        debtor_account_id=debtor,
                    )
                    # The grant remembers the consent; the tokens issued for it are bound to it
                    # (ConsentAwareValidator reads request.claims["consent_id"]).
                    credentials["claims"] = {"consent_id": consent.pk}
                uri, _headers, _body, _status = self.create_authorization_response(
                    request=request, scopes=" ".join(checked.scopes), credentials=credentials, allow=True
                )
        except OAuthToolkitError as error:
            return self.error_response(error, checked.application)
        except PlatformError as error:
            messages = _page_messages(error)
            return self._page(checked, errors=messages, selected=account_ids or [debtor], status=400)
        return self.redirect(uri, checked.application)

    def _not_a_customer(self) -> HttpResponse:
        return self._error_page(
            _("This sign-in is not a customer of the bank"),
            _("Sign in with your customer account to connect apps."),
            status=403,
        )


def _page_messages(error: PlatformError) -> list[str]:
    """The customer-facing (translated) wording of a service error on the consent page."""
    texts = {
        "consent_not_awaiting_authorisation": _("This request was already answered. Go back to the app and start again."),
        "consent_expired": _("This request has expired. Go back to the app and start again."),
        ("account_ids", "invalid_choice"): _("Some of the chosen accounts are not yours to share."),
        ("account_ids", "required"): _("Choose at least one account to share."),
        ("debtor_account_id", "invalid_choice"): _("Choose one of your accounts to pay from."),
        ("debtor_account_id", "currency_mismatch"): _("Choose an account in the currency of the payment."),
    }
    found = [texts[(e.get("field", ""), e.get("code", ""))] for e in error.errors if (e.get("field", ""), e.get("code", "")) in texts]
    return found or [texts.get(error.code, _("This could not be done. Please try again."))]


class _NotACustomer(Exception):
    pass


class OAuthLibMixinErrors:
    @staticmethod
    def split(error: OAuthToolkitError) -> tuple[bool, dict[str, Any]]:
        oauthlib_error = error.oauthlib_error
        redirect_uri = oauthlib_error.redirect_uri or ""
        separator = "&" if "?" in redirect_uri else "?"
        response = {"error": oauthlib_error, "url": redirect_uri + separator + oauthlib_error.urlencoded}
        return (not isinstance(error, FatalClientError) and bool(redirect_uri)), response


class CustomerPageMixin(LanguageSwitchMixin, LoginRequiredMixin):
    def customer(self) -> Customer | None:
        return Customer.objects.filter(user_id=self.request.user.pk).first()  # type: ignore[attr-defined]


def _masked(number: str) -> str:
    return f"**** {number[-4:]}" if number else ""


def _consent_item(consent: Consent, accounts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the customer reads about one consent: what it allows, since when, until when,
    which of their accounts, and for a payment the amount and the payee."""
    payment = None
    account_ids = list(consent.account_ids)
    if consent.kind == Consent.Kind.PAYMENT:
        if consent.debtor_account_id and consent.debtor_account_id not in account_ids:
            account_ids.append(consent.debtor_account_id)
        if consent.amount_minor is not None:
            payment = {
                "amount": Money(consent.amount_minor, consent.currency).as_string(),
                "currency": consent.currency,
                "creditor_name": consent.creditor_name,
                "creditor_account": _masked(consent.creditor_account_number),
                "reference": consent.reference,
            }
    return {
        "consent": consent,
        "kind_label": Consent.Kind(consent.kind).label,
        "permission_labels": [Consent.Permission(p).label for p in consent.permissions],
        "accounts": [accounts.get(a, {"name": a, "masked_number": ""}) for a in account_ids],
        "payment": payment,
        "since": consent.authorised_at or consent.created_at,
    }


class ConnectedAppsView(CustomerPageMixin, TemplateView):
    """The customer's authorised consents, grouped by app; each shown apart (numbered, with
    what it allows, since and until when, which accounts) and revocable after a confirmation."""

    template_name = "oauth/connected_apps.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer = self.customer()
        groups = []
        accounts = {a["id"]: a for a in consentable_accounts(customer_id=customer.pk)} if customer else {}
        for app in connected_apps(customer_id=customer.pk) if customer else []:
            items = [_consent_item(consent, accounts) for consent in app.consents]
            groups.append({"name": app.display_name, "items": items, "count": len(items)})
        context.update({"customer": customer, "groups": groups, "revoked": self.request.GET.get("revoked")})
        return context


class ConsentRevokeView(CustomerPageMixin, View):
    """GET: the confirmation page (a plain form: works without JavaScript). POST
    (CSRF-protected): the customer ends one of their consents."""

    http_method_names = ["get", "post"]

    def _authorised_consent(self) -> tuple[Customer | None, Consent | None]:
        customer = self.customer()
        consent = (
            Consent.objects.filter(pk=self.kwargs["consent_id"], customer=customer).select_related("application").first()
            if customer is not None else None
        )
        if consent is not None and consent.status != Consent.Status.AUTHORISED:
            consent = None
        return customer, consent

    def _nothing_to_revoke(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "oauth/authorize_error.html",
            {
                "title": _("Nothing to revoke"),
                "detail": _("This connection does not exist or has already ended."),
                "language_links": language_links(request),
                "back_url": "/bank/connected-apps/",
            },
            status=404,
        )

    def get(self, request: HttpRequest, consent_id: str) -> HttpResponse:
        customer, consent = self._authorised_consent()
        if customer is None or consent is None:
            return self._nothing_to_revoke(request)
        accounts = {a["id"]: a for a in consentable_accounts(customer_id=customer.pk)}
        return render(
            request,
            "oauth/revoke_confirm.html",
            {
                "app_name": client_display_name(application=consent.application),
                "item": _consent_item(consent, accounts),
                "language_links": language_links(request),
            },
        )

    def post(self, request: HttpRequest, consent_id: str) -> HttpResponse:
        customer, consent = self._authorised_consent()
        if customer is None or consent is None:
            return self._nothing_to_revoke(request)
        consent_revoke(actor=Actor.customer(customer.pk), consent=consent)
        return redirect(f"/bank/connected-apps/?revoked={consent.pk}")
