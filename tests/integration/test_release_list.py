"""/v1/releases/all end to end: the real pipeline builds two releases into one data folder (the second
from changed data, so its data report compares it with the first), the real catalog process lists them
from their manifests (ReleaseService.ListReleases), the real gateway answers the list over HTTP.

Every expected figure is read here from the manifests the pipeline wrote.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from marquee.v1 import release_pb2, release_pb2_grpc
from marquee_common.contract import RELEASE_KEY
from tests.harness import SAMPLE_RAW, RunningGateway, RunningService, build_release
from tests.report_releases import changed_raw

pytestmark = pytest.mark.slow

QUALITY = ("collection_hit_at_5", "genre_jaccard_at_10", "recall_at_10")


@dataclass
class Stack:
    gateway: RunningGateway
    catalog: RunningService
    data: Path
    first: str
    second: str

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.gateway.url}{path}", timeout=30)

    def manifest(self, version: str) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((self.data / "releases" / version / "manifest.json").read_text())
        return manifest


@pytest.fixture(scope="module")
def stack(recommender_process: RunningService, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("list-data")
    first = build_release(SAMPLE_RAW, data).name
    second = build_release(changed_raw(tmp_path_factory.mktemp("list-raw")), data).name
    logs = tmp_path_factory.mktemp("list-logs")
    catalog = RunningService("marquee_catalog", "CATALOG", data, "marquee.v1.CatalogService", logs / "catalog.log")
    try:
        gateway = RunningGateway(catalog, recommender_process, logs / "gateway.log")
        try:
            yield Stack(gateway, catalog, data, first, second)
        finally:
            gateway.stop()
    finally:
        catalog.stop()


def expected(stack: Stack, version: str, current: bool) -> dict[str, Any]:
    """What /v1/releases/all says of a release, worked out from its manifest."""
    manifest = stack.manifest(version)
    report = manifest["report"]
    compared = report["predecessor"] is not None
    return {
        "version": version,
        "built_at": manifest["created_at"],
        "films": manifest["evaluation"]["films"],
        # a release built without ratings has no held-out figure: listed as null, not left out
        "quality": {**{name: manifest["model"]["quality"][name] for name in QUALITY}, "holdout_hit_rate_at_10": None},
        "current": current,
        "served": current,
        "report": {
            "html": f"/v1/releases/{version}/report",
            "json": f"/v1/releases/{version}/report.json",
            "predecessor": report["predecessor"],
            "flagged_figures": report["flagged_figures"],
            "drifted_fields": sorted(report["drifted_fields"]) if compared else None,
        },
        "error": None,
    }


def test_both_releases_are_listed_newest_first_the_second_current_and_served(stack: Stack) -> None:
    reply = stack.get("/v1/releases/all")
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-cache"
    assert reply.headers["x-marquee-release"] == f"catalog={stack.second}"
    body = reply.json()
    assert (body["current"], body["served"]) == (stack.second, stack.second)
    assert [r["version"] for r in body["releases"]] == [stack.second, stack.first]
    assert body["releases"] == [expected(stack, stack.second, True), expected(stack, stack.first, False)]


def test_the_second_reports_predecessor_is_the_first_and_it_found_changes(stack: Stack) -> None:
    second, first = stack.get("/v1/releases/all").json()["releases"]
    assert second["report"]["predecessor"] == stack.first
    assert second["report"]["flagged_figures"] > 0  # 300 films fewer, every other budget tripled
    assert "budget" in second["report"]["drifted_fields"]
    assert second["films"] < first["films"]
    assert (first["report"]["predecessor"], first["report"]["flagged_figures"]) == (None, None)


@pytest.mark.parametrize("form", ["html", "json"])
def test_each_report_link_answers_the_file_the_pipeline_wrote(stack: Stack, form: str) -> None:
    for listed in stack.get("/v1/releases/all").json()["releases"]:
        reply = stack.get(listed["report"][form])
        assert reply.status_code == 200, reply.text
        name = stack.manifest(listed["version"])["report"][form]
        assert reply.content == (stack.data / "releases" / listed["version"] / name).read_bytes()


def test_the_limit_keeps_the_newest(stack: Stack) -> None:
    body = stack.get("/v1/releases/all?limit=1").json()
    assert [r["version"] for r in body["releases"]] == [stack.second]
    assert stack.get("/v1/releases/all?limit=0").status_code == 422


def test_a_release_built_since_shows_at_once_and_a_damaged_one_is_listed_with_its_error(stack: Stack) -> None:
    assert stack.get("/v1/releases/all").status_code == 200  # a list the gateway could have kept
    newer = stack.data / "releases" / "29991231T000000000Z-da3a6ed0"  # newer than any, never promoted
    newer.mkdir()
    try:
        (newer / "manifest.json").write_text('{"version": ', encoding="utf-8")
        body = stack.get("/v1/releases/all").json()
    finally:
        shutil.rmtree(newer)
    listed = body["releases"][0]
    assert listed["version"] == newer.name and listed["error"].startswith("manifest.json: not valid JSON")
    assert (listed["current"], listed["served"], listed["films"], listed["report"]) == (False, False, None, None)
    assert body["current"] == stack.second and len(body["releases"]) == 3


def test_the_catalog_answers_list_releases_over_grpc_naming_its_release(stack: Stack) -> None:
    with grpc.insecure_channel(stack.catalog.target) as channel:
        reply, call = release_pb2_grpc.ReleaseServiceStub(channel).ListReleases.with_call(
            release_pb2.ListReleasesRequest(), timeout=10
        )
        assert (RELEASE_KEY, stack.second) in tuple(call.initial_metadata())
        with pytest.raises(grpc.RpcError) as refused:
            release_pb2_grpc.ReleaseServiceStub(channel).ListReleases(release_pb2.ListReleasesRequest(limit=501))
    assert [r.version for r in reply.releases] == [stack.second, stack.first]
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert "limit must be between 1 and 500" in refused.value.details()  # type: ignore[attr-defined]
