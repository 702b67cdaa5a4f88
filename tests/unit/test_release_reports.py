"""ReleaseService.GetReleaseReport, the servicer itself, over release folders written by hand in a
temporary data folder: what it sends, in what parts, and every way it refuses.

The servicer runs as gRPC runs it (the streaming method with its context), with a fake context that
keeps what the method sends and the status it ends with; expected values are worked out here from
the bytes the test wrote.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

from marquee.v1 import release_pb2
from marquee_common.contract import RELEASE_KEY, REPORT_CHUNK_BYTES
from marquee_server import reports
from marquee_server.rpc import WORK, ReleaseServicer
from marquee_server.serving import Loaded, ReleaseHolder
from tests.report_releases import BUILT_AT, listed, write_release
from tests.status_details import Details, details

SERVED = "20261201T152208318Z-d7ff1319"
NEWER = "20261202T080000000Z-aaaa1111"  # what `current` names on disk; the process still serves SERVED
OLD = "20261101T120000000Z-0ld0ca5e"  # built before data reports existed
DAMAGED = "20261115T120000000Z-dama6ed0"

PAGE = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>report</title></head><body>"
HTML = PAGE + bytes(range(256)) * (10 * 1024 + 7)  # 2.5 MiB and a bit: three parts
JSON = b'{"version": "20261201T152208318Z-d7ff1319", "films": 8}'
NEWER_HTML = b"<!DOCTYPE html><p>newer</p>"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write_release(data, OLD, {"movies.parquet": b"PAR1 old"})
    both = {"html": "report.html", "json": "report.json"}
    write_release(data, SERVED, {"movies.parquet": b"PAR1", "report.html": HTML, "report.json": JSON}, both)
    write_release(data, NEWER, {"report.html": NEWER_HTML, "report.json": b"{}"}, both)
    write_release(data, DAMAGED, {"report.html": b"<p>fine</p>", "report.json": b'{"ok": true}'}, both)
    os.symlink(Path("releases") / NEWER, data / "current")
    return data


def serving(data_dir: Path, version: str | None = SERVED, max_report_bytes: int = 16 << 20) -> ReleaseServicer:
    """The servicer of a process serving `version` (None: still loading)."""

    def never(folder: Path, manifest: dict[str, Any], swapping: bool) -> tuple[Any, str]:
        raise AssertionError("the test installs its release itself")

    holder: ReleaseHolder[Any] = ReleaseHolder(data_dir, never)
    if version is not None:
        holder.install(Loaded(None, version, BUILT_AT, "2026-12-01T15:24:31.102Z", "ok: by hand", 0.1))
    return ReleaseServicer(holder, max_report_bytes)


@dataclass
class Status:
    """What a call ended with, as `rpc_status.to_status` makes it (code, details, trailing metadata)."""

    code: grpc.StatusCode
    details: str
    trailing_metadata: tuple[tuple[str, bytes], ...] = ()


class Ended(grpc.aio.AbortError):
    """What the fake context's abort raises; read like a failed call (tests/status_details.py)."""

    def __init__(self, status: Status) -> None:
        super().__init__()
        self.status = status

    def code(self) -> grpc.StatusCode:
        return self.status.code

    def details(self) -> str:
        return self.status.details

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        return self.status.trailing_metadata


@dataclass
class FakeContext:
    """A grpc.aio.ServicerContext that keeps the initial metadata and ends the call as abort does."""

    metadata: list[tuple[str, str]] = field(default_factory=list)

    async def send_initial_metadata(self, metadata: Any) -> None:
        assert not self.metadata, "initial metadata sent twice"
        self.metadata.extend(metadata)

    async def abort_with_status(self, status: Any) -> None:
        raise Ended(Status(status.code, status.details, tuple(status.trailing_metadata)))

    async def abort(self, code: grpc.StatusCode, message: str) -> None:
        raise Ended(Status(code, message))


@dataclass
class Answer:
    messages: list[release_pb2.GetReleaseReportResponse]
    metadata: dict[str, str]
    code: grpc.StatusCode = grpc.StatusCode.OK
    message: str = ""
    details: Details | None = None

    @property
    def body(self) -> bytes:
        return b"".join(m.chunk for m in self.messages)


def ask(servicer: ReleaseServicer, version: str = "", form: int = release_pb2.REPORT_FORMAT_UNSPECIFIED) -> Answer:
    context = FakeContext()
    request = release_pb2.GetReleaseReportRequest(version=version, format=form)  # type: ignore[arg-type]

    messages: list[release_pb2.GetReleaseReportResponse] = []

    async def run() -> None:  # returns nothing: asyncio.run's signal handling may repr the task, result and all
        messages.extend([m async for m in servicer.GetReleaseReport(request, context)])  # type: ignore[arg-type, union-attr]

    try:
        asyncio.run(run())
    except Ended as ended:
        return Answer([], dict(context.metadata), ended.code(), ended.details(), details(ended))
    return Answer(messages, dict(context.metadata))


def test_the_served_release_report_comes_whole_in_order_in_parts_of_at_most_1_mib(data_dir: Path) -> None:
    answer = ask(serving(data_dir))
    assert answer.code == grpc.StatusCode.OK
    assert answer.body == HTML
    mib = REPORT_CHUNK_BYTES
    assert [len(m.chunk) for m in answer.messages] == [mib, mib, len(HTML) - 2 * mib]
    first = answer.messages[0]
    assert (first.version, first.built_at, first.content_type) == (SERVED, BUILT_AT, "text/html; charset=utf-8")
    assert (first.total_bytes, first.sha256) == (len(HTML), hashlib.sha256(HTML).hexdigest())
    assert all(m.total_bytes == 0 and not m.sha256 and not m.version for m in answer.messages[1:])
    assert answer.metadata == {RELEASE_KEY: SERVED}


@pytest.mark.parametrize("version", ["", "current", "  current "])
def test_empty_and_current_name_the_release_served_not_the_one_current_points_at(data_dir: Path, version: str) -> None:
    answer = ask(serving(data_dir), version)
    assert answer.messages[0].version == SERVED and answer.body == HTML


def test_the_json_report_is_sent_as_application_json(data_dir: Path) -> None:
    answer = ask(serving(data_dir), SERVED, release_pb2.REPORT_FORMAT_JSON)
    assert answer.body == JSON and len(answer.messages) == 1
    assert answer.messages[0].content_type == "application/json"
    assert answer.messages[0].sha256 == hashlib.sha256(JSON).hexdigest()


def test_the_report_of_a_release_not_served_is_sent_too(data_dir: Path) -> None:
    answer = ask(serving(data_dir), NEWER, release_pb2.REPORT_FORMAT_HTML)
    assert answer.body == NEWER_HTML and answer.messages[0].version == NEWER
    assert answer.metadata == {RELEASE_KEY: SERVED}  # the release the process serves, as on every answer


def test_a_release_without_a_report_is_not_found_saying_it_was_built_before_reports(data_dir: Path) -> None:
    answer = ask(serving(data_dir), OLD)
    assert answer.code == grpc.StatusCode.NOT_FOUND and not answer.messages
    assert f"release {OLD} has no data report" in answer.message
    assert "built before data reports existed" in answer.message
    assert answer.details is not None and answer.details.reason == "NOT_FOUND"
    assert answer.details.suggestions == [NEWER, SERVED, DAMAGED]  # the releases that have one, newest first
    assert answer.metadata == {RELEASE_KEY: SERVED}


def test_an_unknown_version_is_not_found_with_the_closest_then_the_newest_versions(data_dir: Path) -> None:
    answer = ask(serving(data_dir), "20261201T152208318Z-d7ff1318")
    assert answer.code == grpc.StatusCode.NOT_FOUND
    assert answer.message.startswith("no release '20261201T152208318Z-d7ff1318' in the data folder; did you mean")
    assert answer.details is not None
    assert answer.details.suggestions[0] == SERVED
    assert sorted(answer.details.suggestions) == sorted([SERVED, NEWER, OLD, DAMAGED])


def test_an_unknown_version_in_an_empty_data_folder_suggests_nothing(tmp_path: Path) -> None:
    answer = ask(serving(tmp_path), "20261201T152208318Z-d7ff1319")
    assert answer.code == grpc.StatusCode.NOT_FOUND and answer.details is not None
    assert answer.details.suggestions == [] and "holds none" in answer.message


def _same_size_other_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"fine", b"FINE"))


@pytest.mark.parametrize(
    ("name", "damage", "says"),
    [
        ("report.html", _same_size_other_bytes, "sha256 differs from the manifest's"),
        ("report.html", lambda p: p.write_bytes(p.read_bytes()[:-1]), "bytes where the manifest says"),
        ("report.json", lambda p: p.write_bytes(p.read_bytes() + b"\n"), "13 bytes where the manifest says 12"),
        ("report.json", Path.unlink, "missing"),
    ],
)
def test_a_report_that_does_not_match_its_manifest_is_refused_naming_the_file_and_release(
    data_dir: Path, name: str, damage: Any, says: str
) -> None:
    damage(data_dir / "releases" / DAMAGED / name)
    form = release_pb2.REPORT_FORMAT_HTML if name.endswith("html") else release_pb2.REPORT_FORMAT_JSON
    answer = ask(serving(data_dir), DAMAGED, form)
    assert answer.code == grpc.StatusCode.DATA_LOSS and not answer.messages
    assert answer.message.startswith(f"{name}: ") and says in answer.message
    assert f"the report of release {DAMAGED} is not sent" in answer.message
    assert answer.details is not None and answer.details.reason == "DAMAGED_REPORT"


@pytest.mark.parametrize(
    ("version", "says"),
    [
        ("../releases/x", "holds a path separator"),
        ("a/b", "holds a path separator"),
        ("a\\b", "holds a path separator"),
        (".tmp-20261201T152208318Z-d7ff1319-42", "starts with a dot"),
        ("20261201..x", "holds '..'"),
        ("..", "starts with a dot"),
        ("2026 12", "holds ' '"),
        ("2026\x00", "holds '\\x00'"),
        ("-rf", "must start with a letter or digit"),
        ("v1.", "not end with '.'"),
        ("v" * 129, "is 129 characters long; a release version has at most 128"),
    ],
)
def test_a_version_that_cannot_name_a_release_is_invalid_argument_naming_the_problem(
    data_dir: Path, version: str, says: str
) -> None:
    answer = ask(serving(data_dir), version)
    assert answer.code == grpc.StatusCode.INVALID_ARGUMENT and not answer.messages
    assert answer.message.startswith("version '") and says in answer.message, answer.message
    assert answer.details is not None and answer.details.reason == "INVALID_QUERY"


def test_an_unknown_format_is_invalid_argument(data_dir: Path) -> None:
    answer = ask(serving(data_dir), SERVED, 7)
    assert answer.code == grpc.StatusCode.INVALID_ARGUMENT and "format 7 is not a ReportFormat" in answer.message


def test_a_report_over_the_size_limit_is_refused(data_dir: Path) -> None:
    answer = ask(serving(data_dir, max_report_bytes=1 << 20))
    assert answer.code == grpc.StatusCode.FAILED_PRECONDITION
    assert answer.message == f"report.html of release {SERVED} is {len(HTML)} bytes; this service sends at most 1048576"


def test_a_manifest_naming_a_report_outside_its_release_is_refused(tmp_path: Path) -> None:
    secret = b"not the service's to hand out"
    write_release(tmp_path, "V1", {"report.html": secret})
    folder = write_release(tmp_path, "V2", {})
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["../V1/report.html"] = listed(secret)
    manifest["report"] = {"html": "../V1/report.html"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    answer = ask(serving(tmp_path, "V2"))
    assert answer.code == grpc.StatusCode.DATA_LOSS and not answer.messages
    assert answer.message.startswith("../V1/report.html: is not a path inside the release")


def test_a_report_entry_without_the_asked_form_is_not_found(tmp_path: Path) -> None:
    write_release(tmp_path, "V1", {"report.html": b"<p>"}, {"html": "report.html"})
    answer = ask(serving(tmp_path, "V1"), "", release_pb2.REPORT_FORMAT_JSON)
    assert answer.code == grpc.StatusCode.NOT_FOUND
    assert answer.message == "release V1 has no JSON data report (its report has: html)"


def test_before_its_release_is_loaded_the_service_answers_unavailable(data_dir: Path) -> None:
    answer = ask(serving(data_dir, version=None), SERVED)
    assert answer.code == grpc.StatusCode.UNAVAILABLE and answer.metadata == {}


def test_the_report_is_read_and_hashed_in_the_work_pool(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads = []
    read = reports.read_report

    def noting(*args: Any) -> reports.Report:
        threads.append(threading.current_thread().name)
        return read(*args)

    monkeypatch.setattr(reports, "read_report", noting)
    monkeypatch.setattr(WORK, "pool", ThreadPoolExecutor(1, thread_name_prefix="work"))
    try:
        assert ask(serving(data_dir)).body == HTML
    finally:
        WORK.pool.shutdown()  # type: ignore[union-attr]
    assert len(threads) == 1 and threads[0].startswith("work")


def test_each_call_is_logged_once_with_its_method_and_code(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    servicer = serving(data_dir)
    with caplog.at_level(logging.INFO, logger="marquee.rpc"):
        ask(servicer)
        ask(servicer, OLD)
    calls = [(r.method, r.code) for r in caplog.records if r.getMessage() == "call"]  # type: ignore[attr-defined]
    assert calls == [("GetReleaseReport", "OK"), ("GetReleaseReport", "NOT_FOUND")]
