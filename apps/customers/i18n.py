"""The language switcher of the bank's pages: `?lang=zh-hans` or `?lang=en` on any page.

LocaleMiddleware already picks the language from the `django_language` cookie or
Accept-Language; `?lang=` overrides both for this response and sets the cookie so the
choice sticks on the next pages (a plain link: no JavaScript, no form).
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGE_CODES = {code for code, _ in settings.LANGUAGES}


def requested_language(request: HttpRequest) -> str | None:
    lang = (request.GET.get("lang") or "").strip().lower()
    return lang if lang in LANGUAGE_CODES else None


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """One link per language: this page's URL with `lang=` replaced."""
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append({"code": code, "name": name, "url": f"{request.path}?{query.urlencode()}", "current": code == current})
    return links


class LanguageSwitchMixin:
    """Apply `?lang=` before the view runs and remember it in the language cookie."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lang = requested_language(request)
        if lang:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang  # type: ignore[attr-defined]
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        if lang:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                lang,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["language_links"] = language_links(self.request)  # type: ignore[attr-defined]
        return context
