"""/v1/releases/all over the fakes: every release of the catalog's data folder as ListReleases gives it,
with links to each data report; `limit` checked before the catalog is asked; never kept in the answer
cache (a release built since would be hidden); every failure in the one error body."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
import pytest

from marquee.v1 import release_pb2
from marquee_gateway.answers import ops
from tests.unit.gateway_fakes import OLD_RELEASE, Fakes, gateway_client, rpc_error

if TYPE_CHECKING:
    from starlette.testclient import TestClient

FAKE = "20260101T000000000Z-fake"
BUILT_SINCE = "20260102T000000000Z-new0000"


def asked(fakes: Fakes) -> list[release_pb2.ListReleasesRequest]:
    return [request for method, request, _ in fakes.catalog.calls if method == "ListReleases"]


def test_every_release_is_listed_newest_first_with_links_to_its_report(client: TestClient, fakes: Fakes) -> None:
    reply = client.get("/v1/releases/all")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    assert reply.json() == {
        "current": FAKE,
        "served": FAKE,
        "releases": [
            {"version": FAKE, "built_at": "2026-01-01T00:00:00Z", "films": 3,
             "quality": {"collection_hit_at_5": 0.5, "genre_jaccard_at_10": 0.3125, "recall_at_10": 1.0,
                         "holdout_hit_rate_at_10": None},
             "current": True, "served": True,
             "report": {"html": f"/v1/releases/{FAKE}/report", "json": f"/v1/releases/{FAKE}/report.json",
                        "predecessor": OLD_RELEASE, "flagged_figures": 2, "drifted_fields": ["budget"]},
             "error": None},
            {"version": OLD_RELEASE, "built_at": "2025-11-01T12:00:00Z", "films": 3,
             "quality": {"collection_hit_at_5": None, "genre_jaccard_at_10": None, "recall_at_10": None,
                         "holdout_hit_rate_at_10": None},
             "current": False, "served": False, "report": None, "error": None},
        ],
    }  # fmt: skip
    (request,) = asked(fakes)
    assert request.limit == 50


def test_each_report_link_is_a_route_that_answers_the_report(client: TestClient) -> None:
    report = client.get("/v1/releases/all").json()["releases"][0]["report"]
    html, json = client.get(report["html"]), client.get(report["json"])
    assert (html.status_code, json.status_code) == (200, 200)
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert json.headers["content-type"] == "application/json"


def test_a_release_whose_manifest_cannot_be_read_is_listed_with_its_error(fakes: Fakes) -> None:
    fakes.catalog.more_releases.append(
        release_pb2.ListedRelease(version=BUILT_SINCE, error="manifest.json: not valid JSON (Expecting value)")
    )
    with gateway_client(fakes) as client:
        first = client.get("/v1/releases/all").json()["releases"][0]
    assert first == {
        "version": BUILT_SINCE, "built_at": None, "films": None,
        "quality": {"collection_hit_at_5": None, "genre_jaccard_at_10": None, "recall_at_10": None,
                         "holdout_hit_rate_at_10": None},
        "current": False, "served": False, "report": None,
        "error": "manifest.json: not valid JSON (Expecting value)",
    }  # fmt: skip


def test_a_report_that_compared_nothing_has_null_findings_and_links_only_its_forms(fakes: Fakes) -> None:
    summary = release_pb2.ReleaseReportSummary(formats=[release_pb2.REPORT_FORMAT_HTML])
    fakes.catalog.more_releases.append(release_pb2.ListedRelease(version=BUILT_SINCE, report=summary))
    with gateway_client(fakes) as client:
        report = client.get("/v1/releases/all").json()["releases"][0]["report"]
    assert report == {"html": f"/v1/releases/{BUILT_SINCE}/report", "json": None, "predecessor": None,
                      "flagged_figures": None, "drifted_fields": None}  # fmt: skip


def test_a_compared_report_with_nothing_flagged_says_zero_and_no_field(fakes: Fakes) -> None:
    summary = release_pb2.ReleaseReportSummary(predecessor=FAKE, flagged_figures=0)
    fakes.catalog.more_releases.append(release_pb2.ListedRelease(version=BUILT_SINCE, report=summary))
    with gateway_client(fakes) as client:
        report = client.get("/v1/releases/all").json()["releases"][0]["report"]
    assert (report["predecessor"], report["flagged_figures"], report["drifted_fields"]) == (FAKE, 0, [])


def test_the_limit_is_passed_to_the_catalog(client: TestClient, fakes: Fakes) -> None:
    reply = client.get("/v1/releases/all?limit=1")
    assert [r["version"] for r in reply.json()["releases"]] == [FAKE]
    assert [r.limit for r in asked(fakes)] == [1]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("limit=0", "query parameter 'limit': Input should be greater than or equal to 1"),
        ("limit=501", "query parameter 'limit': Input should be less than or equal to 500"),
        ("limit=ten", "query parameter 'limit': Input should be a valid integer, unable to parse string as an integer"),
        ("limit=1&limit=2", "query parameter 'limit': given 2 times ('1', '2'); give it once"),
    ],
)
def test_a_limit_outside_its_rule_is_422_and_the_catalog_is_not_asked(
    client: TestClient, fakes: Fakes, query: str, says: str
) -> None:
    reply = client.get(f"/v1/releases/all?{query}")
    assert reply.status_code == 422
    assert reply.json() == {"error": {"code": "INVALID_ARGUMENT", "message": says, "suggestions": []}}
    assert asked(fakes) == []


def test_the_list_is_never_kept_so_a_release_built_since_shows_at_once(client: TestClient, fakes: Fakes) -> None:
    first = client.get("/v1/releases/all")
    fakes.catalog.more_releases.append(release_pb2.ListedRelease(version=BUILT_SINCE, built_at="2026-01-02T00:00:00Z"))
    second = client.get("/v1/releases/all")
    assert [r["version"] for r in second.json()["releases"]] == [BUILT_SINCE, FAKE, OLD_RELEASE]
    assert len(asked(fakes)) == 2
    assert first.headers.get_list("cache-control") == second.headers.get_list("cache-control") == ["no-cache"]


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
        (grpc.StatusCode.INVALID_ARGUMENT, 422),
        (grpc.StatusCode.INTERNAL, 502),
    ],
)
def test_a_failed_call_answers_the_error_tables_status_with_the_error_body(
    fakes: Fakes, code: grpc.StatusCode, status: int
) -> None:
    fakes.catalog.failures["ListReleases"] = rpc_error(code, "it failed")
    with gateway_client(fakes) as client:
        reply = client.get("/v1/releases/all")
    assert reply.status_code == status and reply.json()["error"]["code"] == code.name


def test_all_is_this_list_and_not_a_release_named_all(client: TestClient, fakes: Fakes) -> None:
    assert client.get("/v1/releases/all").status_code == 200
    reply = client.get("/v1/releases/all/report")  # the report route, asking for a release named "all"
    assert reply.status_code == 404 and "no release 'all'" in reply.json()["error"]["message"]
    assert [m for m, _, _ in fakes.catalog.calls] == ["ListReleases", "GetReleaseReport"]


def test_openapi_documents_the_limit_the_cache_header_and_a_real_example(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/releases/all"]["get"]
    (limit,) = operation["parameters"]
    assert limit["name"] == "limit" and limit["in"] == "query"
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"], limit["schema"]["default"]) == (1, 500, 50)
    ok = operation["responses"]["200"]
    assert "Cache-Control" in ok["headers"]
    example = ok["content"]["application/json"]["example"]  # as FastAPI writes it: without its nulls
    real = ops.ReleaseList.from_proto(ops.ReleaseList.example)
    assert [r["version"] for r in example["releases"]] == [r["version"] for r in real["releases"]]
    assert example["releases"][0]["report"] == real["releases"][0]["report"]  # a report that compared, in full
    assert "limit" in operation["responses"]["422"]["description"]
