"""The HTTP contract over real processes: one error body for every failure, parameters refused as the
OpenAPI document says, and what HTTP itself asks (HEAD, OPTIONS, long URLs)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from marquee_common.calendar_names import MONTH, WEEKDAY
from tests.harness import RunningGateway, RunningService

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


# -- limits of the request's head, answered by the HTTP layer under the app ----------------------


def raw_request(url: str, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `head` (a whole request head) over a plain socket; the status, headers and body of the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything: its answer is still there
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    header_block, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.decode("latin-1").lower().split(": ", 1) for line in header_block.split(b"\r\n") if line)
    return int(status_line.split()[1]), headers, body


def request_head(target: bytes, *headers: bytes) -> bytes:
    head = b"GET " + target + b" HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n"
    return head + b"".join(h + b"\r\n" for h in headers) + b"\r\n"


def json_error(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict[str, Any]:
    assert status == expected, (status, body[:200])
    assert headers["content-type"] == "application/json" and headers["content-length"] == str(len(body))
    parsed = json.loads(body)
    assert set(parsed) == {"error"} and set(parsed["error"]) == {"code", "message", "suggestions"}
    error: dict[str, Any] = parsed["error"]
    return error


@pytest.mark.parametrize("size", [8193, 100_000, 1_000_000])
def test_a_url_over_the_limit_is_414_with_the_error_body_however_long(
    gateway_process: RunningGateway, size: int
) -> None:
    target = b"/v1/titles/" + b"a" * (size - len(b"/v1/titles/"))
    error = json_error(*raw_request(gateway_process.url, request_head(target)), 414)
    assert error["code"] == "INVALID_ARGUMENT" and "8192 bytes" in error["message"]


def test_a_url_at_the_limit_reaches_the_routes(gateway_process: RunningGateway) -> None:
    target = b"/v1/movies?query=x&page_token=" + b"a" * (8192 - len(b"/v1/movies?query=x&page_token="))
    assert len(target) == 8192
    error = json_error(*raw_request(gateway_process.url, request_head(target)), 422)
    assert "page_token" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        (b"x-big: " + b"a" * 20_000,),
        (b"x-big: " + b"a" * 2_000_000,),
        tuple(b"x-%d: aaaaaaaa" % i for i in range(2000)),
    ],
    ids=["one-20KB", "one-2MB", "2000-small"],
)  # fmt: skip
def test_headers_over_the_limit_are_431_with_the_error_body(
    gateway_process: RunningGateway, headers: tuple[bytes, ...]
) -> None:
    error = json_error(*raw_request(gateway_process.url, request_head(b"/healthz", *headers)), 431)
    assert "16384 bytes" in error["message"]


def test_a_request_the_parser_refuses_is_400_with_the_error_body(gateway_process: RunningGateway) -> None:
    error = json_error(*raw_request(gateway_process.url, b"GET /healthz HTTP/1.1\r\nbad header\r\n\r\n"), 400)
    assert error["code"] == "INVALID_ARGUMENT"


def test_the_limits_are_settings(
    catalog_process: RunningService, recommender_process: RunningService, tmp_path: Path
) -> None:
    gateway = RunningGateway(
        catalog_process, recommender_process, tmp_path / "gateway.log",
        GATEWAY_MAX_URL_BYTES="1000", GATEWAY_MAX_HEADER_BYTES="2000",
    )  # fmt: skip
    try:
        at_limit = b"/v1/actors/" + b"a" * (1000 - len(b"/v1/actors/"))
        assert raw_request(gateway.url, request_head(at_limit))[0] == 422  # the name is too long: the route says so
        assert "1000 bytes" in json_error(*raw_request(gateway.url, request_head(at_limit + b"a")), 414)["message"]
        assert raw_request(gateway.url, request_head(b"/healthz", b"x-a: " + b"a" * 1900))[0] == 200
        json_error(*raw_request(gateway.url, request_head(b"/healthz", b"x-a: " + b"a" * 2000)), 431)
    finally:
        gateway.stop()


def test_the_documentation_loads_its_assets_from_the_gateway(api: httpx.Client) -> None:
    page = api.get("/docs").text
    scripts = re.findall(r'src="([^"]+)"', page)
    assert scripts == ["/docs/assets/swagger-ui-bundle.js"] and "https://" not in page
    asset = api.get(scripts[0])
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
    assert api.head(scripts[0]).headers["content-length"] == str(len(asset.content))
