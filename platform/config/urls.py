from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from oauth2_provider import urls as oauth2_urls

from apps.accounts import urls as accounts_urls
from apps.core import errors
from apps.lending import urls as lending_urls
from apps.oauth import api_urls as oauth_api_urls

# One flat list of the apps' routes: a request tries each route once, instead of failing
# through each app's include in turn (an exception and a list of tried routes per app).
api_v1 = [*oauth_api_urls.urlpatterns, *accounts_urls.urlpatterns, *lending_urls.urlpatterns]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("oauth/", include("apps.oauth.urls")),
    path("", include((oauth2_urls.metadata_urlpatterns, "oauth2_metadata"))),
    path("bank/", include("apps.oauth.page_urls")),
    path("", include("apps.core.urls")),
    path("", include("apps.developers.urls")),
]

handler404 = errors.handler404
handler500 = errors.handler500
