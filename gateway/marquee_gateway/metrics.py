"""Prometheus metrics and the JSON access log, recorded by one ASGI middleware.

- `marquee_gateway_requests_total{method, route, status}`: `route` is the route template
  (`/v1/movies/{movie_id}`), so a metric never has one series per film; "unmatched" when no
  route matched.
- `marquee_gateway_request_duration_seconds{route}`: latency histogram.
- `marquee_gateway_upstream_errors_total{upstream, code}`: failed gRPC calls.
- `marquee_gateway_cache_total{result}`: answers served from the cache (hit) or not (miss).
- `marquee_gateway_upstream_release{upstream, address, version}`: 1 for the release each replica
  serves, as the release watcher last saw it (releases.py).
- `marquee_gateway_upstream_failed_swaps{upstream, address}`: releases each replica refused to
  swap to since it started (it keeps serving the one it had).

With several worker processes (GATEWAY_WORKERS > 1) `main` sets PROMETHEUS_MULTIPROC_DIR and
`/metrics` adds up every worker's figures.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marquee_common.logs import emit

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
LOG_FIELD_MAX = 512
"""Characters of a request's path or query kept in its access-log line (the rest is cut, with "...")."""
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
"""Polled every few seconds by orchestrators: logged at debug level only."""

access_log = logging.getLogger("marquee.gateway.access")


class Metrics:
    """The gateway's metrics, in a registry of their own (one per app, so tests stay apart)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.requests = Counter(
            "marquee_gateway_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "marquee_gateway_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "marquee_gateway_upstream_errors",
            "gRPC calls to an upstream that ended with a non-OK status, by upstream and status",
            ["upstream", "code"],
            registry=self.registry,
        )
        self.cache = Counter(
            "marquee_gateway_cache",
            "Answers looked up in the gateway's cache, by result (hit, miss)",
            ["result"],
            registry=self.registry,
        )

        self.upstream_release = Gauge(
            "marquee_gateway_upstream_release",
            "1 for the release each upstream replica serves, as last asked (GetReleaseInfo)",
            ["upstream", "address", "version"],
            registry=self.registry,
            multiprocess_mode="max",
        )
        self.failed_swaps = Gauge(
            "marquee_gateway_upstream_failed_swaps",
            "Releases an upstream replica refused to swap to since it started",
            ["upstream", "address"],
            registry=self.registry,
            multiprocess_mode="max",
        )
        self._releases: set[tuple[str, str, str]] = set()

    def replicas(self, upstream: str, seen: list[tuple[str, str | None, int]]) -> None:
        """The watcher's last look at `upstream`: (address, version, failed swaps) per replica."""
        now = {(upstream, address, version) for address, version, _ in seen if version}
        for labels in {labels for labels in self._releases if labels[0] == upstream} - now:  # gone since
            self.upstream_release.remove(*labels)
            self._releases.discard(labels)
        for labels in now:
            self.upstream_release.labels(*labels).set(1)
            self._releases.add(labels)
        for address, _, failed in seen:
            self.failed_swaps.labels(upstream, address).set(failed)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """One answered request. The labelled children are kept: `labels()` costs more than counting."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(route),
            )
        children[0].inc()
        children[1].observe(seconds)

    def upstream_error(self, upstream: str, code: str) -> None:
        self.upstream_errors.labels(upstream, code).inc()

    def exposition(self) -> bytes:
        """The text format, summed over worker processes when there are several."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def clip(text: str, limit: int = LOG_FIELD_MAX) -> str:
    """`text`, cut to `limit` characters: a 60 KB query must not make a 60 KB log line.

    >>> clip("x" * 600)[-20:]
    'xxxxx... (600 chars)'
    """
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) else "unmatched"


class ObserveMiddleware:
    """Counts and times every HTTP request and writes one JSON access-log line for it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            elapsed = time.perf_counter() - start
            route = route_template(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            path = scope["path"]
            level = logging.DEBUG if path in PROBES else logging.INFO
            client = scope.get("client")
            emit(access_log, level, "request", {
                "method": scope["method"],
                "path": clip(path),
                "query": clip(scope.get("query_string", b"").decode("latin-1")),
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 3),
                "client": f"{client[0]}:{client[1]}" if client else None,
            })  # fmt: skip
