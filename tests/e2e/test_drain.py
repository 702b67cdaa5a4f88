"""Stopping loses nothing: SIGTERM to a service finishes every call it accepted, and one replica of
each service can be stopped under load with no failed request. Real processes on 127.0.0.1."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from marquee.v1 import recommender_pb2_grpc
from tests.e2e.conftest import Load
from tests.harness import RunningGateway, RunningService, heavy_batch

pytestmark = pytest.mark.slow
PARTS = (
    ("marquee_catalog", "CATALOG", "marquee.v1.CatalogService"),
    ("marquee_recommender", "RECOMMENDER", "marquee.v1.RecommenderService"),
)


def test_sigterm_finishes_every_call_already_accepted(sample_data_dir: Path, tmp_path: Path) -> None:
    service = RunningService("marquee_recommender", "RECOMMENDER", sample_data_dir, "marquee.v1.RecommenderService",
                             tmp_path / "recommender.log")  # fmt: skip
    batch = heavy_batch()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    with grpc.insecure_channel(service.target) as channel:
        stub = recommender_pb2_grpc.RecommenderServiceStub(channel)

        def call() -> None:
            try:
                reply = stub.BatchRecommend(batch, timeout=30)
                outcome = "OK" if len(reply.results) == 100 else f"{len(reply.results)} results"
            except grpc.RpcError as exc:
                outcome = exc.code().name
            with lock:
                outcomes[outcome] += 1

        threads = [threading.Thread(target=call) for _ in range(16)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)  # all 16 sent and accepted; most still running
        service.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(60)
    assert outcomes == Counter({"OK": 16})
    assert service.process.wait(30) == 0
    messages = [line for line in service.log_lines() if '"msg": "stopping"' in line]
    assert messages and '"in_flight": 0' not in messages[0], "the calls were over before the server stopped"


@pytest.fixture
def replicas(fixture_data_dir: Path, tmp_path: Path) -> Iterator[tuple[list[RunningService], RunningGateway]]:
    services = []
    try:
        for n in range(2):
            for module, prefix, name in PARTS:
                services.append(RunningService(module, prefix, fixture_data_dir, name, tmp_path / f"{module}-{n}.log"))
        targets = {
            "GATEWAY_CATALOG_TARGET": "ipv4:" + ",".join(s.target for s in services[0::2]),
            "GATEWAY_RECOMMENDER_TARGET": "ipv4:" + ",".join(s.target for s in services[1::2]),
        }
        gateway = RunningGateway(services[0], services[1], tmp_path / "gateway.log", GATEWAY_CACHE_TTL_S="0",
                                 **targets)  # fmt: skip
        try:
            yield services, gateway
        finally:
            gateway.stop()
    finally:
        for service in services:
            service.stop()


def test_stopping_one_replica_of_each_service_under_load_fails_no_request(replicas) -> None:
    services, gateway = replicas
    paths = ["/v1/movies/1", "/v1/movies/1/similar", "/v1/titles/Alpha/votes", "/recomendacion/Alpha%20II",
             "/v1/movies/2"]  # fmt: skip
    with Load(gateway.url, paths, connections=16, max_seconds=60) as load:
        time.sleep(1.5)
        for stopping in (services[0], services[1]):  # a catalog, then a recommender
            stopping.process.send_signal(signal.SIGTERM)
            assert stopping.process.wait(20) == 0
            time.sleep(1.5)
    failed = [a for a in load.answers if a.status != 200]
    assert len(load.answers) > 200
    assert failed == [], failed[:5]
    # The survivors answered after their twins stopped.
    for survivor in (services[2], services[3]):
        assert sum('"msg": "call"' in line for line in survivor.log_lines()) > 10


def test_sigterm_to_the_gateway_answers_every_request_it_accepted(fixture_data_dir: Path, tmp_path: Path) -> None:
    catalog = RunningService(*PARTS[0][:2], fixture_data_dir, PARTS[0][2], tmp_path / "catalog.log")
    recommender = RunningService(*PARTS[1][:2], fixture_data_dir, PARTS[1][2], tmp_path / "recommender.log")
    try:
        gateway = RunningGateway(catalog, recommender, tmp_path / "gateway.log", GATEWAY_CACHE_TTL_S="0",
                                 GATEWAY_DRAIN_S="1")  # fmt: skip
        paths = ["/v1/recommendations?text=alpha%20collection%20story&limit=5", "/v1/movies/1/similar",
                 "/v1/titles/Alpha/votes"]  # fmt: skip
        with Load(gateway.url, paths, connections=16, max_seconds=30) as load:
            time.sleep(1.5)
            signalled = time.monotonic()
            gateway.process.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            ready = httpx.get(f"{gateway.url}/readyz", timeout=5)
            assert gateway.process.wait(20) == 0
        assert ready.status_code == 503 and "draining" in ready.json()["error"]["message"]
        before = [a for a in load.answers if a.started < signalled + 0.8]  # sent before or while it drained
        assert len(before) > 50
        assert [a for a in before if a.status != 200] == []
    finally:
        recommender.stop()
        catalog.stop()
