"""The HTTP contract over real processes: one error body for every failure, parameters refused as the
OpenAPI document says, and what HTTP itself asks (HEAD, OPTIONS, long URLs)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from marquee_common.calendar_names import MONTH, WEEKDAY

pytestmark = pytest.mark.slow


def error_of(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, (reply.request.url, reply.status_code, reply.text)
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "suggestions"}
    assert body["error"]["code"] == code and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize(
    "path",
    ["/v1/titles/%0A/votes", "/v1/titles//votes", "/v1/titles/%20%09/votes", "/v1/actors/%E3%80%80",
     "/votos_titulo/%0A", "/v1/stats/releases/month/%0A", "/v1/movies/", "/v1/movies//similar"],
)  # fmt: skip
def test_a_blank_path_value_is_422_naming_the_parameter(api: httpx.Client, path: str) -> None:
    assert "parameter" in error_of(api.get(path), 422, "INVALID_ARGUMENT")["message"]


@pytest.mark.parametrize("month", ["-1", "-12", "1-", "%2B3", "%EF%BC%93", "13"])
@pytest.mark.parametrize("route", ["/v1/stats/releases/month/{}", "/cantidad_filmaciones_mes/{}"])
def test_a_month_that_is_not_1_to_12_or_a_name_is_422_with_suggestions(
    api: httpx.Client, route: str, month: str
) -> None:
    assert error_of(api.get(route.format(month)), 422, "INVALID_ARGUMENT")["suggestions"] == list(MONTH.names)


@pytest.mark.parametrize(("day", "name", "count"), [("1", "lunes", 2), ("3", "miércoles", 2), ("sat", "sábado", 1)])
def test_weekdays_are_read_by_iso_number_and_abbreviation(api: httpx.Client, day: str, name: str, count: int) -> None:
    reply = api.get(f"/v1/stats/releases/weekday/{day}")
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"name": name, "number": WEEKDAY.number(name), "count": count}


@pytest.mark.parametrize(
    "path",
    ["/v1/movies/-9223372036854775807", "/v1/titles/Alpha/votes?year=2147483646", "/v1/movies/1/similar?min_votes=-1"],
)
def test_a_number_outside_its_documented_range_is_422(api: httpx.Client, path: str) -> None:
    error_of(api.get(path), 422, "INVALID_ARGUMENT")


def test_what_the_release_lacks_is_404_with_suggestions(api: httpx.Client) -> None:
    assert error_of(api.get("/v1/movies/1/similar?genres=Comedi"), 404, "NOT_FOUND")["suggestions"] == ["Comedy"]
    error_of(api.get("/v1/recommendations?text=qwertyuiop"), 404, "NOT_FOUND")
    error_of(api.get("/v1/titles/%21%21%21/votes"), 404, "NOT_FOUND")
    assert api.get("/v1/movies?query=%21%3F").json()["hits"] == []


@pytest.mark.parametrize(
    ("path", "name"),
    [("/v1/titles/Twin/votes?year=1990&year=2010", "year"), ("/v1/recommendations?title=Alpha&title=Beta", "title")],
)
def test_a_repeated_parameter_is_422_naming_it_instead_of_taking_the_last(
    api: httpx.Client, path: str, name: str
) -> None:
    assert f"query parameter {name!r}: given 2 times" in error_of(api.get(path), 422, "INVALID_ARGUMENT")["message"]


def test_head_answers_like_get_without_a_body(api: httpx.Client) -> None:
    get, head = api.get("/v1/movies/1"), api.head("/v1/movies/1")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["x-marquee-release"] == get.headers["x-marquee-release"]


def test_options_answers_204_with_allow_and_a_405_lists_the_same(api: httpx.Client) -> None:
    options = api.options("/v1/titles/Alpha/votes")
    assert (options.status_code, options.content, options.headers["allow"]) == (204, b"", "GET, HEAD, OPTIONS")
    post = api.post("/v1/titles/Alpha/votes")
    assert post.headers["allow"] == "GET, HEAD, OPTIONS"
    error_of(post, 405, "UNIMPLEMENTED")
