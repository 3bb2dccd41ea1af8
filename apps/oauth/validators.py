"""django-oauth-toolkit's validator, extended with client profiles and consents.

- A client may only obtain the scopes its `ClientProfile` allows.
- The authorization page stores the consent id in the grant's claims; the tokens issued
  for that grant (and every token refreshed from them) are bound to that consent.
- A refresh token whose consent is no longer authorised cannot be refreshed.
- Refresh rotation is retry-safe (RFC 9700 §4.14.2): the refresh token rotated IMMEDIATELY
  before, presented again within REFRESH_TOKEN_GRACE_PERIOD_SECONDS of its rotation, gets a
  fresh pair, and the pair it had been rotated into (the answer the client lost) is revoked,
  so a family never has more than one live refresh token. An older token, one presented
  after the grace, or one revoked rather than rotated, revokes the whole family (DOT's reuse
  protection). DOT itself would hand back the earlier pair, which hashed storage
  (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE) no longer has.
- An authorization code exchanged a second time is refused and every token of the family
  the first exchange started is revoked (RFC 6749 §4.1.2); `CodeRedemption` remembers which.
- A confidential third-party app registered for the authorization-code grant may also use
  client credentials: that is how it creates consents before sending the customer to the
  consent page (UK Open Banking's pattern). Such a token carries no customer, so customer
  APIs refuse it.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from .models import ClientProfile, CodeRedemption, Consent, TokenBinding

logger = logging.getLogger(__name__)


def _checksum(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def revoke_code_tokens(*, code: str, application: Any) -> bool:
    """Revoke every token issued from an already exchanged authorization code (and the tokens
    rotated from them). Whether the code had been exchanged."""
    redemption = CodeRedemption.objects.filter(code_checksum=_checksum(code), application=application).first()
    if redemption is None:
        return False
    if redemption.token_family:
        get_refresh_token_model().revoke_family(redemption.token_family)
    if redemption.access_token_checksum:
        # Deleting is DOT's revoke(); the post_delete signal drops the cached validation.
        get_access_token_model().objects.filter(token_checksum=redemption.access_token_checksum).delete()
    logger.warning("authorization code of client %s exchanged again: its tokens are revoked", application.pk)
    return True


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

    # --- authorization codes: one exchange, a replay revokes ---------------------------
    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        revoke_code_tokens(code=code, application=client)
        return False

    def _save_code_tokens(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        # Locked first: two exchanges of one code racing past validate_code queue here, and
        # the second finds the grant gone once the first commits (then it is a replay).
        grant = get_grant_model().objects.select_for_update().filter(code=request.code, application=request.client).first()
        if grant is None:
            request.code_replayed = True
            revoke_code_tokens(code=request.code, application=request.client)
            return None  # no tokens: invalidate_authorization_code answers invalid_grant
        result = super()._save_bearer_token(token, request, *args, **kwargs)
        issued_refresh = getattr(request, "issued_refresh_token", None)
        issued_access = getattr(request, "issued_access_token", None)
        CodeRedemption.objects.create(
            code_checksum=_checksum(request.code),
            application=request.client,
            token_family=issued_refresh.token_family if issued_refresh is not None else None,
            access_token_checksum=issued_access.token_checksum if issued_access is not None else "",
        )
        grant.delete()  # in the same transaction as the tokens, under the lock
        request.code_consumed = True
        return result

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any) -> None:
        if getattr(request, "code_replayed", False):
            raise errors.InvalidGrantError(request=request)
        if getattr(request, "code_consumed", False):
            return  # deleted with the tokens' transaction (_save_code_tokens)
        super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)

    # --- refresh rotation with a retry grace --------------------------------------------
    def _save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.grant_type == "authorization_code":
            return self._save_code_tokens(token, request, *args, **kwargs)
        previous = getattr(request, "refresh_token_instance", None)
        if request.grant_type == "refresh_token" and previous is not None and self.rotate_refresh_token(request):
            locked = get_refresh_token_model().objects.select_for_update().get(pk=previous.pk)
            if locked.revoked is not None:
                return self._reissue_within_grace(token, request, locked)
            request.refresh_token_instance = locked
        return super()._save_bearer_token(token, request, *args, **kwargs)

    def _reissue_within_grace(self, token: Any, request: Any, previous: Any) -> None:
        """`previous` was rotated moments ago and validate_refresh_token (DOT's rule) accepted
        it again: inside the grace and the immediately previous token (the access token it was
        rotated into still exists). The pair it was rotated into is revoked and a fresh pair
        issued in the same family: a lost answer is replaced, never duplicated."""
        if "scope" not in token:
            raise errors.InvalidGrantError(request=request)
        AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
        grace = timedelta(seconds=oauth2_settings.REFRESH_TOKEN_GRACE_PERIOD_SECONDS)
        successor = AccessToken.objects.select_for_update().filter(source_refresh_token=previous).first()
        # Checked again under the lock: a concurrent refresh may have moved the family on.
        if successor is None or previous.revoked <= timezone.now() - grace:
            raise errors.InvalidGrantError(request=request)
        successor_refresh = RefreshToken.objects.filter(access_token=successor, revoked__isnull=True).first()
        if successor_refresh is not None:
            successor_refresh.revoke()  # also deletes `successor`
        else:
            successor.revoke()
        self._check_and_set_request_resource(request)
        expires = timezone.now() + timedelta(seconds=token.get("expires_in", oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS))
        access_token = self._create_access_token(expires, request, token, source_refresh_token=previous)
        self._create_refresh_token(request, token["refresh_token"], access_token, previous)
        logger.info("refresh token of family %s retried within the grace: pair re-issued", previous.token_family)

    # --- consent bindings ---------------------------------------------------------------
    def _create_access_token(self, expires: Any, request: Any, token: Any, source_refresh_token: Any = None) -> Any:
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        request.issued_access_token = access_token
        consent_id = getattr(request, "bound_consent_id", None) or self._bound_consent_id(request)
        if consent_id:
            TokenBinding.objects.create(token_checksum=access_token.token_checksum, consent_id=consent_id)
        return access_token

    def _create_refresh_token(self, request: Any, refresh_token_code: str, access_token: Any, previous_refresh_token: Any) -> Any:
        refresh_token = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        request.issued_refresh_token = refresh_token
        consent_id = getattr(request, "bound_consent_id", None) or self._bound_consent_id(request)
        if consent_id:
            TokenBinding.objects.create(token_checksum=refresh_token.token_checksum, consent_id=consent_id)
        return refresh_token

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        # DOT accepts a revoked token only as the immediately previous one within the grace
        # (revoking the family otherwise); _save_bearer_token re-issues for it.
        instance = request.refresh_token_instance
        binding = TokenBinding.objects.select_related("consent").filter(token_checksum=instance.token_checksum).first()
        if binding is None:
            return True
        consent: Consent = binding.consent
        if not consent.is_usable():
            return False
        request.bound_consent_id = consent.pk
        return True
