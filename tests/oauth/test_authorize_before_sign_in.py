"""A malformed authorization request is answered before the customer is asked to sign in
(RFC 6749 §4.1.2.1): nobody types a password for a request that can only fail."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.oauth.models import Consent
from tests.factories import make_client

from .test_authorize import ISSUER, account_consent, authorize_url, redirect_params

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("case", "error", "needle"),
    [
        ("missing", "invalid_request", "consent_id is required"),
        ("unknown", "invalid_request", "not name a consent of this client"),
        ("other_client", "invalid_request", "not name a consent of this client"),
        ("answered", "invalid_request", "rejected"),
        ("expired", "invalid_request", "expired"),
        ("wrong_scope", "invalid_scope", "scope(s): accounts credit"),
        ("plain_pkce", "invalid_request", "S256"),
    ],
)
def test_a_bad_consent_request_goes_back_to_the_app_without_a_sign_in(app: Any, case: str, error: str, needle: str) -> None:
    consent: Consent | None = account_consent(app)
    scope, extra = "accounts", {}
    if case == "missing":
        consent = None
    elif case == "unknown":
        Consent.objects.filter(pk=consent.pk).delete()
    elif case == "other_client":
        consent = account_consent(make_client())
    elif case == "answered":
        Consent.objects.filter(pk=consent.pk).update(status=Consent.Status.REJECTED)
    elif case == "expired":
        Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "wrong_scope":
        scope = "payments"
    elif case == "plain_pkce":
        extra = {"challenge": "x" * 43, "method": "plain"}
    params = redirect_params(Client().get(authorize_url(app, consent=consent, scope=scope, **extra)))
    assert params["error"] == error
    assert needle in params["error_description"]
    assert params["state"] == "st-123" and params["iss"] == ISSUER


def test_an_unknown_client_gets_the_error_page_not_the_sign_in(app: Any) -> None:
    response = Client().get(authorize_url(app, consent=None).replace(app.client_id, "no-such-client"))
    assert response.status_code == 400
    assert "Location" not in response and "not valid" in response.content.decode()


def test_an_unregistered_redirect_uri_gets_the_error_page_not_the_sign_in(app: Any) -> None:
    response = Client().get(authorize_url(app, consent=account_consent(app)).replace("callback", "elsewhere"))
    assert response.status_code == 400 and "Location" not in response


def test_a_request_that_can_be_authorised_goes_on_to_the_sign_in(app: Any) -> None:
    response = Client().get(authorize_url(app, consent=account_consent(app)))
    assert response.status_code == 302 and response["Location"].startswith("/bank/login/?next=")
