"""Liveness, readiness, metrics, access logs, settings and channel configuration of the gateway."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

import grpc
import pytest

from marquee_gateway.cache import Entry, ResponseCache
from marquee_gateway.clients import channel_options, service_config
from marquee_gateway.config import GatewaySettings
from tests.harness import free_port
from tests.unit.gateway_fakes import Fakes, gateway_client, http_client

if TYPE_CHECKING:
    from starlette.testclient import TestClient


def test_healthz_answers_without_asking_the_upstreams(client: TestClient, fakes: Fakes) -> None:
    fakes.catalog_health.error = grpc.StatusCode.UNAVAILABLE
    assert client.get("/healthz").json() == {"status": "ok"}
    assert fakes.catalog_health.asked == []


def test_readyz_is_200_when_both_upstreams_report_serving(client: TestClient, fakes: Fakes) -> None:
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.json() == {
        "status": "ready",
        "upstreams": {"catalog": "SERVING", "recommender": "SERVING"},
        "releases": {"catalog": ["20260101T000000000Z-fake"], "recommender": ["20260101T000000000Z-fake"]},
    }
    assert fakes.catalog_health.asked == ["marquee.v1.CatalogService"]
    assert fakes.recommender_health.asked == ["marquee.v1.RecommenderService"]


def test_readyz_is_503_with_the_error_body_when_an_upstream_is_down(client: TestClient, fakes: Fakes) -> None:
    fakes.recommender_health.error = grpc.StatusCode.UNAVAILABLE
    reply = client.get("/readyz")
    assert reply.status_code == 503
    assert reply.json() == {
        "error": {"code": "UNAVAILABLE", "message": "not ready: recommender UNAVAILABLE", "suggestions": []}
    }


def test_readyz_is_503_while_an_upstream_is_still_loading(client: TestClient, fakes: Fakes) -> None:
    fakes.catalog_health.status = "NOT_SERVING"
    reply = client.get("/readyz")
    assert reply.status_code == 503
    assert reply.json()["error"]["message"] == "not ready: catalog NOT_SERVING"


def test_readyz_is_503_over_real_channels_when_nothing_listens() -> None:
    from marquee_gateway.main import create_app

    settings = GatewaySettings(
        catalog_target=f"dns:///127.0.0.1:{free_port()}",
        recommender_target=f"dns:///127.0.0.1:{free_port()}",
        deadline_s=1.0,
    )
    with http_client(create_app(settings)) as client:
        reply = client.get("/readyz")
        assert reply.status_code == 503
        assert "catalog UNAVAILABLE" in reply.json()["error"]["message"]
        movie = client.get("/v1/movies/862")
        assert movie.status_code == 503 and movie.json()["error"]["code"] == "UNAVAILABLE"


def test_metrics_count_requests_by_route_template_and_status(client: TestClient, fakes: Fakes) -> None:
    client.get("/v1/movies/862")
    client.get("/v1/movies/949")
    client.get("/v1/movies/6")
    client.get("/no/such/route")
    fakes.catalog.fail_with("*", grpc.StatusCode.UNAVAILABLE)
    client.get("/v1/titles/Heat/votes")
    text = client.get("/metrics").text
    assert 'marquee_gateway_requests_total{method="GET",route="/v1/movies/{movie_id}",status="200"} 2.0' in text
    assert 'marquee_gateway_requests_total{method="GET",route="/v1/movies/{movie_id}",status="404"} 1.0' in text
    assert 'marquee_gateway_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'marquee_gateway_upstream_errors_total{code="NOT_FOUND",upstream="catalog"} 1.0' in text
    assert 'marquee_gateway_upstream_errors_total{code="UNAVAILABLE",upstream="catalog"} 1.0' in text
    assert 'marquee_gateway_request_duration_seconds_bucket{le="0.05",route="/v1/movies/{movie_id}"}' in text


def test_each_request_writes_one_json_access_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="marquee.gateway.access"):
        client.get("/v1/titles/Heat/votes?year=1995")
    [record] = [r for r in caplog.records if r.name == "marquee.gateway.access"]
    assert (record.method, record.path, record.query, record.route, record.status) == (
        "GET",
        "/v1/titles/Heat/votes",
        "year=1995",
        "/v1/titles/{title}/votes",
        200,
    )
    assert record.duration_ms >= 0


def test_probes_are_logged_at_debug_level_only(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="marquee.gateway.access"):
        client.get("/healthz")
        client.get("/readyz")
    assert [r for r in caplog.records if r.name == "marquee.gateway.access"] == []


def test_the_root_is_the_web_page_which_links_the_api_documentation_still_at_docs(client: TestClient) -> None:
    reply = client.get("/", follow_redirects=False)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in reply.text
    assert "swagger" in client.get("/docs").text.lower()


def test_settings_come_from_gateway_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "8081")
    monkeypatch.setenv("GATEWAY_CATALOG_TARGET", "dns:///catalog:50051")
    monkeypatch.setenv("GATEWAY_RECOMMENDER_TARGET", "dns:///recommender:50052")
    monkeypatch.setenv("GATEWAY_DEADLINE_S", "0.5")
    settings = GatewaySettings()
    assert (settings.port, settings.catalog_target, settings.recommender_target, settings.deadline_s) == (
        8081,
        "dns:///catalog:50051",
        "dns:///recommender:50052",
        0.5,
    )


def test_settings_defaults_match_the_compose_file_and_make_run() -> None:
    settings = GatewaySettings()
    assert (settings.host, settings.port, settings.deadline_s) == ("0.0.0.0", 8000, 2.0)
    assert settings.catalog_target == "dns:///127.0.0.1:50051"
    assert settings.recommender_target == "dns:///127.0.0.1:50052"


def test_channels_spread_calls_round_robin_and_retry_only_unavailable() -> None:
    config = json.loads(service_config("marquee.v1.CatalogService", 3))
    assert config["loadBalancingConfig"] == [{"round_robin": {}}]
    [method] = config["methodConfig"]
    assert method["name"] == [{"service": "marquee.v1.CatalogService"}]
    assert method["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert method["retryPolicy"]["maxAttempts"] == 3
    options = dict(channel_options("marquee.v1.CatalogService", 3))
    assert options["grpc.enable_retries"] == 1
    assert json.loads(options["grpc.service_config"]) == config


def test_one_attempt_means_no_retry_policy() -> None:
    assert "methodConfig" not in json.loads(service_config("marquee.v1.CatalogService", 1))


def test_a_repeated_get_is_answered_from_the_cache_without_asking_the_upstream(
    client: TestClient, fakes: Fakes
) -> None:
    first = client.get("/v1/movies/862")
    second = client.get("/v1/movies/862")
    assert second.json() == first.json() and second.headers["content-type"] == "application/json"
    assert [c[0] for c in fakes.catalog.calls] == ["GetMovie"]
    assert second.headers["cache-control"] == "public, max-age=60"
    text = client.get("/metrics").text
    assert 'marquee_gateway_cache_total{result="hit"} 1.0' in text
    assert 'marquee_gateway_requests_total{method="GET",route="/v1/movies/{movie_id}",status="200"} 2.0' in text


def test_not_found_is_kept_but_an_unavailable_upstream_is_asked_again(client: TestClient, fakes: Fakes) -> None:
    assert client.get("/v1/movies/6").status_code == 404
    assert client.get("/v1/movies/6").status_code == 404
    fakes.catalog.fail_with("*", grpc.StatusCode.UNAVAILABLE)
    assert client.get("/v1/titles/Heat/votes").status_code == 503
    fakes.catalog.failures.clear()
    assert client.get("/v1/titles/Heat/votes").status_code == 200
    assert [c[0] for c in fakes.catalog.calls] == ["GetMovie", "GetTitleVotes", "GetTitleVotes"]


def test_readiness_is_never_answered_from_the_cache(client: TestClient, fakes: Fakes) -> None:
    assert client.get("/readyz").status_code == 200
    fakes.catalog_health.status = "NOT_SERVING"
    assert client.get("/readyz").status_code == 503


def test_cached_answers_expire_after_the_ttl(fakes: Fakes) -> None:
    with gateway_client(fakes, cache_ttl_s=0.2) as client:
        client.get("/v1/titles/Heat/votes")
        client.get("/v1/titles/Heat/votes")
        time.sleep(0.3)
        client.get("/v1/titles/Heat/votes")
    assert len(fakes.catalog.calls) == 2


def test_a_ttl_of_zero_turns_the_cache_off(fakes: Fakes) -> None:
    with gateway_client(fakes, cache_ttl_s=0) as client:
        client.get("/v1/titles/Heat/votes")
        reply = client.get("/v1/titles/Heat/votes")
    assert len(fakes.catalog.calls) == 2 and "cache-control" not in reply.headers


def test_the_least_recently_used_answer_leaves_a_full_cache_first() -> None:
    cache = ResponseCache(size=2, ttl_s=60)
    for key in (b"a", b"b"):
        cache.put(Entry(key, 200, [], key, None))
    assert cache.get(b"a") is not None  # now b is the least recently used
    cache.put(Entry(b"c", 200, [], b"c", None))
    assert cache.get(b"b") is None and cache.get(b"a") is not None and cache.get(b"c") is not None


def test_unknown_query_parameters_neither_reach_the_cache_key_nor_flood_it(fakes: Fakes) -> None:
    with gateway_client(fakes) as client:
        for n in range(50):
            reply = client.get("/v1/movies/862", params={"pad": f"{n}-" + "x" * 2000})
            assert reply.status_code == 200
        cache = client.app.state.cache  # type: ignore[attr-defined]
        assert len(cache) == 1
        # Declared parameters still make their own entries, in any order.
        client.get("/v1/titles/Heat/votes", params={"year": "1995"})
        client.get("/v1/titles/Heat/votes?year=1995&pad=1")
    assert [c[0] for c in fakes.catalog.calls] == ["GetMovie", "GetTitleVotes"]


def test_the_cache_is_bounded_in_bytes_and_sweeps_expired_entries() -> None:
    cache = ResponseCache(size=1000, ttl_s=0.05, max_bytes=10_000)
    body = b"x" * 1000
    for n in range(30):
        cache.put(Entry(f"/k{n}".encode(), 200, [], body, None))
    # Each entry weighs its key (3-4 bytes), its body (1,000) and ENTRY_OVERHEAD (256): 7 fit in 10,000.
    assert len(cache) == 7 and cache.currsize <= 10_000
    assert list(cache)[-1] == b"/k29"
    time.sleep(0.06)
    cache.put(Entry(b"/fresh", 200, [], b"{}", None))  # a put after the TTL drops the expired entries
    assert list(cache) == [b"/fresh"] and cache.currsize == len(b"/fresh") + 2 + 256
    cache.put(Entry(b"/huge", 200, [], b"x" * 10_000, None))  # heavier than the whole cache: not kept
    assert b"/huge" not in cache and list(cache) == [b"/fresh"]


def test_a_huge_query_makes_a_short_access_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="marquee.gateway.access"):
        client.get("/v1/movies/862", params={"pad": "y" * 60_000})
    [record] = [r for r in caplog.records if r.name == "marquee.gateway.access"]
    assert record.query == "pad=" + "y" * 508 + "... (60004 chars)"  # type: ignore[attr-defined]
