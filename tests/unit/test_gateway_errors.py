"""The gateway's one error table and one error body, with in-process fakes of the upstreams."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import grpc
import pytest

from marquee_gateway.errors import FALLBACK_STATUS, HTTP_STATUS, UpstreamError, http_status
from marquee_server.rpc import GRPC_CODE
from tests.unit.gateway_fakes import Fakes, rpc_error

if TYPE_CHECKING:
    from starlette.testclient import TestClient

EXPECTED_STATUS = {
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.DATA_LOSS: 502,  # the upstream's file failed its checks: not the caller's fault
}


def assert_error_body(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "suggestions"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["suggestions"], list)


def test_every_status_the_services_raise_has_its_http_status() -> None:
    used = set(GRPC_CODE.values()) | {grpc.StatusCode.DEADLINE_EXCEEDED}  # the deadline is the channel's
    assert used <= set(HTTP_STATUS), f"unmapped: {used - set(HTTP_STATUS)}"
    assert HTTP_STATUS == EXPECTED_STATUS


@pytest.mark.parametrize("code", [c for c in grpc.StatusCode if c not in EXPECTED_STATUS and c != grpc.StatusCode.OK])
def test_any_other_upstream_status_falls_back_to_502(code: grpc.StatusCode) -> None:
    assert FALLBACK_STATUS == 502
    assert http_status(code) == 502


def test_an_upstream_not_found_keeps_the_service_message_and_its_suggestions() -> None:
    exc = rpc_error(grpc.StatusCode.NOT_FOUND, "no film titled 'Alpah'; did you mean 'Alpha'?", ["Alpha"])
    error = UpstreamError.from_rpc("catalog", exc)
    assert (error.code, error.message, error.suggestions) == (
        grpc.StatusCode.NOT_FOUND,
        "no film titled 'Alpah'; did you mean 'Alpha'?",
        ["Alpha"],
    )


@pytest.mark.parametrize(
    "details",
    [
        b"\xff\xff not a status",
        # a well-formed status whose code contradicts the call's (INVALID_ARGUMENT, not NOT_FOUND)
        rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "nothing", ["Alpha"]).trailing_metadata()[
            "grpc-status-details-bin"
        ],
    ],
)
def test_status_details_that_cannot_be_trusted_are_ignored(details: bytes) -> None:
    exc = grpc.aio.AioRpcError(
        grpc.StatusCode.NOT_FOUND,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(("grpc-status-details-bin", details)),
        "nothing",
    )
    assert UpstreamError.from_rpc("catalog", exc).suggestions == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (grpc.StatusCode.UNAVAILABLE, "recommender service is unavailable"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "recommender service did not answer in time"),
        (grpc.StatusCode.INTERNAL, "recommender service failed (INTERNAL)"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "recommender service is busy"),
    ],
)
def test_an_upstream_failure_message_names_the_upstream(code: grpc.StatusCode, words: str) -> None:
    error = UpstreamError.from_rpc("recommender", rpc_error(code, "ipv4:10.0.0.7:50052: connection refused"))
    assert words in error.message


def test_an_unknown_title_answers_404_with_suggestions(client: TestClient) -> None:
    reply = client.get("/v1/titles/Toy Stroy/votes")
    assert reply.status_code == 404
    assert_error_body(reply.json(), "NOT_FOUND")
    assert reply.json()["error"]["suggestions"] == ["Toy Story"]
    assert "Toy Story" in reply.json()["error"]["message"]


@pytest.mark.parametrize(("code", "status"), [*EXPECTED_STATUS.items(), (grpc.StatusCode.INTERNAL, 502)])
def test_an_upstream_status_answers_the_table_status_with_the_error_body(
    client: TestClient, fakes: Fakes, code: grpc.StatusCode, status: int
) -> None:
    fakes.catalog.fail_with("*", code, "details from the server")
    reply = client.get("/v1/movies/862")
    assert reply.status_code == status
    assert_error_body(reply.json(), code.name)


def test_an_unknown_month_answers_422_and_lists_the_months(client: TestClient) -> None:
    reply = client.get("/cantidad_filmaciones_mes/brumaire")
    assert reply.status_code == 422
    assert_error_body(reply.json(), "INVALID_ARGUMENT")
    assert reply.json()["error"]["suggestions"][0] == "enero"


@pytest.mark.parametrize(
    "path",
    ["/v1/movies/not-a-number", "/v1/movies?query=toy&page_size=1000", "/v1/movies", "/v1/titles/Heat/votes?year=x"],
)
def test_request_validation_errors_answer_422_with_the_same_body(client: TestClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 422
    assert_error_body(reply.json(), "INVALID_ARGUMENT")


def test_an_unknown_route_answers_a_json_404(client: TestClient) -> None:
    reply = client.get("/v1/nothing/here")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/json"
    assert_error_body(reply.json(), "NOT_FOUND")


def test_a_wrong_method_answers_405_with_the_error_body(client: TestClient) -> None:
    reply = client.post("/v1/movies/862")
    assert reply.status_code == 405
    assert_error_body(reply.json(), "UNIMPLEMENTED")


def test_a_fault_of_the_gateway_answers_500_json_and_is_logged(
    client: TestClient, fakes: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    fakes.catalog.break_with("GetMovie", RuntimeError("a bug"))
    with caplog.at_level(logging.ERROR, logger="marquee.gateway"):
        reply = client.get("/v1/movies/862")
    assert reply.status_code == 500
    assert_error_body(reply.json(), "INTERNAL")
    assert "a bug" not in reply.text
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


BAD_INPUTS = ["", "%20", "%20%20%20", "x" * 300, "%00", "%FF%FE", "..", "%2F", "a%2Fb", "🎬" * 250, "-1", "0"]
TEXT_ROUTES = [
    "/v1/stats/releases/month/{}",
    "/v1/stats/releases/weekday/{}",
    "/v1/titles/{}/score",
    "/v1/titles/{}/votes",
    "/v1/titles/{}/runtime",
    "/v1/titles/{}/return",
    "/v1/actors/{}",
    "/v1/directors/{}",
    "/v1/collections/{}",
    "/v1/companies/{}",
    "/v1/countries/{}",
    "/v1/languages/{}",
    "/v1/movies/{}",
    "/v1/movies/{}/similar",
    "/v1/movies?query={}",
    "/v1/recommendations?title={}",
    "/v1/recommendations?text={}",
    "/cantidad_filmaciones_mes/{}",
    "/cantidad_filmaciones_dia/{}",
    "/score_titulo/{}",
    "/votos_titulo/{}",
    "/get_actor/{}",
    "/get_director/{}",
    "/recomendacion/{}",
    "/peliculas_idioma/{}",
    "/peliculas_duracion/{}",
    "/franquicia/{}",
    "/peliculas_pais/{}",
    "/productoras_exitosas/{}",
    "/peliculas_mes/{}",
    "/peliculas_dia/{}",
    "/productoras/{}",
    "/retorno/{}",
]


@pytest.mark.parametrize("route", TEXT_ROUTES)
def test_no_route_answers_500_to_bad_input(client: TestClient, route: str) -> None:
    for bad in BAD_INPUTS:
        reply = client.get(route.format(bad))
        assert reply.status_code < 500, (route, bad, reply.status_code, reply.text)
        if reply.status_code >= 400:
            assert set(reply.json()["error"]) == {"code", "message", "suggestions"}


@pytest.mark.parametrize("route", ["/get_actor/{}", "/v1/titles/{}/votes", "/recomendacion/{}", "/v1/actors/{}"])
@pytest.mark.parametrize("bad", ["", "%20", "x" * 300])
def test_empty_and_overlong_text_answers_422(client: TestClient, route: str, bad: str) -> None:
    reply = client.get(route.format(bad))
    assert reply.status_code == 422
    assert_error_body(reply.json(), "INVALID_ARGUMENT")


def test_error_bodies_are_json_with_the_documented_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    votes = schema["paths"]["/v1/titles/{title}/votes"]["get"]["responses"]
    assert {"404", "422", "503", "504"} <= set(votes)
    ref = votes["404"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ErrorBody")
    json.dumps(schema)


@pytest.mark.parametrize(
    ("code", "status"), [(grpc.StatusCode.RESOURCE_EXHAUSTED, 429), (grpc.StatusCode.UNAVAILABLE, 503)]
)
def test_a_busy_or_unavailable_service_answers_with_retry_after(
    client: TestClient, fakes: Fakes, code: grpc.StatusCode, status: int
) -> None:
    fakes.catalog.fail_with("*", code, "at its limit")
    reply = client.get("/v1/titles/Heat/votes")
    assert reply.status_code == status
    assert reply.headers["retry-after"] == "1"
    assert_error_body(reply.json(), code.name)
