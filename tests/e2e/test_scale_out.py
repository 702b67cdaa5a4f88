"""A replica added under load gets its share: servers close connections after a maximum age, the
gateway's channel then resolves the name again and finds the new replica. Real processes: two
catalogs on 127.0.0.2 and 127.0.0.3 behind one name served by a test DNS server (tests/e2e/dns.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Load
from tests.e2e.dns import TinyDNS
from tests.harness import RunningGateway, RunningService, free_port

pytestmark = pytest.mark.slow
AGE_S = "3"  # the servers' maximum connection age for this test (30 s by default)


def calls(service: RunningService) -> int:
    return sum('"msg": "call"' in line for line in service.log_lines())


def test_a_replica_added_under_load_gets_requests_within_a_minute(fixture_data_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    dns = TinyDNS("replicas.test", ["127.0.0.2"])
    parts: list[RunningService | RunningGateway] = []
    try:
        first = RunningService("marquee_catalog", "CATALOG", fixture_data_dir, "marquee.v1.CatalogService",
                               tmp_path / "catalog-1.log", host="127.0.0.2", port=port,
                               MAX_CONNECTION_AGE_S=AGE_S)  # fmt: skip
        parts.append(first)
        recommender = RunningService("marquee_recommender", "RECOMMENDER", fixture_data_dir,
                                     "marquee.v1.RecommenderService", tmp_path / "recommender.log")  # fmt: skip
        parts.append(recommender)
        gateway = RunningGateway(first, recommender, tmp_path / "gateway.log", GATEWAY_CACHE_TTL_S="0",
                                 GATEWAY_CATALOG_TARGET=f"dns://127.0.0.1:{dns.port}/replicas.test:{port}")  # fmt: skip
        parts.append(gateway)
        with Load(gateway.url, ["/v1/movies/1", "/v1/titles/Alpha/votes", "/v1/movies/2"], 8, 120) as load:
            time.sleep(2)
            second = RunningService("marquee_catalog", "CATALOG", fixture_data_dir, "marquee.v1.CatalogService",
                                    tmp_path / "catalog-2.log", host="127.0.0.3", port=port,
                                    MAX_CONNECTION_AGE_S=AGE_S)  # fmt: skip
            parts.append(second)
            dns.addresses = ["127.0.0.2", "127.0.0.3"]
            added = time.monotonic()
            while calls(second) < 20 and time.monotonic() - added < 60:
                time.sleep(0.2)
            took = time.monotonic() - added
            before = calls(first), calls(second)
            time.sleep(2)
            after = calls(first), calls(second)
        assert calls(second) >= 20, f"the new replica got {calls(second)} calls in 60 s"
        # From then on both replicas share the requests.
        assert after[0] > before[0] and after[1] > before[1]
        failed = [a for a in load.answers if a.status != 200]
        assert failed == [], failed[:3]
        assert took < 60
    finally:
        for part in reversed(parts):
            part.stop()
        dns.close()
