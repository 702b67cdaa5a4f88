"""ReleaseService.ListReleases, the servicer itself, over a data folder written by hand: every release
listed newest first with its manifest's figures, `current` and the served release told apart, damaged
manifests listed with their error, build folders left out, and the limit.

The servicer runs as gRPC runs it (the unary method with its context; the fake context of
test_release_reports keeps the initial metadata and the status the call ends with). Each expected
value is the one the test wrote into the manifests.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from marquee.v1 import release_pb2
from marquee_common.contract import DEFAULT_RELEASES_LISTED, MAX_RELEASES_LISTED, RELEASE_KEY
from marquee_server import listing
from marquee_server.rpc import WORK
from tests.status_details import Details, details
from tests.unit.test_release_reports import Ended, FakeContext, serving

FIRST = "20261101T120000000Z-f1257000"  # no model, built before data reports
SERVED = "20261201T152208318Z-d7ff1319"  # model and report, compared with FIRST
BROKEN = "20261210T090000000Z-b40ce000"  # manifest.json is not JSON
NEWEST = "20261215T080000000Z-aaaa1111"  # `current` names it; its report compared nothing

SERVED_QUALITY = {"collection_hit_at_5": 0.5417, "genre_jaccard_at_10": 0.3012, "recall_at_10": 0.9833}
NEWEST_QUALITY = {"collection_hit_at_5": 0.0, "genre_jaccard_at_10": 0.25, "recall_at_10": 1.0}  # a measured 0


def write(data_dir: Path, version: str, manifest: dict[str, Any] | str) -> Path:
    """releases/<version>/manifest.json holding `manifest` (a dict as JSON, a string as it is)."""
    folder = data_dir / "releases" / version
    folder.mkdir(parents=True)
    text = manifest if isinstance(manifest, str) else json.dumps({"version": version, **manifest})
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


def model(quality: dict[str, float]) -> dict[str, Any]:
    """A manifest's `model` entry as the pipeline writes it: recall also at the top."""
    return {"kind": "tfidf-svd-annoy", "recall_at_10": quality["recall_at_10"], "quality": quality}


def report(predecessor: str | None, flagged: int | None, drifted: list[str] | None) -> dict[str, Any]:
    return {"html": "report.html", "json": "report.json", "predecessor": predecessor, "flagged_figures": flagged,
            "drifted_fields": drifted, "seconds": 1.2}  # fmt: skip


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write(data, FIRST, {"created_at": "2026-11-01T12:00:00+00:00", "evaluation": {"films": 4995}})
    write(data, SERVED, {"created_at": "2026-12-01T15:22:08.318440+00:00", "evaluation": {"films": 4990},
                         "model": model(SERVED_QUALITY), "report": report(FIRST, 3, ["budget", "adult"])})  # fmt: skip
    write(data, BROKEN, '{"version": "' + BROKEN + '", "created_at": ')
    write(data, NEWEST, {"created_at": "2026-12-15T08:00:00+00:00", "evaluation": {"films": 4700},
                         "model": model(NEWEST_QUALITY), "report": report(None, None, None)})  # fmt: skip
    write(data, ".tmp-20261216T000000000Z-cccc2222-4242", {"created_at": "2026-12-16T00:00:00+00:00"})
    (data / "releases" / ".pruned-20261001T000000000Z-dddd3333").mkdir()
    (data / "releases" / "notes.txt").write_text("not a release")
    (data / "releases" / SERVED / "movies.parquet").write_bytes(b"PAR1 a large table")
    os.symlink(Path("releases") / NEWEST, data / "current")
    return data


@dataclass
class Answer:
    reply: release_pb2.ListReleasesResponse | None
    metadata: dict[str, str]
    code: grpc.StatusCode = grpc.StatusCode.OK
    message: str = ""
    details: Details | None = None

    @property
    def listed(self) -> dict[str, release_pb2.ListedRelease]:
        assert self.reply is not None, self.message
        return {r.version: r for r in self.reply.releases}


def ask(data_dir: Path, limit: int = 0, served: str | None = SERVED) -> Answer:
    context = FakeContext()
    request = release_pb2.ListReleasesRequest(limit=limit)
    servicer = serving(data_dir, served)
    try:
        reply = asyncio.run(servicer.ListReleases(request, context))  # type: ignore[arg-type]
    except Ended as ended:
        return Answer(None, dict(context.metadata), ended.code(), ended.details(), details(ended))
    return Answer(reply, dict(context.metadata))


def quality(listed: release_pb2.ListedRelease) -> dict[str, float | None]:
    """The quality figures of a listed release, None where unset."""
    q = listed.quality
    return {name: getattr(q, name) if q.HasField(name) else None for name in SERVED_QUALITY}  # type: ignore[arg-type]


def test_every_release_is_listed_newest_first_and_build_folders_are_not_releases(data_dir: Path) -> None:
    answer = ask(data_dir)
    assert answer.code == grpc.StatusCode.OK
    assert list(answer.listed) == [NEWEST, BROKEN, SERVED, FIRST]


def test_current_and_the_served_release_are_named_and_marked_each_on_its_own_release(data_dir: Path) -> None:
    answer = ask(data_dir)
    assert answer.reply is not None
    assert (answer.reply.current, answer.reply.served) == (NEWEST, SERVED)
    marks = {v: (r.is_current, r.is_served) for v, r in answer.listed.items()}
    assert marks == {NEWEST: (True, False), BROKEN: (False, False), SERVED: (False, True), FIRST: (False, False)}
    assert answer.metadata == {RELEASE_KEY: SERVED}


def test_each_release_has_its_manifests_built_at_films_and_quality(data_dir: Path) -> None:
    listed = ask(data_dir).listed
    served, newest = listed[SERVED], listed[NEWEST]
    assert (served.built_at, served.films, served.error) == ("2026-12-01T15:22:08.318440+00:00", 4990, "")
    assert quality(served) == SERVED_QUALITY
    assert (newest.built_at, newest.films) == ("2026-12-15T08:00:00+00:00", 4700)
    assert quality(newest) == NEWEST_QUALITY


def test_a_quality_figure_not_measured_is_unset_and_one_measured_at_zero_is_zero(data_dir: Path) -> None:
    listed = ask(data_dir).listed
    assert quality(listed[FIRST]) == dict.fromkeys(SERVED_QUALITY)  # built without the model
    assert listed[FIRST].films == 4995 and listed[FIRST].error == ""
    assert listed[NEWEST].quality.HasField("collection_hit_at_5") and listed[NEWEST].quality.collection_hit_at_5 == 0


def test_a_release_with_a_data_report_lists_what_it_found_against_its_predecessor(data_dir: Path) -> None:
    listed = ask(data_dir).listed
    found = listed[SERVED].report
    assert listed[SERVED].HasField("report")
    assert (found.predecessor, found.flagged_figures, list(found.drifted_fields)) == (FIRST, 3, ["adult", "budget"])
    assert list(found.formats) == [release_pb2.REPORT_FORMAT_HTML, release_pb2.REPORT_FORMAT_JSON]
    assert not listed[FIRST].HasField("report")  # built before data reports


def test_a_report_lists_only_the_forms_its_manifest_names(tmp_path: Path) -> None:
    write(tmp_path, "V1", {"report": {"html": "report.html", "predecessor": None}})
    (listed,) = ask(tmp_path, served="V1").listed.values()
    assert list(listed.report.formats) == [release_pb2.REPORT_FORMAT_HTML] and listed.error == ""


def test_a_report_that_compared_nothing_has_no_predecessor_and_no_flagged_count(data_dir: Path) -> None:
    found = ask(data_dir).listed[NEWEST].report
    assert found.predecessor == "" and not found.HasField("flagged_figures") and not found.drifted_fields


def test_a_release_whose_manifest_cannot_be_read_is_listed_with_its_error_not_hidden(data_dir: Path) -> None:
    (data_dir / "releases" / "20261120T000000000Z-0e0e0e0e").mkdir()  # no manifest at all
    write(data_dir, "20261121T000000000Z-1e1e1e1e", json.dumps({"version": "someone-else"}))
    listed = ask(data_dir).listed
    broken = listed[BROKEN]
    assert broken.error.startswith("manifest.json: not valid JSON")
    assert (broken.built_at, broken.HasField("films"), broken.HasField("report")) == ("", False, False)
    assert quality(broken) == dict.fromkeys(SERVED_QUALITY)
    assert listed["20261120T000000000Z-0e0e0e0e"].error == "manifest.json: missing"
    assert listed["20261121T000000000Z-1e1e1e1e"].error == "manifest.json: names version someone-else, not its folder's"
    assert list(listed) == sorted(listed, reverse=True)


def test_figures_of_the_wrong_kind_are_left_unset_and_named_in_the_error(data_dir: Path) -> None:
    odd = "20261130T000000000Z-0dd0dd00"
    write(data_dir, odd, {"created_at": 20261130, "evaluation": {"films": "many"},
                          "model": model({"collection_hit_at_5": math.nan, "genre_jaccard_at_10": True,
                                          "recall_at_10": 0.97}),
                          "report": {"html": "report.html", "predecessor": FIRST, "flagged_figures": -1,
                                     "drifted_fields": "budget"}})  # fmt: skip
    listed = ask(data_dir).listed[odd]
    assert (listed.built_at, listed.HasField("films")) == ("", False)
    assert quality(listed) == {"collection_hit_at_5": None, "genre_jaccard_at_10": None, "recall_at_10": 0.97}
    assert listed.report.predecessor == FIRST and not listed.report.HasField("flagged_figures")
    assert listed.error == (
        "manifest.json: 'created_at' is 20261130, not a time; its count of films is 'many', not a count; "
        "quality figure collection_hit_at_5 is nan, not a number; quality figure genre_jaccard_at_10 is True, "
        "not a number; the report's flagged_figures is -1, not a count; the report's drifted_fields is 'budget', "
        "not a list of names"
    )


@pytest.mark.parametrize(("entry", "says"), [
    ({"evaluation": ["films", 8]}, "its 'evaluation' or 'model' entry is not an object"),
    ({"report": "report.html"}, "its 'report' entry is not an object"),
])  # fmt: skip
def test_an_entry_that_is_not_an_object_is_named_in_the_error(tmp_path: Path, entry: dict[str, Any], says: str) -> None:
    write(tmp_path, "V1", {"created_at": "2026-11-30T00:00:00+00:00", **entry})
    (listed,) = ask(tmp_path, served="V1").listed.values()
    assert listed.error == f"manifest.json: {says}" and listed.built_at == "2026-11-30T00:00:00+00:00"


def test_only_the_manifests_are_read(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real_open = Path.open

    def noting(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", noting)
    assert len(ask(data_dir).listed) == 4
    assert opened and set(opened) == {"manifest.json"}


def test_the_limit_lists_the_newest_releases(data_dir: Path) -> None:
    answer = ask(data_dir, limit=2)
    assert list(answer.listed) == [NEWEST, BROKEN]
    assert answer.reply is not None and answer.reply.served == SERVED  # named even when not listed


def test_without_a_limit_the_default_number_is_listed(tmp_path: Path) -> None:
    names = [f"2026{i:04d}T000000000Z-0000{i:04d}" for i in range(DEFAULT_RELEASES_LISTED + 2)]
    for name in names:
        write(tmp_path, name, {"created_at": "2026-01-01T00:00:00+00:00"})
    assert list(ask(tmp_path, served=names[0]).listed) == sorted(names, reverse=True)[:DEFAULT_RELEASES_LISTED]
    assert len(ask(tmp_path, MAX_RELEASES_LISTED, served=names[0]).listed) == len(names)


@pytest.mark.parametrize("limit", [-1, MAX_RELEASES_LISTED + 1, 2**31 - 1])
def test_a_limit_outside_its_range_is_invalid_argument_naming_the_rule(data_dir: Path, limit: int) -> None:
    answer = ask(data_dir, limit)
    assert answer.code == grpc.StatusCode.INVALID_ARGUMENT and answer.reply is None
    assert answer.message == f"limit must be between 1 and 500 (0 or unset lists 50), got {limit}"
    assert answer.details is not None and answer.details.reason == "INVALID_QUERY"


def test_a_data_folder_without_releases_lists_none(tmp_path: Path) -> None:
    answer = ask(tmp_path / "nowhere")
    assert answer.reply is not None and list(answer.reply.releases) == []
    assert (answer.reply.current, answer.reply.served) == ("", SERVED)


def test_a_current_that_is_not_a_link_names_no_release(data_dir: Path) -> None:
    (data_dir / "current").unlink()
    (data_dir / "current").mkdir()
    answer = ask(data_dir)
    assert answer.reply is not None and answer.reply.current == ""
    assert not any(r.is_current for r in answer.reply.releases) and len(answer.reply.releases) == 4


def test_before_its_release_is_loaded_the_service_answers_unavailable(data_dir: Path) -> None:
    answer = ask(data_dir, served=None)
    assert answer.code == grpc.StatusCode.UNAVAILABLE and answer.metadata == {}


def test_the_manifests_are_read_in_the_work_pool_and_the_call_is_logged(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    threads = []
    read = listing.list_releases

    def noting(*args: Any) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return read(*args)

    monkeypatch.setattr(listing, "list_releases", noting)
    monkeypatch.setattr(WORK, "pool", ThreadPoolExecutor(1, thread_name_prefix="work"))
    try:
        with caplog.at_level(logging.INFO, logger="marquee.rpc"):
            assert len(ask(data_dir).listed) == 4
            ask(data_dir, -1)
    finally:
        WORK.pool.shutdown()  # type: ignore[union-attr]
    assert len(threads) == 2 and all(name.startswith("work") for name in threads)
    calls = [(r.method, r.code) for r in caplog.records if r.getMessage() == "call"]  # type: ignore[attr-defined]
    assert calls == [("ListReleases", "OK"), ("ListReleases", "INVALID_ARGUMENT")]
