"""A test-only URLconf: the platform plus small views that exercise the shared conventions."""
from __future__ import annotations

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as platform_urlpatterns
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import PlatformAPIView
from apps.core.idempotency import idempotent
from apps.core.money import parse_amount
from apps.core.pagination import paginate
from apps.ledger.bank_books import bank_account
from apps.ledger.models import JournalEntry
from apps.ledger.services import Leg, ledger_post
from apps.oauth.permissions import ClientScopes


class TransferIn(serializers.Serializer):
    amount = serializers.JSONField()
    reference = serializers.CharField()


class Transfers(PlatformAPIView):
    permission_classes = [ClientScopes]
    required_alternate_scopes = {"GET": [["accounts"]], "POST": [["payments"]]}

    def get(self, request: Request) -> Response:
        return Response(
            paginate(request, JournalEntry.objects.all(), serialize=lambda rows: [{"id": r.pk} for r in rows])
        )

    @idempotent()
    def post(self, request: Request) -> Response:
        data = TransferIn(data=request.data)
        data.is_valid(raise_exception=True)
        money = parse_amount(data.validated_data["amount"].get("amount"), data.validated_data["amount"].get("currency", ""))
        entry = ledger_post(
            external_ref=f"test:{data.validated_data['reference']}",
            kind="test",
            legs=[Leg(bank_account("cash").pk, money.minor), Leg(bank_account("clearing").pk, -money.minor)],
        )
        return Response({"entry": entry.pk, "amount": money.as_json()}, status=201)


urlpatterns = [path("api/v1/test-transfers", Transfers.as_view()), *platform_urlpatterns]
