"""The API's JSON renderer: DRF's output, written by orjson.

DRF's renderer runs the standard library encoder; a statement page spent more CPU there
than in its database query. orjson writes the same compact UTF-8 JSON. What it cannot write
(lazy translations, Decimal, ...) goes through DRF's own encoder, and a client asking for
`application/json; indent=N` gets DRF's renderer unchanged. (orjson writes a float NaN as
null where DRF refuses it; the API has no floats: amounts are decimal strings.)
"""
from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.encoders import JSONEncoder

_DRF_ENCODER = JSONEncoder()
# DRF writes \u2028 and \u2029 escaped so that its JSON is also valid JavaScript.
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))
_LINE_SEPARATOR_PREFIX = b"\xe2\x80"  # both, and other punctuation such as the ellipsis


def render_json(data: Any) -> bytes:
    """`data` as the API writes JSON: compact UTF-8, dates and datetimes as DRF writes them,
    U+2028 and U+2029 escaped."""
    rendered = orjson.dumps(data, default=_DRF_ENCODER.default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)
    if _LINE_SEPARATOR_PREFIX in rendered:  # one scan of the body in the usual case
        for raw, escaped in _LINE_SEPARATORS:
            rendered = rendered.replace(raw, escaped)
    return rendered


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        return render_json(data)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, without parsing the Accept header of almost every request: one
    that accepts anything or exactly JSON gets the first renderer, as DRF would pick it."""

    _ANYTHING_OR_JSON = frozenset({"", "*/*", "application/json"})

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        if (
            request.META.get("HTTP_ACCEPT", "") in self._ANYTHING_OR_JSON
            and not format_suffix
            and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
