"""A new release reaches every replica under load, with no failed request: build, promote, roll
back, promote again, with two replicas of each service behind the gateway and 16 connections
sending requests throughout. Real processes on 127.0.0.1, the bundled real sample."""

from __future__ import annotations

import csv
import gzip
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Load
from tests.harness import ROOT, RunningGateway, RunningService, etl

pytestmark = pytest.mark.slow

SAMPLE = ROOT / "data" / "sample"
POLL_S = "0.5"
MAX_SECONDS = 240  # the whole scenario; each wait has its own bound below
PATHS = ("/v1/movies/862", "/v1/model", "/v1/movies/862/similar", "/recomendacion/Toy%20Story", "/v1/movies/949")
CONNECTIONS = 16


def raw_with_votes(folder: Path, votes_of_toy_story: int) -> int:
    """The bundled sample with Toy Story's vote count set; returns the count it had."""
    folder.mkdir()
    (folder / "credits.csv.gz").write_bytes((SAMPLE / "credits.csv.gz").read_bytes())
    rows = list(csv.reader(io.StringIO(gzip.decompress((SAMPLE / "movies_metadata.csv.gz").read_bytes()).decode())))
    header = rows[0]
    before = 0
    for row in rows[1:]:
        if len(row) == len(header) and row[header.index("id")] == "862":
            before = int(float(row[header.index("vote_count")]))
            row[header.index("vote_count")] = str(votes_of_toy_story)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / "movies_metadata.csv").write_text(out.getvalue(), encoding="utf-8")
    return before


def current(data_dir: Path) -> str:
    return Path(os.readlink(data_dir / "current")).name


def releases_of(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(";") if part.strip())


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Path, RunningGateway, dict[str, int], Path]]:
    """Release A (the sample as it is) current; two catalogs, two recommenders, a gateway."""
    data_dir = tmp_path / "data"
    raw_a, raw_b = tmp_path / "raw-a", tmp_path / "raw-b"
    votes_a = raw_with_votes(raw_a, 5415)
    assert votes_a == 5415  # Toy Story's vote count in Kaggle's file
    raw_with_votes(raw_b, 6415)
    built = etl("--raw", str(raw_a), "--out", str(data_dir))
    assert built.returncode == 0, built.stderr
    services: list[RunningService] = []
    try:
        for n in range(2):
            services.append(RunningService("marquee_catalog", "CATALOG", data_dir, "marquee.v1.CatalogService",
                                           tmp_path / f"catalog-{n}.log", RELEASE_POLL_S=POLL_S))  # fmt: skip
            services.append(RunningService("marquee_recommender", "RECOMMENDER", data_dir,
                                           "marquee.v1.RecommenderService", tmp_path / f"recommender-{n}.log",
                                           RELEASE_POLL_S=POLL_S))  # fmt: skip
        catalogs = ",".join(s.target for s in services[0::2])
        recommenders = ",".join(s.target for s in services[1::2])
        targets = {"GATEWAY_CATALOG_TARGET": f"ipv4:{catalogs}", "GATEWAY_RECOMMENDER_TARGET": f"ipv4:{recommenders}"}
        gateway = RunningGateway(services[0], services[1], tmp_path / "gateway.log", GATEWAY_RELEASE_POLL_S=POLL_S,
                                 **targets)  # fmt: skip
        try:
            yield data_dir, gateway, {current(data_dir): 5415}, raw_b
        finally:
            assert gateway.stop() == 0
    finally:
        for service in services:
            service.stop()


def wait_until_all_serve(api: httpx.Client, version: str, since: float) -> float:
    """Seconds from `since` until /v1/releases shows every replica of both services on `version`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        view = api.get("/v1/releases").json()
        replicas = [r for u in view["upstreams"].values() for r in u["replicas"]]
        if view["agree"] and len(replicas) == 4 and all(r["version"] == version for r in replicas):
            return time.monotonic() - since
        time.sleep(0.05)
    raise AssertionError(f"replicas not all on {version} after 60 s: {view}")


def say(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """The switch times are part of what this test shows: printed even when pytest captures output."""
    with capsys.disabled():
        print(line)  # noqa: T201


def test_every_replica_switches_under_load_with_no_failed_request(stack, capsys) -> None:
    data_dir, gateway, votes, raw_b = stack
    (version_a,) = votes
    steady: list[tuple[str, float, float]] = []  # (version, from, to): every replica serving it, nothing moving
    with (
        httpx.Client(base_url=gateway.url, timeout=10) as api,
        Load(gateway.url, PATHS, CONNECTIONS, MAX_SECONDS) as load,
    ):
        time.sleep(1)
        started = time.monotonic()
        built = etl("--raw", str(raw_b), "--out", str(data_dir))
        assert built.returncode == 0, built.stdout + built.stderr
        version_b = current(data_dir)
        assert version_b != version_a
        votes[version_b] = 6415
        took = wait_until_all_serve(api, version_b, started)
        steady.append((version_b, time.monotonic(), time.monotonic() + 2))
        time.sleep(2)
        say(capsys, f"\nbuild + promote {version_b}: every replica serving it {took:.2f} s after the build started")

        for what, args, version in (("rollback", ("rollback",), version_a),
                                    ("promote", ("promote", version_b), version_b)):  # fmt: skip
            started = time.monotonic()
            moved = etl("releases", "--out", str(data_dir), *args)
            assert moved.returncode == 0, moved.stderr
            assert current(data_dir) == version
            took = wait_until_all_serve(api, version, started)
            steady.append((version, time.monotonic(), time.monotonic() + 2))
            time.sleep(2)
            say(capsys, f"{what} to {version}: every replica serving it {took:.2f} s after the command")

    answers = load.answers
    failed = [a for a in answers if a.status != 200]
    say(capsys, f"{len(answers)} requests over {CONNECTIONS} connections, {len(failed)} failed")
    assert failed == []
    for answer in answers:
        served = releases_of(answer.header)
        assert served, f"{answer.path} answered without X-Marquee-Release"
        assert set(served.values()) <= {version_a, version_b}
        if answer.path == "/v1/movies/862":
            assert answer.body["vote_count"] == votes[served["catalog"]], answer
        if answer.path == "/v1/model":
            assert answer.body["release_version"] == served["recommender"], answer
    # Once every replica serves a release, no answer (cached or not) comes from another one.
    for version, start, end in steady:
        inside = [a for a in answers if start < a.started < end]
        assert inside, "no request was answered in that window"
        assert all(set(releases_of(a.header).values()) == {version} for a in inside)
    # The replicas' own record: one swap each way, none refused.
    view = httpx.get(f"{gateway.url}/v1/releases").json()
    for upstream in view["upstreams"].values():
        for replica in upstream["replicas"]:
            assert replica["swaps"] == 3 and replica["failed_swaps"] == 0, replica
