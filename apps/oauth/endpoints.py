"""OAuth endpoints the bank narrows beyond django-oauth-toolkit's defaults.

Token introspection (RFC 7662): DOT answers for any token to any authenticated client.
Here a client must authenticate itself (HTTP Basic or client_id/client_secret in the
body) and only learns about its own tokens; a token whose consent is no longer
authorised is inactive, exactly as the API treats it.
"""
from __future__ import annotations

import calendar
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_access_token_model
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request as OauthlibRequest

from .authentication import token_checksum
from .models import TokenBinding


@method_decorator(csrf_exempt, name="dispatch")
class TokenIntrospectionView(OAuthLibMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        oauth_request = OauthlibRequest(uri, http_method, body, headers)
        if not core.server.request_validator.authenticate_client(oauth_request):
            response = JsonResponse(
                {"error": "invalid_client", "error_description": "Authenticate the client (HTTP Basic)."}, status=401
            )
            response["WWW-Authenticate"] = 'Basic realm="oauth"'
            return response
        client = oauth_request.client
        raw = request.POST.get("token")
        if not raw:
            return JsonResponse({"error": "invalid_request", "error_description": "token is missing."}, status=400)
        checksum = token_checksum(raw)
        token = (
            get_access_token_model()
            .objects.select_related("application", "user")
            .filter(token_checksum=checksum, application=client)
            .first()
        )
        if token is None or not token.is_valid():
            return JsonResponse({"active": False})
        binding = TokenBinding.objects.select_related("consent").filter(token_checksum=checksum).first()
        if binding is not None and not binding.consent.is_usable():
            return JsonResponse({"active": False})
        data: dict[str, Any] = {
            "active": True,
            "scope": token.scope,
            "client_id": client.client_id,
            "token_type": "Bearer",
            "exp": int(calendar.timegm(token.expires.timetuple())),
            "iat": int(calendar.timegm(token.created.timetuple())),
        }
        if token.user is not None:
            data["username"] = token.user.get_username()
        if binding is not None:
            data["consent_id"] = binding.consent_id
        return JsonResponse(data)
