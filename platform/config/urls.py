from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from oauth2_provider import urls as oauth2_urls

from apps.accounts import urls as accounts_urls
from apps.core import errors
from apps.developers.views import LandingPageView, favicon
from apps.lending import urls as lending_urls
from apps.oauth import api_urls as oauth_api_urls

# One flat list of the apps' routes: a request tries each route once, instead of failing
# through each app's include in turn (an exception and a list of tried routes per app).
api_v1 = [*oauth_api_urls.urlpatterns, *accounts_urls.urlpatterns, *lending_urls.urlpatterns]

urlpatterns = [
    path("", LandingPageView.as_view(), name="landing"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # drf-spectacular's Redoc page, less its Google Fonts links: nothing loads from outside.
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="developers/redoc.html"), name="redoc"),
    path("oauth/", include("apps.oauth.urls")),
    path("", include((oauth2_urls.metadata_urlpatterns, "oauth2_metadata"))),
    path("bank/", include("apps.oauth.page_urls")),
    path("", include("apps.core.urls")),
    path("", include("apps.developers.urls")),
]

handler404 = errors.handler404
handler500 = errors.handler500
