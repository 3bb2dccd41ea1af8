"""The platform's URLs plus a minimal JSON view: the ceiling a Django view can reach here."""
from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import handler404, handler500, urlpatterns as platform_urlpatterns  # noqa: F401


def minimal(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/minimal", minimal), *platform_urlpatterns]
