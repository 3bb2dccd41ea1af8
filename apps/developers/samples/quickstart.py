"""Quickstart: the Python SDK, server to server (client credentials).

pip install ./openbank-0.1.0-py3-none-any.whl   # built by `make sdk-pack` in the platform's checkout
"""
import datetime as dt
import os

from openbank import OpenBank
from openbank._generated.api.consents import consents_create, consents_list
from openbank._generated.models import AccountAccessConsentCreateRequest

base_url = os.environ.get("OPENBANK_URL", "http://127.0.0.1:8000")
client_id = os.environ["OPENBANK_CLIENT_ID"]  # sandbox credentials from `make run`
client_secret = os.environ["OPENBANK_CLIENT_SECRET"]

with OpenBank(base_url, client_id, client_secret, scope="accounts") as ob:
    # 1. Ask for the customer's consent. The SDK fetches and caches the token, adds an
    #    Idempotency-Key to the POST and retries it safely on 429/5xx; an error raises a
    #    typed exception (openbank.ValidationError, NotFoundError, ...) with .code and .request_id.
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    consent = ob.call(
        consents_create.sync_detailed,
        body=AccountAccessConsentCreateRequest.from_dict({
            "kind": "account_access",
            "permissions": ["read_accounts", "read_balances", "read_transactions"],
            "expires_at": expires.isoformat(),
        }),
    )
    print("created", consent.id, consent.status)

    # 2. Every consent this app created, page after page, without touching cursors.
    count = 0
    for c in ob.iterate(consents_list.sync_detailed, limit=100):
        count += 1
        if c.id == consent.id:
            print("found", c.id, "among the app's consents")
    print("total", count)
