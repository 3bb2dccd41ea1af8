"""/developers: the partner developer page (a plain template, no JavaScript)."""
from __future__ import annotations

from typing import Any

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
