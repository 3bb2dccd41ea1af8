"""django-oauth-toolkit's validator, extended with client profiles and consents.

- A client may only obtain the scopes its `ClientProfile` allows.
- The authorization page stores the consent id in the grant's claims; the tokens issued
  for that grant (and every token refreshed from them) are bound to that consent.
- A refresh token whose consent is no longer authorised cannot be refreshed.
- A rotated refresh token presented again within the grace period is refused (invalid_grant)
  rather than crashing: hashed token storage cannot hand back the earlier pair.
- A confidential third-party app registered for the authorization-code grant may also use
  client credentials: that is how it creates consents before sending the customer to the
  consent page (UK Open Banking's pattern). Such a token carries no customer, so customer
  APIs refuse it.
"""
from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ClientProfile, Consent, TokenBinding


class ConsentAwareValidator(OAuth2Validator):
    def validate_grant_type(self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs):
            return True
        if grant_type != "client_credentials":
            return False
        profile = ClientProfile.objects.filter(application=client).first()
        return (
            profile is not None
            and profile.kind == ClientProfile.Kind.THIRD_PARTY
            and client.client_type == client.CLIENT_CONFIDENTIAL
            and client.authorization_grant_type == client.GRANT_AUTHORIZATION_CODE
        )

    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False
        profile = ClientProfile.objects.filter(application=client).first()
        return profile is not None and set(scopes) <= profile.scope_set

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        profile = ClientProfile.objects.filter(application=request.client).first()
        return sorted(profile.scope_set) if profile else []

    def _bound_consent_id(self, request: Any) -> str | None:
        claims = getattr(request, "claims", None) or {}
        return claims.get("consent_id") if isinstance(claims, dict) else None

    def _create_access_token(self, expires: Any, request: Any, token: Any, source_refresh_token: Any = None) -> Any:
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        consent_id = getattr(request, "bound_consent_id", None) or self._bound_consent_id(request)
        if consent_id:
            TokenBinding.objects.create(token_checksum=access_token.token_checksum, consent_id=consent_id)
        return access_token

    def _create_refresh_token(self, request: Any, refresh_token_code: str, access_token: Any, previous_refresh_token: Any) -> Any:
        refresh_token = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        consent_id = getattr(request, "bound_consent_id", None) or self._bound_consent_id(request)
        if consent_id:
            TokenBinding.objects.create(token_checksum=refresh_token.token_checksum, consent_id=consent_id)
        return refresh_token

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        instance = request.refresh_token_instance
        if instance.revoked is not None:
            # A rotated token presented again inside REFRESH_TOKEN_GRACE_PERIOD_SECONDS. DOT would
            # answer with the previously issued pair, but tokens are stored hashed
            # (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE), so it cannot: it would crash with a 500.
            # Refuse it as invalid_grant instead (the family is left alone: a retry is benign).
            return False
        binding = TokenBinding.objects.select_related("consent").filter(token_checksum=instance.token_checksum).first()
        if binding is None:
            return True
        consent: Consent = binding.consent
        if not consent.is_usable():
            return False
        request.bound_consent_id = consent.pk
        return True
