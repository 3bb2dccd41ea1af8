from __future__ import annotations

from oauth2_provider.models import get_application_model

from apps.core.demo import demo_secret

from .models import ClientProfile

THIRD_PARTY_REDIRECT = "http://127.0.0.1:8765/callback"
PUBLIC_APP_REDIRECT = "http://127.0.0.1:8766/callback"


def ensure_client(
    *,
    client_id: str,
    name: str,
    kind: str,
    scopes: str,
    confidential: bool,
    grant_type: str,
    redirect_uri: str = "",
) -> tuple[object, str]:
    """Create or refresh a demo OAuth client; returns it and its (re)set plain secret."""
    Application = get_application_model()
    secret = demo_secret(f"client:{client_id}") if confidential else ""
    app = Application.objects.filter(client_id=client_id).first() or Application(client_id=client_id)
    app.name = name
    app.client_type = Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC
    app.authorization_grant_type = grant_type
    app.redirect_uris = redirect_uri
    app.skip_authorization = False
    if confidential:
        app.client_secret = secret  # hashed on save
    app.save()
    ClientProfile.objects.update_or_create(
        application=app, defaults={"kind": kind, "display_name": name, "allowed_scopes": scopes}
    )
    return app, secret


def seed(output: dict) -> None:
    Application = get_application_model()
    third_party, secret = ensure_client(
        client_id="demo-budget-app",
        name="Moneywise Budgeting",
        kind=ClientProfile.Kind.THIRD_PARTY,
        scopes="accounts payments credit",
        confidential=True,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uri=THIRD_PARTY_REDIRECT,
    )
    output["clients"]["third_party"] = {
        "client_id": third_party.client_id,  # type: ignore[attr-defined]
        "client_secret": secret,
        "redirect_uri": THIRD_PARTY_REDIRECT,
    }
    public_app, _ = ensure_client(
        client_id="demo-mobile-app",
        name="Pocket Finance (mobile)",
        kind=ClientProfile.Kind.THIRD_PARTY,
        scopes="accounts credit",
        confidential=False,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uri=PUBLIC_APP_REDIRECT,
    )
    output["clients"]["public_app"] = {"client_id": public_app.client_id, "redirect_uri": PUBLIC_APP_REDIRECT}  # type: ignore[attr-defined]
