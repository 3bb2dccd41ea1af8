"""Consents API: a third-party app asks, the customer decides on the bank's page, either may end it.

The app uses a client-credentials token: scope `accounts` for account-access consents,
`payments` for payment consents. It then sends the customer to /oauth/authorize/ with
`consent_id=<id>` (see docs/oauth.md).
"""
from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.actors import Actor
from apps.core.api import OPTIONAL_IDEMPOTENCY_KEY_PARAMETER, PlatformAPIView
from apps.core.errors import InsufficientScope, ValidationFailed, field_error
from apps.core.idempotency import idempotent
from apps.core.money import money_json, parse_amount
from apps.core.pagination import LIST_PARAMETERS, page_serializer, paginate
from apps.core.schema import declare_errors, money_input_errors
from apps.core.serializers import MoneyInputSerializer, MoneySerializer, StrictCharField, StrictSerializer, rfc3339

from .authentication import TokenInfo
from .models import Consent
from .permissions import ClientScopes
from .selectors import consents_for_client
from .services import ConsentNotActive, consent_create, consent_get_for_client, consent_revoke

SCOPE_FOR_KIND = {Consent.Kind.ACCOUNT_ACCESS: "accounts", Consent.Kind.PAYMENT: "payments"}


class ConsentPaymentSerializer(serializers.Serializer):
    amount = MoneySerializer()
    creditor_account_number = serializers.CharField()
    creditor_name = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)
    debtor_account_id = serializers.CharField(
        allow_null=True, help_text="The account the customer chose to pay from, once authorised."
    )

    class Meta:
        ref_name = "ConsentPayment"


class ConsentOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=Consent.Kind.choices)
    status = serializers.ChoiceField(choices=Consent.Status.choices)
    permissions = serializers.ListField(child=serializers.ChoiceField(choices=Consent.Permission.choices))
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    authorised_at = serializers.DateTimeField(allow_null=True)
    account_ids = serializers.ListField(
        child=serializers.CharField(), help_text="Accounts the customer chose to share (empty until authorised)."
    )
    revoked_by = serializers.CharField(allow_null=True, help_text="customer, client or staff, once revoked.")
    payment = ConsentPaymentSerializer(allow_null=True, help_text="Payment consents only.")

    class Meta:
        ref_name = "Consent"


def serialize_consent(consent: Consent) -> dict[str, Any]:
    payment = None
    if consent.kind == Consent.Kind.PAYMENT and consent.amount_minor is not None:
        payment = {
            "amount": money_json(consent.amount_minor, consent.currency),
            "creditor_account_number": consent.creditor_account_number,
            "creditor_name": consent.creditor_name,
            "reference": consent.reference,
            "debtor_account_id": consent.debtor_account_id or None,
        }
    authorised = consent.authorised_at is not None
    return {
        "id": consent.pk,
        "kind": consent.kind,
        "status": consent.status,
        "permissions": list(consent.permissions),
        "expires_at": rfc3339(consent.expires_at),
        "created_at": rfc3339(consent.created_at),
        "status_changed_at": rfc3339(consent.status_changed_at),
        "authorised_at": rfc3339(consent.authorised_at) if consent.authorised_at is not None else None,
        "account_ids": list(consent.account_ids) if authorised else [],
        "revoked_by": consent.revoked_by or None,
        "payment": payment,
    }


class ConsentClientView(PlatformAPIView):
    permission_classes = [ClientScopes]
    allowed_client_kinds = frozenset({"third_party"})

    def _application(self, request: Request) -> Any:
        from oauth2_provider.models import get_application_model

        return get_application_model().objects.get(pk=self._application_id(request))

    def _application_id(self, request: Request) -> int:
        return cast(TokenInfo, request.auth).application_id


CONSENT_EXAMPLES = [
    OpenApiExample(
        "Account access",
        request_only=True,
        value={
            "kind": "account_access",
            "permissions": ["read_accounts", "read_balances", "read_transactions"],
            "expires_at": "2027-06-30T00:00:00Z",
        },
    ),
    OpenApiExample(
        "One payment",
        request_only=True,
        value={
            "kind": "payment",
            "amount": {"amount": "120.00", "currency": "CNY"},
            "creditor_account_number": "6217000012345678903",
            "creditor_name": "Li Na",
            "reference": "Dinner, 14 Nov",
        },
    ),
]

@extend_schema_serializer(component_name="AccountAccessConsentCreate")
class AccountAccessConsentInput(StrictSerializer):
    """Ask to see (and, for credit, act on) the customer's accounts until `expires_at`."""

    kind = serializers.ChoiceField(choices=[Consent.Kind.ACCOUNT_ACCESS.value], help_text="`account_access`.")
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=Consent.Permission.choices),
        help_text="What the app may see or do (at least one; an empty list is 400 `required`).",
    )
    expires_at = serializers.DateTimeField(help_text="In the future, at most one year ahead.")


@extend_schema_serializer(component_name="PaymentConsentCreate")
class PaymentConsentInput(StrictSerializer):
    """Ask the customer to authorise exactly one payment."""

    kind = serializers.ChoiceField(choices=[Consent.Kind.PAYMENT.value], help_text="`payment`.")
    amount = MoneyInputSerializer(help_text="The exact amount.")
    creditor_account_number = StrictCharField(max_length=34)
    creditor_name = StrictCharField(max_length=140)
    reference = StrictCharField(required=False, allow_blank=True, max_length=140, default="")
    expires_at = serializers.DateTimeField(required=False, help_text="Default: one day from now.")


# One request per kind (`oneOf`, discriminated by `kind`), each refusing fields it does not know.
CONSENT_INPUTS: dict[str, type[serializers.Serializer]] = {
    Consent.Kind.ACCOUNT_ACCESS: AccountAccessConsentInput,
    Consent.Kind.PAYMENT: PaymentConsentInput,
}
CONSENT_CREATE_REQUEST = PolymorphicProxySerializer(
    component_name="ConsentCreate",
    serializers={str(kind): cls for kind, cls in CONSENT_INPUTS.items()},
    resource_type_field_name="kind",
)


def _consent_input(data: Any) -> dict[str, Any]:
    """The validated body, by the serializer its `kind` names."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            "The body must be a JSON object.", errors=[field_error("", "invalid", "Send a JSON object.")]
        )
    kind = data.get("kind")
    serializer_class = CONSENT_INPUTS.get(kind) if isinstance(kind, str) else None
    if serializer_class is None:
        message = f"kind must be one of: {', '.join(Consent.Kind.values)}."
        raise ValidationFailed(message, errors=[field_error("kind", "required" if kind is None else "invalid_choice", message)])
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ConsentListCreateApi(ConsentClientView):
    required_alternate_scopes = {"GET": [["accounts"], ["payments"]], "POST": [["accounts"], ["payments"]]}

    @extend_schema(
        operation_id="consents_list",
        summary="List the consents this app created",
        parameters=LIST_PARAMETERS,
        responses={200: page_serializer(ConsentOutputSerializer, "ConsentList")},
        tags=["consents"],
    )
    def get(self, request: Request) -> Response:
        page = paginate(
            request,
            consents_for_client(application_id=self._application_id(request)),
            serialize=lambda rows: [serialize_consent(c) for c in rows],
        )
        return Response(page)

    @extend_schema(
        examples=CONSENT_EXAMPLES,
        operation_id="consents_create",
        summary="Ask for a consent (account access or one payment)",
        description=(
            "Needs a client-credentials token with scope `accounts` (account access) or `payments` "
            "(payment). Then send the customer to `/oauth/authorize/` with `consent_id`, PKCE (S256) "
            "and the matching scope."
        ),
        parameters=[OPTIONAL_IDEMPOTENCY_KEY_PARAMETER],
        request=CONSENT_CREATE_REQUEST,
        extensions=declare_errors(
            ValidationFailed(
                "permisions: Unknown field.", errors=[field_error("permisions", "unknown_field", "Unknown field.")]
            ),
            ValidationFailed("Only third-party apps ask customers for consents.", code="client_kind_not_allowed"),
            ValidationFailed(
                "expires_at must be in the future.", code="expires_at_in_past",
                errors=[field_error("expires_at", "expires_at_in_past", "expires_at must be in the future.")],
            ),
            ValidationFailed(
                "A consent may last at most one year.", code="expires_at_too_far",
                errors=[field_error("expires_at", "expires_at_too_far", "A consent may last at most one year.")],
            ),
            *money_input_errors("amount"),
            InsufficientScope("Creating a payment consent needs the scope payments."),
        ),
        responses={201: ConsentOutputSerializer},
        tags=["consents"],
    )
    @idempotent(required=False)
    def post(self, request: Request) -> Response:
        values = _consent_input(request.data)
        kind = values["kind"]
        info = cast(TokenInfo, request.auth)
        if SCOPE_FOR_KIND[kind] not in info.scopes:
            raise InsufficientScope(f"Creating a {kind} consent needs the scope {SCOPE_FOR_KIND[kind]}.")
        amount = None
        if kind == Consent.Kind.PAYMENT:
            raw = values.get("amount")
            if raw is None:
                raise ValidationFailed(
                    "A payment consent names the amount.",
                    errors=[field_error("amount", "required", "This field is required.")],
                )
            amount = parse_amount(raw["amount"], raw["currency"], field="amount.amount")
        consent = consent_create(
            actor=Actor.client(info.client_id),
            application=self._application(request),
            kind=kind,
            expires_at=values.get("expires_at"),
            permissions=values.get("permissions"),
            amount=amount,
            creditor_account_number=values.get("creditor_account_number", ""),
            creditor_name=values.get("creditor_name", ""),
            reference=values.get("reference", ""),
        )
        response = Response(serialize_consent(consent), status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/consents/{consent.pk}"
        return response


class ConsentDetailApi(ConsentClientView):
    required_alternate_scopes = {"GET": [["accounts"], ["payments"]], "DELETE": [["accounts"], ["payments"]]}

    @extend_schema(
        operation_id="consents_retrieve",
        summary="Get one consent this app created",
        responses={200: ConsentOutputSerializer},
        tags=["consents"],
    )
    def get(self, request: Request, consent_id: str) -> Response:
        consent = consent_get_for_client(consent_id=consent_id, application_id=self._application_id(request))
        return Response(serialize_consent(consent))

    @extend_schema(
        operation_id="consents_revoke",
        summary="Revoke a consent (the app ends it; its tokens stop at once)",
        request=None,
        description="Answers 409 `consent_not_active` when the consent already ended.",
        extensions=declare_errors(ConsentNotActive("The consent is already revoked.")),
        responses={200: ConsentOutputSerializer},
        tags=["consents"],
    )
    def delete(self, request: Request, consent_id: str) -> Response:
        consent = consent_get_for_client(consent_id=consent_id, application_id=self._application_id(request))
        consent = consent_revoke(actor=Actor.client(cast(TokenInfo, request.auth).client_id), consent=consent)
        return Response(serialize_consent(consent))
