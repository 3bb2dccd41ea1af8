"""Payments: make the one payment a payment consent authorises; read it back (with `ETag`)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.actors import Actor
from apps.core.api import IDEMPOTENCY_KEY_PARAMETER, PlatformAPIView
from apps.core.conditional import conditional_data
from apps.core.errors import Forbidden, field_error
from apps.core.idempotency import idempotent
from apps.core.money import CurrencyMismatch, money_json, parse_money_input
from apps.core.schema import declare_errors, money_input_errors
from apps.core.serializers import MoneyInputSerializer, MoneySerializer, StrictCharField, StrictSerializer, rfc3339
from apps.customers.selectors import CustomerNotVerified
from apps.ledger.services import InsufficientFunds
from apps.oauth.models import Consent
from apps.oauth.payment_consents import PaymentConsentNotFound, PaymentConsentNotUsable
from apps.oauth.permissions import CustomerScopes

from .. import selectors, services
from ..models import Payment
from .common import CONDITIONAL_PARAMETERS, NOT_MODIFIED, auth, consent_scope


@extend_schema_serializer(component_name="Payment")
class PaymentSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    consent_id = serializers.CharField()
    debtor_account_id = serializers.CharField()
    creditor_account_number = serializers.CharField()
    amount = MoneySerializer()
    reference = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    business_date = serializers.DateField()


def _payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "status": payment.status,
        "consent_id": payment.consent_id,
        "debtor_account_id": payment.debtor_account_id,
        "creditor_account_number": payment.creditor_account.account_number,
        "amount": money_json(payment.amount_minor, payment.currency),
        "reference": payment.reference,
        "created_at": rfc3339(payment.created_at),
        "business_date": payment.business_date.isoformat(),
    }


@extend_schema_serializer(component_name="PaymentCreate")
class PaymentInputSerializer(StrictSerializer):
    """The one payment a payment consent authorises, exactly as consented."""

    consent_id = StrictCharField(max_length=32, help_text="The authorised payment consent the token was issued under.")
    amount = MoneyInputSerializer(help_text="Exactly the consented amount and currency.")
    creditor_account_number = StrictCharField(max_length=34, help_text="Exactly the consented creditor account.")
    reference = StrictCharField(max_length=140, required=False, allow_blank=True)


PAYMENT_EXAMPLES = [
    OpenApiExample(
        "Pay exactly what the consent says",
        request_only=True,
        value={
            "consent_id": "cns_01JCXQ5Y2W8H3D6F0A9S7E4R1T",
            "amount": {"amount": "120.00", "currency": "CNY"},
            "creditor_account_number": "6217000012345678903",
            "reference": "Dinner, 14 Nov",
        },
    ),
    OpenApiExample(
        "Booked",
        response_only=True,
        status_codes=["201"],
        value={
            "id": "pay_01JCXQ6M8Z4T0V2R9K1B3N5P7Q",
            "status": "booked",
            "consent_id": "cns_01JCXQ5Y2W8H3D6F0A9S7E4R1T",
            "debtor_account_id": "acc_01JCXQ1B6D9F2H5K8M1P4R7T0V",
            "creditor_account_number": "6217000012345678903",
            "amount": {"amount": "120.00", "currency": "CNY"},
            "reference": "Dinner, 14 Nov",
            "created_at": "2026-11-14T12:31:05.120000Z",
            "business_date": "2026-11-14",
        },
    ),
]


PAYMENT_CONSENT_REQUIRED = Forbidden(
    "Payments need a token issued under an authorised payment consent.", code="payment_consent_required"
)


class PaymentCreateApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"POST": [["payments"]]}

    @extend_schema(
        examples=PAYMENT_EXAMPLES,
        operation_id="payments_create",
        summary="Make the payment a payment consent authorises",
        description=(
            "The token must be bound to an authorised payment consent, and the body must match it exactly "
            "(`payment_does_not_match_consent`). The consent is consumed by the payment. Only customers whose "
            "identity check is verified may pay (`kyc_not_verified`). Refusals (`insufficient_funds`, "
            "`account_frozen`, `creditor_account_not_found`, …) write nothing."
        ),
        request=PaymentInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: PaymentSerializer},
        extensions=declare_errors(
            *money_input_errors("amount"),
            PAYMENT_CONSENT_REQUIRED,
            PaymentConsentNotFound("No such payment consent for this client and customer."),
            PaymentConsentNotUsable("The payment consent was used already.", code="consent_consumed"),
            services.PaymentDoesNotMatchConsent(
                "The payment must match what the customer consented to exactly.",
                errors=[field_error("amount.amount", "mismatch", "Differs from the consented amount.")],
            ),
            services.AccountFrozen("The debtor account is frozen and cannot make payments."),
            services.AccountFrozen("The consented debtor account is no longer available.", code="debtor_account_not_found"),
            services.CreditorAccountNotFound(
                "No open account of this bank has that number.",
                errors=[field_error("creditor_account_number", "not_found", "Unknown account number.")],
            ),
            services.SameAccount(
                "A payment cannot go to the account it comes from.",
                errors=[field_error("creditor_account_number", "same_account", "This is the debtor account.")],
            ),
            CurrencyMismatch(
                "The payment is in CNY; the debtor account holds CNY and the creditor account USD: both must hold "
                "the payment's currency."
            ),
            InsufficientFunds("The account's available balance does not cover this amount."),
            CustomerNotVerified("The customer's identity check is pending."),
        ),
        tags=["payments"],
    )
    @idempotent()
    def post(self, request: Request) -> Response:
        info = auth(request)
        if info.consent_kind != Consent.Kind.PAYMENT or not info.consent_id:
            raise Forbidden(
                "Payments need a token issued under an authorised payment consent.", code="payment_consent_required"
            )
        body = PaymentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        amount = parse_money_input(data["amount"])
        if data["consent_id"] != info.consent_id:
            raise services.PaymentDoesNotMatchConsent(
                "The consent_id is not the consent this token was issued under.",
                errors=[field_error("consent_id", "mismatch", "Use the consent the token was issued under.")],
            )
        payment = services.payment_create(
            actor=Actor.client(info.client_id),
            consent_id=info.consent_id,
            application_id=info.application_id,
            customer_id=info.customer_id or "",
            amount=amount,
            creditor_account_number=data["creditor_account_number"],
            reference=data.get("reference", ""),
        )
        return Response(_payment(payment), status=201, headers={"Location": f"/api/v1/payments/{payment.id}"})


class PaymentDetailApi(PlatformAPIView):
    permission_classes = [CustomerScopes]
    required_alternate_scopes = {"GET": [["payments"], ["accounts"]]}

    @extend_schema(
        operation_id="payments_retrieve",
        summary="Get a payment this client made for the customer",
        description="Conditional: `ETag` and `If-None-Match`.",
        parameters=[
            OpenApiParameter("payment_id", str, OpenApiParameter.PATH, description="A payment id, `pay_…`."),
            *CONDITIONAL_PARAMETERS,
        ],
        responses={200: PaymentSerializer, 304: NOT_MODIFIED},
        tags=["payments"],
    )
    def get(self, request: Request, payment_id: str) -> Response:
        info = auth(request)
        payment = selectors.payment_visible_get(
            payment_id=payment_id, customer_id=info.customer_id or "", application_id=info.application_id
        )
        return conditional_data(request, _payment(payment), scope=("payment", *consent_scope(info)))
