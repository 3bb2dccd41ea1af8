"""The platform's URLs plus a minimal JSON view: the ceiling a Django view can reach here."""
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as platform_urlpatterns
from django.http import HttpRequest, JsonResponse
from django.urls import path


def minimal(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/minimal", minimal), *platform_urlpatterns]
