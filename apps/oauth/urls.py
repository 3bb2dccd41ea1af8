"""django-oauth-toolkit's endpoints at its usual paths; the authorize page and introspection are ours."""
from django.urls import path
from oauth2_provider import views as oauth_views

from .endpoints import TokenIntrospectionView
from .views import ConsentAuthorizationView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", ConsentAuthorizationView.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", TokenIntrospectionView.as_view(), name="introspect"),
]
