"""/developers: the partner developer page (a plain template, no JavaScript)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView

from apps.customers.i18n import LanguageSwitchMixin

from . import catalog


class DeveloperPageView(LanguageSwitchMixin, TemplateView):
    template_name = "developers/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(catalog.context())
        context["base_url"] = self.request.build_absolute_uri("/").rstrip("/")
        return context


class LandingPageView(LanguageSwitchMixin, TemplateView):
    """`/`: where a newcomer lands after `make run`; links to everything there is to open."""

    template_name = "developers/landing.html"


FAVICON = Path(__file__).resolve().parent / "static" / "developers" / "favicon.ico"


def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for on every page of the site."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
