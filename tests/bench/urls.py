"""The platform's URLs plus two reference views on the same server:

- `minimal`: a Django JSON view that does nothing, the ceiling a view can reach here;
- `round_trips`: the same, plus the two network round trips an authenticated API read
  cannot avoid (the token's cache entry and the client's rate counter in one Redis
  call, then one PostgreSQL query), each doing as little as possible: the floor under
  any such endpoint.
"""
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as platform_urlpatterns
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from apps.core.cache import cache_get_and_count


def minimal(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def round_trips(request: HttpRequest) -> JsonResponse:
    cache_get_and_count("bench:no-such-token", counter="bench:rate", ttl=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/minimal", minimal), path("bench/round-trips", round_trips), *platform_urlpatterns]
