"""django-oauth-toolkit's validator, extended with client profiles and consents.

- A client may only obtain the scopes its `ClientProfile` allows.
- The authorization page stores the consent id in the grant's claims; the tokens issued
  for that grant (and every token refreshed from them) are bound to that consent.
- A refresh token whose consent is no longer authorised cannot be refreshed.
"""
from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ClientProfile, Consent, TokenBinding


class ConsentAwareValidator(OAuth2Validator):
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
        binding = TokenBinding.objects.select_related("consent").filter(token_checksum=instance.token_checksum).first()
        if binding is None:
            return True
        consent: Consent = binding.consent
        if not consent.is_usable():
            return False
        request.bound_consent_id = consent.pk
        return True
