"""Make drf-spectacular document our bearer authentication as the OAuth 2 scheme, with scopes."""
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme


class BearerTokenScheme(DjangoOAuthToolkitScheme):
    target_class = "apps.oauth.authentication.BearerTokenAuthentication"
    name = "oauth2"
