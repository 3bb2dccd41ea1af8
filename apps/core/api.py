"""The base of every API view: rate-limit headers and the shared OpenAPI pieces."""
from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique key (e.g. a UUID) per logical request. A retry with the same key and body "
        "replays the first response with `Idempotent-Replayed: true`; the same key with another "
        "body answers 422 `idempotency_key_reused`; while the first is running, 409 "
        "`idempotency_key_in_use`. Keys are kept 48 hours."
    ),
)
OPTIONAL_IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional; when sent, a retry with the same key replays the first response.",
)


class PlatformAPIView(APIView):
    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "_ratelimit", {}).items():
            response[name] = value
        return response
