"""The base of every API view: rate-limit headers, query-value checks and the shared OpenAPI pieces."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import PlatformError, ValidationFailed, field_error
from .idempotency import MAX_KEY_LENGTH

# The header's length rule (apps.core.idempotency refuses longer keys, 400 `idempotency_key_invalid`).
_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH}

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    _KEY_SCHEMA,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        f"A unique key (e.g. a UUID), 1 to {MAX_KEY_LENGTH} characters, per logical request. A retry with "
        "the same key and body replays the first response with `Idempotent-Replayed: true`; the same key "
        "with another body answers 422 `idempotency_key_reused`; while the first is running, 409 "
        "`idempotency_key_in_use`. Keys are kept 48 hours."
    ),
)
OPTIONAL_IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    _KEY_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        f"Optional, 1 to {MAX_KEY_LENGTH} characters; when sent, a retry with the same key replays the "
        "first response."
    ),
)

EMPTY_QUERY_VALUE_CODE = "empty_query_parameter"


def empty_query_error(names: Sequence[str]) -> ValidationFailed:
    """400 for `?limit=` and the like: an empty value is neither absent nor a value, so it is
    refused rather than silently read as "not given" (the schema's `minLength`/`minimum` say so)."""
    return ValidationFailed(
        f"Empty query parameter: {', '.join(names)}. Leave a parameter out or give it a value.",
        code=EMPTY_QUERY_VALUE_CODE,
        errors=[field_error(name, "blank", "Leave the parameter out or give it a value.") for name in names],
    )


class PlatformAPIView(APIView):
    # Problems every operation of this view can answer besides the common ones (e.g. the
    # customer-token checks); apps.core.schema lists them, with examples, in the contract.
    schema_errors: Sequence[PlatformError] = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        empty = sorted({name for name, values in request.query_params.lists() if any(v == "" for v in values)})
        if empty:
            raise empty_query_error(empty)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "_ratelimit", {}).items():
            response[name] = value
        return response
