"""Bounded work: heavy calls run off the event loop, calls beyond the limit are refused at once with
RESOURCE_EXHAUSTED (429 with Retry-After at the gateway), and health keeps answering."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from marquee.v1 import recommender_pb2_grpc
from tests.harness import RunningService, heavy_batch

pytestmark = pytest.mark.slow
LIMIT = 4


def test_calls_beyond_the_limit_are_refused_and_health_still_answers(sample_data_dir: Path, tmp_path: Path) -> None:
    limits = {"MAX_CONCURRENT_RPCS": str(LIMIT), "WORK_THREADS": "2"}
    service = RunningService("marquee_recommender", "RECOMMENDER", sample_data_dir, "marquee.v1.RecommenderService",
                             tmp_path / "recommender.log", **limits)  # fmt: skip
    batch = heavy_batch()
    outcomes: Counter[str] = Counter()
    messages: list[str] = []
    lock = threading.Lock()
    health_answers: list[int] = []
    try:
        with grpc.insecure_channel(service.target) as channel:
            stub = recommender_pb2_grpc.RecommenderServiceStub(channel)
            health = health_pb2_grpc.HealthStub(channel)

            def call() -> None:
                try:
                    stub.BatchRecommend(batch, timeout=60)
                    outcome = "OK"
                except grpc.RpcError as exc:
                    outcome = exc.code().name
                    with lock:
                        messages.append(exc.details() or "")
                with lock:
                    outcomes[outcome] += 1

            threads = [threading.Thread(target=call) for _ in range(3 * LIMIT)]
            for thread in threads:
                thread.start()
            while any(thread.is_alive() for thread in threads):
                # Health is asked with a deadline of one second while the heavy calls run.
                reply = health.Check(health_pb2.HealthCheckRequest(service="marquee.v1.RecommenderService"), timeout=1)
                health_answers.append(reply.status)
                time.sleep(0.05)
            for thread in threads:
                thread.join()
    finally:
        service.stop()
    assert outcomes["OK"] >= LIMIT and outcomes["RESOURCE_EXHAUSTED"] >= 1
    assert set(outcomes) == {"OK", "RESOURCE_EXHAUSTED"}
    assert f"the service is at its limit of {LIMIT} calls in flight; retry shortly" in messages
    assert health_answers and set(health_answers) == {health_pb2.HealthCheckResponse.SERVING}
