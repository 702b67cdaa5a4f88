"""HEAD and OPTIONS on every route, and `Allow` on every 405, over in-process fakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.unit.gateway_fakes import Fakes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

ALLOW = "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "path", ["/v1/movies/862", "/v1/titles/Heat/votes", "/votos_titulo/Heat", "/healthz", "/v1/model"]
)
def test_head_answers_what_get_would_without_the_body(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert (head.status_code, get.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


def test_head_of_an_error_keeps_its_status_and_headers_without_the_body(client: TestClient) -> None:
    head = client.head("/v1/movies/999999")
    assert (head.status_code, head.content, head.headers["content-type"]) == (404, b"", "application/json")
    assert client.head("/v1/nothing/here").status_code == 404


@pytest.mark.parametrize("path", ["/v1/movies/862", "/v1/stats/releases/month/enero", "/retorno/Heat", "/metrics"])
def test_options_answers_204_with_the_methods_of_the_path(client: TestClient, fakes: Fakes, path: str) -> None:
    reply = client.options(path)
    assert (reply.status_code, reply.content, reply.headers["allow"]) == (204, b"", ALLOW)
    assert fakes.catalog.calls == []  # nothing asked upstream


def test_options_of_an_unknown_path_is_the_usual_json_404(client: TestClient) -> None:
    reply = client.options("/v1/nothing/here")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_405_lists_every_method_the_path_answers(client: TestClient, method: str) -> None:
    reply = client.request(method, "/v1/movies/862")
    assert reply.status_code == 405 and reply.headers["allow"] == ALLOW
    assert reply.json()["error"]["code"] == "UNIMPLEMENTED"
