"""Data reports end to end: the real catalog process on a real port reads them from its data folder, the
real gateway fetches them over gRPC and answers them over HTTP.

The releases are copies of one the real pipeline built: that one as the pipeline wrote it (its own
data report), and copies with report files written by the test and their manifests rewritten to
list them (tests/report_releases.py): one served with a report, one without (built before
reports), one with a 4.5 MB report (five gRPC messages of at most 1 MiB, past gRPC's 4 MB default
limit as a whole), and one whose report was changed after its manifest was written. Every
expected value is worked out here, from the bytes the test wrote or the pipeline's files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest

from marquee.v1 import release_pb2, release_pb2_grpc
from tests.harness import RunningGateway, RunningService
from tests.report_releases import copy_with_report, strip_report

pytestmark = pytest.mark.slow

HTML = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Data report</title></head>' + (
    b"<body><h1>8 films</h1><p>8 rows set aside</p></body></html>\n"
)
JSON = json.dumps({"films": 8, "rejected": 8}).encode()
BIG_BYTES = 4_718_592  # 4.5 MiB
BIG = b"".join(b"<p>row %07d of the big report</p>\n" % i for i in range(BIG_BYTES // 30))[:BIG_BYTES]
MIB = 1 << 20


@dataclass
class Stack:
    gateway: RunningGateway
    catalog: RunningService
    old: str  # the release the pipeline built, its report taken out (as built before reports existed)
    real: str  # the release the pipeline built, as it wrote it
    real_folder: Path
    served: str  # current: a copy with report.html and report.json
    big: str  # a copy with a 4.5 MB report.html
    damaged: str  # a copy whose report.html changed after its manifest was written

    def get(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(f"{self.gateway.url}{path}", headers=headers, timeout=30)


@pytest.fixture(scope="module")
def stack(
    fixture_data_dir: Path, recommender_process: RunningService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("report-data")
    built = (fixture_data_dir / "current").resolve()
    old = built.name
    source = data / "releases" / old
    shutil.copytree(built, source)
    real = f"{old}-real"
    shutil.copytree(built, data / "releases" / real)
    manifest = json.loads((data / "releases" / real / "manifest.json").read_text())
    manifest["version"] = real
    (data / "releases" / real / "manifest.json").write_text(json.dumps(manifest))
    served, big, damaged = f"{old}-reports", f"{old}-big", f"{old}-damaged"
    copy_with_report(source, served, {"report.html": HTML, "report.json": JSON})
    copy_with_report(source, big, {"report.html": BIG})
    copy_with_report(source, damaged, {"report.html": HTML, "report.json": JSON})
    path = data / "releases" / damaged / "report.html"
    path.write_bytes(path.read_bytes().replace(b"8 films", b"9 films"))  # same size, other bytes
    strip_report(source)
    os.symlink(Path("releases") / served, data / "current")
    logs = tmp_path_factory.mktemp("report-logs")
    catalog = RunningService("marquee_catalog", "CATALOG", data, "marquee.v1.CatalogService", logs / "catalog.log")
    try:
        gateway = RunningGateway(catalog, recommender_process, logs / "gateway.log")
        try:
            yield Stack(gateway, catalog, old, real, data / "releases" / real, served, big, damaged)
        finally:
            gateway.stop()
    finally:
        catalog.stop()


def etag(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()}"'


def test_the_served_release_report_is_answered_as_an_html_page_with_its_headers(stack: Stack) -> None:
    reply = stack.get("/v1/releases/current/report")
    assert reply.status_code == 200 and reply.content == HTML
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.headers["etag"] == etag(HTML)
    assert reply.headers["cache-control"] == "no-cache"
    assert reply.headers["content-security-policy"].startswith("default-src 'none'; img-src data:;")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert f"catalog={stack.served}" in reply.headers["x-marquee-release"]


def test_the_pipelines_own_report_is_answered_as_it_wrote_it(stack: Stack) -> None:
    html = stack.get(f"/v1/releases/{stack.real}/report")
    assert html.status_code == 200 and html.content == (stack.real_folder / "report.html").read_bytes()
    assert html.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert b"<svg" in html.content and b"<script" not in html.content
    document = stack.get(f"/v1/releases/{stack.real}/report.json")
    assert document.status_code == 200
    assert document.json() == json.loads((stack.real_folder / "report.json").read_text())


def test_the_served_release_json_report_is_answered_byte_for_byte(stack: Stack) -> None:
    reply = stack.get("/v1/releases/current/report.json")
    assert reply.status_code == 200 and reply.content == JSON
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["etag"] == etag(JSON)


def test_a_report_of_several_megabytes_crosses_grpc_in_parts_and_http_whole(stack: Stack) -> None:
    reply = stack.get(f"/v1/releases/{stack.big}/report")
    assert reply.status_code == 200 and len(reply.content) == BIG_BYTES and reply.content == BIG
    assert reply.headers["etag"] == etag(BIG)
    assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"
    with grpc.insecure_channel(stack.catalog.target) as channel:  # gRPC's default limits: 4 MB a message
        request = release_pb2.GetReleaseReportRequest(version=stack.big)
        parts = list(release_pb2_grpc.ReleaseServiceStub(channel).GetReleaseReport(request, timeout=30))
    assert [len(p.chunk) for p in parts] == [MIB, MIB, MIB, MIB, BIG_BYTES - 4 * MIB]
    assert b"".join(p.chunk for p in parts) == BIG
    assert (parts[0].version, parts[0].total_bytes, parts[0].sha256) == (stack.big, BIG_BYTES, etag(BIG)[1:-1])


def test_a_client_holding_the_report_gets_304(stack: Stack) -> None:
    reply = stack.get(f"/v1/releases/{stack.served}/report.json", **{"If-None-Match": etag(JSON)})
    assert reply.status_code == 304 and reply.content == b"" and reply.headers["etag"] == etag(JSON)


def test_a_release_built_before_reports_is_404_saying_so_with_releases_that_have_one(stack: Stack) -> None:
    reply = stack.get(f"/v1/releases/{stack.old}/report")
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["code"] == "NOT_FOUND"
    assert error["message"].startswith(f"release {stack.old} has no data report: it was built before data reports")
    assert error["suggestions"] == sorted([stack.real, stack.served, stack.big, stack.damaged], reverse=True)


def test_an_unknown_version_is_404_with_the_closest_versions(stack: Stack) -> None:
    reply = stack.get(f"/v1/releases/{stack.old[:-1]}x/report")
    assert reply.status_code == 404
    assert reply.json()["error"]["suggestions"][0] == stack.old


def test_a_report_changed_after_its_manifest_is_refused_naming_the_file_and_release(stack: Stack) -> None:
    reply = stack.get(f"/v1/releases/{stack.damaged}/report")
    assert reply.status_code == 502  # the data is lost, not the request wrong
    error = reply.json()["error"]
    assert error["code"] == "DATA_LOSS"
    assert error["message"] == (f"the catalog service failed (DATA_LOSS): report.html: sha256 differs from the "
                                f"manifest's: the file is damaged or changed; the report of release {stack.damaged} "
                                "is not sent")  # fmt: skip
    assert stack.get(f"/v1/releases/{stack.damaged}/report.json").content == JSON  # its other file is fine


def test_a_version_that_is_not_one_is_422_at_the_gateway(stack: Stack) -> None:
    reply = stack.get("/v1/releases/.tmp-x/report")
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "INVALID_ARGUMENT"


def test_the_catalog_logs_each_report_call_with_its_code(stack: Stack) -> None:
    stack.get("/v1/releases/current/report.json")
    stack.get(f"/v1/releases/{stack.old}/report.json")
    wanted = ["OK", "NOT_FOUND"]
    deadline = time.monotonic() + 5
    while True:  # the log is written by another process: give it a moment
        calls = [e for e in stack.catalog.log_entries() if e.get("msg") == "call" and e["method"] == "GetReleaseReport"]
        if [c["code"] for c in calls[-2:]] == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [c["code"] for c in calls[-2:]] == wanted
    assert all(isinstance(c["duration_ms"], float) for c in calls[-2:])
