"""The data report routes over the fakes: the file as the catalog streamed it, with its media type, ETag,
caching and security headers; 304 on If-None-Match; every failure in the one error body, never a 500."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import grpc
import pytest

from marquee.v1 import release_pb2
from tests.unit.gateway_fakes import OLD_RELEASE, REPORT_HTML, REPORT_JSON, Fakes, gateway_client, rpc_error

if TYPE_CHECKING:
    from starlette.testclient import TestClient

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
IMMUTABLE = "public, max-age=31536000, immutable"
HTML_ETAG = f'"{hashlib.sha256(REPORT_HTML).hexdigest()}"'
JSON_ETAG = f'"{hashlib.sha256(REPORT_JSON).hexdigest()}"'
FAKE = "/v1/releases/20260101T000000000Z-fake"
ROUTES = ["/v1/releases/current/report", "/v1/releases/current/report.json", f"{FAKE}/report", f"{FAKE}/report.json"]


def asked(fakes: Fakes) -> list[release_pb2.GetReleaseReportRequest]:
    return [request for method, request, _ in fakes.catalog.calls if method == "GetReleaseReport"]


def test_the_current_report_is_the_html_page_with_its_etag_and_security_headers(
    client: TestClient, fakes: Fakes
) -> None:
    reply = client.get("/v1/releases/current/report")
    assert reply.status_code == 200 and reply.content == REPORT_HTML
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.headers["etag"] == HTML_ETAG
    assert reply.headers["cache-control"] == "no-cache"
    assert reply.headers["content-security-policy"] == CSP
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-marquee-release"] == f"catalog={fakes.catalog.release}"
    (request,) = asked(fakes)
    assert (request.version, request.format) == ("current", release_pb2.REPORT_FORMAT_HTML)
    assert [t for m, _, t in fakes.catalog.calls] == [2.0]  # the configured deadline, for the whole stream


def test_the_current_json_report_is_sent_as_application_json_byte_for_byte(client: TestClient, fakes: Fakes) -> None:
    reply = client.get("/v1/releases/current/report.json")
    assert reply.status_code == 200 and reply.content == REPORT_JSON
    assert reply.headers["content-type"] == "application/json"
    assert (reply.headers["etag"], reply.headers["cache-control"]) == (JSON_ETAG, "no-cache")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert asked(fakes)[0].format == release_pb2.REPORT_FORMAT_JSON


@pytest.mark.parametrize(
    ("suffix", "body", "form"),
    [
        ("report", REPORT_HTML, release_pb2.REPORT_FORMAT_HTML),
        ("report.json", REPORT_JSON, release_pb2.REPORT_FORMAT_JSON),
    ],
)
def test_a_given_release_report_is_asked_by_version_and_kept_a_year_as_immutable(
    client: TestClient, fakes: Fakes, suffix: str, body: bytes, form: int
) -> None:
    reply = client.get(f"/v1/releases/{fakes.catalog.release}/{suffix}")
    assert reply.status_code == 200 and reply.content == body
    assert reply.headers["cache-control"] == IMMUTABLE
    assert reply.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    (request,) = asked(fakes)
    assert (request.version, request.format) == (fakes.catalog.release, form)


@pytest.mark.parametrize("held", [HTML_ETAG, f"W/{HTML_ETAG}", f'"other", {HTML_ETAG}', "*"])
@pytest.mark.parametrize("path", ["/v1/releases/current/report", f"{FAKE}/report"])
def test_if_none_match_naming_the_report_answers_304_without_a_body(client: TestClient, path: str, held: str) -> None:
    reply = client.get(path, headers={"If-None-Match": held})
    assert reply.status_code == 304 and reply.content == b""
    assert reply.headers["etag"] == HTML_ETAG
    assert reply.headers["cache-control"] == ("no-cache" if "current" in path else IMMUTABLE)


def test_if_none_match_naming_another_report_answers_the_report(client: TestClient) -> None:
    reply = client.get("/v1/releases/current/report", headers={"If-None-Match": JSON_ETAG})
    assert reply.status_code == 200 and reply.content == REPORT_HTML


def test_a_report_streamed_in_many_parts_is_answered_whole(fakes: Fakes) -> None:
    fakes.catalog.chunk_bytes = 7
    with gateway_client(fakes) as client:
        reply = client.get("/v1/releases/current/report")
    assert reply.status_code == 200 and reply.content == REPORT_HTML


def test_an_unknown_version_is_404_with_the_versions_the_catalog_suggests(client: TestClient, fakes: Fakes) -> None:
    reply = client.get("/v1/releases/20260101T000000000Z-fakf/report")
    assert reply.status_code == 404
    assert reply.json()["error"] == {
        "code": "NOT_FOUND",
        "message": "no release '20260101T000000000Z-fakf' in the data folder",
        "suggestions": [fakes.catalog.release, OLD_RELEASE],
    }


def test_a_release_built_before_reports_is_404_saying_so(client: TestClient, fakes: Fakes) -> None:
    reply = client.get(f"/v1/releases/{OLD_RELEASE}/report.json")
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert "built before data reports existed" in error["message"]
    assert error["suggestions"] == [fakes.catalog.release]


@pytest.mark.parametrize(
    ("version", "says"),
    [
        ("%2E%2E", "starts with a dot"),  # encoded, or the client removes it as a dot-segment
        (".tmp-20260101T000000000Z-fake-7", "starts with a dot"),
        ("a..b", "holds '..'"),
        ("a%5Cb", "holds a path separator"),
        ("a%20b", "holds ' '"),
        ("v" * 129, "is 129 characters long"),
        ("", "must not be empty"),
    ],
)
def test_a_version_that_cannot_name_a_release_is_422_before_the_catalog_is_asked(
    client: TestClient, fakes: Fakes, version: str, says: str
) -> None:
    reply = client.get(f"/v1/releases/{version}/report")
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "INVALID_ARGUMENT"
    assert error["message"].startswith("path parameter 'version': ") and says in error["message"]
    assert asked(fakes) == []


def test_a_path_separator_in_a_version_finds_no_route(client: TestClient, fakes: Fakes) -> None:
    reply = client.get("/v1/releases/..%2Fetc/report")  # decoded before routing: /v1/releases/../etc/report
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "NOT_FOUND" and asked(fakes) == []


@pytest.mark.parametrize("damage", ["size", "sha256", "content_type", "nothing"])
@pytest.mark.parametrize("path", ["/v1/releases/current/report", f"{FAKE}/report.json"])
def test_a_report_that_arrives_damaged_is_502_and_nothing_of_it_is_passed_on(
    fakes: Fakes, path: str, damage: str
) -> None:
    fakes.catalog.damage_reports = damage
    with gateway_client(fakes) as client:
        reply = client.get(path)
        metrics = client.get("/metrics").text
    assert reply.status_code == 502 and reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert error["code"] == "DATA_LOSS" and error["message"].startswith("the catalog service failed (DATA_LOSS): ")
    assert "etag" not in reply.headers
    assert 'marquee_gateway_upstream_errors_total{code="DATA_LOSS",upstream="catalog"} 1.0' in metrics


@pytest.mark.parametrize(
    ("code", "status", "says"),
    [
        (grpc.StatusCode.FAILED_PRECONDITION, 400, "report.html: sha256 differs"),
        (grpc.StatusCode.UNAVAILABLE, 503, "the catalog service is unavailable"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504, "did not answer in time"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 429, "busy"),
        (grpc.StatusCode.INTERNAL, 502, "failed (INTERNAL)"),
    ],
)
@pytest.mark.parametrize("path", ROUTES)
def test_a_failed_stream_answers_the_error_table_status_with_the_error_body(
    fakes: Fakes, path: str, code: grpc.StatusCode, status: int, says: str
) -> None:
    fakes.catalog.failures["GetReleaseReport"] = rpc_error(code, "report.html: sha256 differs from the manifest's")
    with gateway_client(fakes) as client:
        reply = client.get(path)
    assert reply.status_code == status
    assert reply.json()["error"]["code"] == code.name and says in reply.json()["error"]["message"]


def test_reports_are_not_kept_in_the_answer_cache_which_would_not_answer_if_none_match(
    client: TestClient, fakes: Fakes
) -> None:
    first = client.get("/v1/releases/current/report")
    second = client.get("/v1/releases/current/report", headers={"If-None-Match": first.headers["etag"]})
    assert (first.status_code, second.status_code) == (200, 304)
    assert len(asked(fakes)) == 2
    assert first.headers.get_list("cache-control") == ["no-cache"]


def test_head_answers_the_report_headers_without_the_body(client: TestClient) -> None:
    reply = client.head("/v1/releases/current/report")
    assert reply.status_code == 200 and reply.content == b""
    assert reply.headers["etag"] == HTML_ETAG and reply.headers["content-length"] == str(len(REPORT_HTML))


def test_openapi_documents_each_report_route_with_its_media_type_and_error_answers(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    reports = {path: paths[path]["get"] for path in paths if "/report" in path}
    assert sorted(reports) == sorted(
        ["/v1/releases/current/report", "/v1/releases/current/report.json",
         "/v1/releases/{version}/report", "/v1/releases/{version}/report.json"]
    )  # fmt: skip
    for path, operation in reports.items():
        responses = operation["responses"]
        assert list(responses["200"]["content"]) == ["application/json" if path.endswith(".json") else "text/html"]
        assert {"ETag", "Cache-Control"} <= set(responses["200"]["headers"])
        assert "304" in responses
        for status in ("400", "404", "422", "502", "503"):
            schema: Any = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
    (version,) = [p for p in reports["/v1/releases/{version}/report"]["parameters"] if p["name"] == "version"]
    assert {"pattern", "maxLength", "minLength"} <= set(version["schema"])
