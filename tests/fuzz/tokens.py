"""OAuth tokens for the fuzzer, got the way a partner gets them from the live platform.

Client credentials for the consent endpoints; for the customer's data, a consent created by
the seeded third-party app, allowed on the bank's own pages by a seeded customer (the HTML
forms driven over plain HTTP, tests.sdk.conftest.authorize_in_browser) and exchanged with
PKCE: one token per scope (accounts, payments, credit), as a real app holds them.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import urllib.parse
from typing import Any

import httpx

from tests.sdk.conftest import authorize_in_browser
from tests.sdk.live_server import LivePlatform


def _token_request(live: LivePlatform, data: dict[str, str], client: dict[str, str] | None = None) -> dict[str, Any]:
    client = client or live.third_party
    response = httpx.post(live.url + "/oauth/token/", data=data, auth=(client["client_id"], client["client_secret"]),
                          timeout=30)
    assert response.status_code == 200, f"token request {data.get('grant_type')}: {response.status_code} {response.text}"
    return dict(response.json())


def client_credentials(live: LivePlatform, scope: str, client: dict[str, str] | None = None) -> str:
    return str(_token_request(live, {"grant_type": "client_credentials", "scope": scope}, client)["access_token"])


def fuzz_client(live: LivePlatform) -> dict[str, str]:
    """A second third-party app, whose consents the fuzzer creates, lists and revokes: a
    client sees only its own consents, so the fuzzer cannot revoke the consents behind the
    customer tokens (those belong to the seeded app)."""
    code = (
        "import secrets; from tests.factories import make_client; "
        "app = make_client(name='Fuzzer'); secret = secrets.token_urlsafe(32); "
        "app.client_secret = secret; app.save(); print(app.client_id, secret)"
    )
    client_id, secret = live.manage("shell", "-c", code).strip().splitlines()[-1].split()
    return {"client_id": client_id, "client_secret": secret}


def account_number(live: LivePlatform, username: str) -> str:
    """A deposit account number of a seeded customer (a payment's creditor): the seed prints ids only."""
    code = (
        "from apps.accounts.models import DepositAccount; "
        f"print(DepositAccount.objects.filter(customer__user__username={username!r}).order_by('id')[0].account_number)"
    )
    return live.manage("shell", "-c", code).strip().splitlines()[-1]


def user_token(live: LivePlatform, scope: str, consent: dict[str, Any], *,
               username: str = "wei.zhang") -> tuple[str, str]:
    """Create `consent` (client credentials), have `username` allow it, exchange the code (PKCE S256);
    returns the access token and the consent's id."""
    client = live.third_party
    # Consents are asked for with `accounts` (account access, credit included) or `payments`.
    cc = client_credentials(live, "payments" if consent["kind"] == "payment" else "accounts")
    created = httpx.post(live.url + "/api/v1/consents", json=consent, headers={"Authorization": f"Bearer {cc}"},
                         timeout=30)
    assert created.status_code == 201, created.text
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": client["redirect_uri"],
        "scope": scope, "state": state, "code_challenge": challenge, "code_challenge_method": "S256",
        "consent_id": created.json()["id"],
    })
    redirect = authorize_in_browser(live, f"{live.url}/oauth/authorize/?{query}", client["redirect_uri"],
                                    username=username)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect).query))
    assert params.get("state") == state and "code" in params, redirect
    tokens = _token_request(live, {
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": client["redirect_uri"],
        "code_verifier": verifier,
    })
    return str(tokens["access_token"]), str(created.json()["id"])


def make_loan(live: LivePlatform, credit_token: str, *, username: str = "wei.zhang") -> str:
    """Draw on the customer's seeded credit line, so the loan reads and the repayment have a
    real loan to reach (list -> item links) besides the ids the fuzzer guesses."""
    customer = live.customer(username)
    response = httpx.post(
        f"{live.url}/api/v1/credit-lines/{customer['credit_lines'][0]}/drawdowns",
        json={"amount": {"amount": "1000.00", "currency": "CNY"}, "term_months": 10,
              "repayment_method": "equal_installment", "deposit_account_id": customer["accounts"][0]},
        headers={"Authorization": f"Bearer {credit_token}", "Idempotency-Key": secrets.token_hex(16)}, timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def fuzz_setup(live: LivePlatform) -> dict[str, Any]:
    """What tests/fuzz/hooks.py reads: the token of each role, and real values (ids the fuzzer
    cannot guess) that it puts into some of the generated bodies, so the creating calls also
    succeed and the stateful phase follows their links to real resources."""
    in_a_month = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    creditor = account_number(live, "li.na")
    accounts, _ = user_token(live, "accounts", {
        "kind": "account_access", "expires_at": in_a_month,
        "permissions": ["read_accounts", "read_balances", "read_transactions"],
    })
    payment_amount = {"amount": "1.00", "currency": "CNY"}
    payments, payment_consent = user_token(live, "payments", {
        "kind": "payment", "amount": payment_amount, "creditor_account_number": creditor, "creditor_name": "Li Na",
    })
    credit, _ = user_token(live, "credit", {
        "kind": "account_access", "expires_at": in_a_month,
        "permissions": ["read_accounts", "read_credit", "manage_credit"],
    })
    make_loan(live, credit)
    customer = live.customer("wei.zhang")
    return {
        "tokens": {
            "client": client_credentials(live, "accounts payments", fuzz_client(live)),
            "accounts": accounts, "payments": payments, "credit": credit,
        },
        # Per operation: the fields set, and the only others kept (both bodies refuse unknown fields).
        "bodies": {
            "credit_lines_drawdown": {
                "set": {"deposit_account_id": customer["accounts"][0]},
                "keep": ["amount", "term_months", "repayment_method"],
            },
            "payments_create": {
                "set": {"consent_id": payment_consent, "creditor_account_number": creditor, "amount": payment_amount},
                "keep": ["reference"],
            },
        },
    }


if __name__ == "__main__":  # pragma: no cover - a manual aid: tokens for a running platform
    import sys

    seed = json.loads(open(sys.argv[2]).read())  # noqa: SIM115
    print(json.dumps(fuzz_setup(LivePlatform(url=sys.argv[1], seed=seed, env={}, process=None, workdir=None,  # type: ignore[arg-type]
                                             log_path=None))))  # type: ignore[arg-type]
