"""How to make, for each API URL with path parameters, an object the caller owns and one
owned by someone else. The authorization walk uses it; a new endpoint adds a line here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.oauth.models import ClientProfile
from tests import factories

ALL_SCOPES = frozenset({"accounts", "payments", "credit", "partner", "funder"})


@dataclass
class World:
    """Two customers (A calls, B is the other), two clients of each kind."""

    customer_a: Any
    customer_b: Any
    account_a: Any
    account_b: Any
    app_a: Any
    app_b: Any
    objects: dict[str, Any] = field(default_factory=dict)

    def token(self, caller: str, *, scope: str) -> str:
        if caller == "customer":
            return factories.issue_token(
                self.app_a, scope=scope, customer=self.customer_a, consent=self.objects["consent_a"]
            ).raw
        if caller == "third_party_client":
            return factories.issue_token(self.app_a, scope=scope).raw
        return factories.issue_token(self.objects[f"{caller}_client_a"], scope=scope).raw


def build_world() -> World:
    a = factories.make_customer("walker-a")
    b = factories.make_customer("walker-b")
    account_a = factories.make_account(a, balance_minor=1_000_00)
    account_b = factories.make_account(b, balance_minor=1_000_00)
    app_a = factories.make_client(ClientProfile.Kind.THIRD_PARTY)
    app_b = factories.make_client(ClientProfile.Kind.THIRD_PARTY)
    world = World(a, b, account_a, account_b, app_a, app_b)
    world.objects["consent_a"] = factories.make_consent(app_a, a, accounts=[account_a])
    world.objects["consent_b"] = factories.make_consent(app_b, b, accounts=[account_b])
    for kind in (ClientProfile.Kind.PARTNER, ClientProfile.Kind.FUNDER):
        world.objects[f"{kind}_client_a"] = factories.make_client(kind, scopes=" ".join(sorted(ALL_SCOPES)))
    for build in WORLD_BUILDERS:
        build(world)
    return world


@dataclass(frozen=True)
class Ownership:
    caller: str  # customer | third_party_client | partner | funder
    own: Callable[[World], dict[str, str]]
    other: Callable[[World], dict[str, str]]


# Apps add builders that put more objects (loans, payments...) into the world.
WORLD_BUILDERS: list[Callable[[World], None]] = []

OWNERSHIP: dict[str, Ownership] = {}

OWNERSHIP["consent-detail"] = Ownership(
    "third_party_client",
    own=lambda w: {"consent_id": w.objects["consent_a"].pk},
    other=lambda w: {"consent_id": w.objects["consent_b"].pk},
)


def _lending_world(w: World) -> None:
    from apps.core.actors import Actor
    from apps.lending.demo import seed_products
    from apps.lending.models import WhiteListEntry
    from apps.lending.origination import credit_application_create, loan_drawdown

    TEST_ACTOR = Actor.system("test")  # noqa: N806 (the name the lending tests use)

    consumer = seed_products()["consumer-revolving"]
    for tag, customer, account in (("a", w.customer_a, w.account_a), ("b", w.customer_b, w.account_b)):
        WhiteListEntry.objects.create(customer=customer, product=consumer, pre_approved_limit_minor=5_000_000)
        application = credit_application_create(
            actor=TEST_ACTOR,
            customer=customer, product=consumer, requested_amount_minor=5_000_000, business_data={"income_band": "A"}
        )
        w.objects[f"credit_application_{tag}"] = application
        w.objects[f"credit_line_{tag}"] = application.credit_line
        w.objects[f"loan_{tag}"] = loan_drawdown(
            actor=TEST_ACTOR,
            line_id=application.credit_line_id, customer_id=customer.id, amount_minor=100_000, term_months=5,
            method="equal_installment", deposit_account=account,
        )


WORLD_BUILDERS.append(_lending_world)
for _name in ("credit-lines-detail", "credit-lines-drawdown"):
    OWNERSHIP[_name] = Ownership(
        "customer",
        own=lambda w: {"line_id": w.objects["credit_line_a"].pk},
        other=lambda w: {"line_id": w.objects["credit_line_b"].pk},
    )
for _name in ("loans-detail", "loans-schedule", "loans-payoff-quote", "loans-repay"):
    OWNERSHIP[_name] = Ownership(
        "customer",
        own=lambda w: {"loan_id": w.objects["loan_a"].pk},
        other=lambda w: {"loan_id": w.objects["loan_b"].pk},
    )


def _products_world(w: World) -> None:
    """Products are no one's, but an invitation-only product is visible only to the invited: B is
    invited to one A is not (both are invited to consumer credit by `_lending_world`)."""
    from apps.lending.models import Product, WhiteListEntry

    consumer = Product.objects.get(code="consumer-revolving")
    fields = {f.attname: getattr(consumer, f.attname) for f in Product._meta.concrete_fields if not f.primary_key}
    only_b = Product.objects.create(**{**fields, "code": "walker-invited-b", "invitation_only": True})
    WhiteListEntry.objects.create(customer=w.customer_b, product=only_b)
    w.objects["product_a"], w.objects["product_b"] = consumer, only_b


WORLD_BUILDERS.append(_products_world)
OWNERSHIP["credit-products-detail"] = Ownership(
    "customer",
    own=lambda w: {"product_id": w.objects["product_a"].pk},
    other=lambda w: {"product_id": w.objects["product_b"].pk},
)
OWNERSHIP["credit-applications-detail"] = Ownership(
    "customer",
    own=lambda w: {"application_id": w.objects["credit_application_a"].pk},
    other=lambda w: {"application_id": w.objects["credit_application_b"].pk},
)


def _payments_world(w: World) -> None:
    from apps.accounts.services import payment_create
    from apps.core.actors import Actor
    from apps.core.money import Money
    from apps.oauth.models import Consent

    for side, customer, debtor, creditor, app in (
        ("a", w.customer_a, w.account_a, w.account_b, w.app_a),
        ("b", w.customer_b, w.account_b, w.account_a, w.app_b),
    ):
        consent = factories.make_consent(
            app, customer, kind=Consent.Kind.PAYMENT, amount_minor=100, currency="CNY",
            creditor_account_number=creditor.account_number, debtor_account_id=debtor.id,
        )
        w.objects[f"payment_{side}"] = payment_create(
            actor=Actor.client(app.client_id), consent_id=consent.pk, application_id=app.pk, customer_id=customer.pk,
            amount=Money(100, "CNY"), creditor_account_number=creditor.account_number,
        )


WORLD_BUILDERS.append(_payments_world)
for _name in ("accounts-detail", "accounts-balances", "accounts-transactions"):
    OWNERSHIP[_name] = Ownership(
        "customer",
        own=lambda w: {"account_id": w.account_a.pk},
        other=lambda w: {"account_id": w.account_b.pk},
    )
OWNERSHIP["payments-detail"] = Ownership(
    "customer",
    own=lambda w: {"payment_id": w.objects["payment_a"].pk},
    other=lambda w: {"payment_id": w.objects["payment_b"].pk},
)
