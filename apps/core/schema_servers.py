"""The OpenAPI `servers` entry of a served schema: the server the reader is looking at.

`manage.py spectacular` (no request) keeps SPECTACULAR_SETTINGS["SERVERS"], so the committed
openapi/openapi.yaml does not depend on where it was generated. /api/schema/ names
PUBLIC_BASE_URL when it is set (behind a proxy the request's own host may be an internal
one), else the scheme, host and port the request came to, so Swagger UI's "Try it out" on
`make run PORT=8001` calls port 8001, not the committed 8000.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings


def served_base_url(request: Any) -> str:
    return (settings.PUBLIC_BASE_URL or request.build_absolute_uri("/")).rstrip("/")


def postprocess_servers(result: dict[str, Any], generator: Any, request: Any, public: bool, **kwargs: Any) -> dict[str, Any]:
    if request is None:
        return result
    result["servers"] = [{"url": served_base_url(request), "description": "This server"}]
    return result
