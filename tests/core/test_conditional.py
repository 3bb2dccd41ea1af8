"""The conditional-read helpers: strong ETags per validator and representation, 304 on match."""
from __future__ import annotations

from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from apps.core.conditional import conditional_data, conditional_read, etag_for, if_none_match


def _request(if_none_match_header: str | None = None, media_type: str = "application/json") -> object:
    extra = {"HTTP_IF_NONE_MATCH": if_none_match_header} if if_none_match_header else {}
    request = APIRequestFactory().get("/x", **extra)
    request.accepted_media_type = media_type  # type: ignore[attr-defined]
    return request


def test_miss_builds_and_tags_then_match_answers_304_without_building() -> None:
    built = []

    def build() -> Response:
        built.append(1)
        return Response({"a": 1})

    first = conditional_read(_request(), validator=("acc", 7), build=build)  # type: ignore[arg-type]
    assert first.status_code == 200 and first["ETag"].startswith('"') and first["Cache-Control"] == "private, no-cache"
    again = conditional_read(_request(first["ETag"]), validator=("acc", 7), build=build)  # type: ignore[arg-type]
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and again.data is None
    for response in (first, again):  # the answer depends on the token and the media type
        assert response["Vary"] == "Accept, Authorization" and response["Cache-Control"] == "private, no-cache"
    assert built == [1]
    moved = conditional_read(_request(first["ETag"]), validator=("acc", 8), build=build)  # type: ignore[arg-type]
    assert moved.status_code == 200 and moved["ETag"] != first["ETag"]


def test_representation_is_part_of_the_tag() -> None:
    compact = conditional_data(_request(), {"a": 1})  # type: ignore[arg-type]
    indented = conditional_data(_request(compact["ETag"], "application/json; indent=2"), {"a": 1})  # type: ignore[arg-type]
    assert indented.status_code == 200 and indented["ETag"] != compact["ETag"]


def test_data_tag_follows_the_data_and_scope() -> None:
    tag = conditional_data(_request(), {"a": 1}, scope=("consent_1",))["ETag"]  # type: ignore[arg-type]
    assert conditional_data(_request(tag), {"a": 1}, scope=("consent_1",)).status_code == 304  # type: ignore[arg-type]
    assert conditional_data(_request(tag), {"a": 2}, scope=("consent_1",)).status_code == 200  # type: ignore[arg-type]
    assert conditional_data(_request(tag), {"a": 1}, scope=("consent_2",)).status_code == 200  # type: ignore[arg-type]


def test_if_none_match_lists_weak_prefix_and_star() -> None:
    tag = etag_for("x")
    assert if_none_match(_request(f'"other", W/{tag}'), tag)  # type: ignore[arg-type]
    assert if_none_match(_request("*"), tag)  # type: ignore[arg-type]
    assert not if_none_match(_request('"other"'), tag)  # type: ignore[arg-type]
    assert not if_none_match(_request(), tag)  # type: ignore[arg-type]
