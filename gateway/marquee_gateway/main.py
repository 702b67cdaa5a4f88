"""Wires the gateway: `create_app(settings)`, and `main()` running it under uvicorn."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import metadata
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from marquee_common.logs import configure as configure_logs
from marquee_gateway import clients, docs, errors, web
from marquee_gateway.cache import CacheMiddleware, ResponseCache, RouteKeys
from marquee_gateway.config import GatewaySettings
from marquee_gateway.connections import GuardedProtocol
from marquee_gateway.methods import ImplicitMethodsMiddleware
from marquee_gateway.metrics import Metrics, ObserveMiddleware
from marquee_gateway.protocol import LimitedHttpToolsProtocol
from marquee_gateway.releases import ReleaseHeaderMiddleware, ReleaseWatcher
from marquee_gateway.routes import ROUTERS

DESCRIPTION = """\
Marquee's REST/JSON API over its gRPC services (catalog and recommender).

Errors always answer `{"error": {"code", "message", "suggestions"}}`: 404 NOT_FOUND (nothing in the
served release matches; close names in `suggestions`), 422 INVALID_ARGUMENT (the request breaks a rule
this document states), 400 FAILED_PRECONDITION, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, 502 for any
other upstream failure; 414 and 431 for a URL or headers over the gateway's limits, 400 for a request
that is not HTTP, 405 for a method a route does not answer (every route answers GET, HEAD and OPTIONS).
"""


def _version() -> str:
    try:
        return metadata.version("marquee-gateway")
    except metadata.PackageNotFoundError:
        return "0.0.0"


class Gateway(FastAPI):
    """FastAPI with `outer` layers wrapped around its whole middleware stack, error handling included.

    The answer cache and the request log sit there: a cached answer then skips FastAPI's own
    layers (its error and telemetry middleware too), and the log still sees every answer, a 500 too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outer: list[Callable[[ASGIApp], ASGIApp]] = []  # innermost first

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for layer in self.outer:
            app = layer(app)
        return app


def create_app(settings: GatewaySettings, connect: clients.Connector = clients.connect) -> FastAPI:
    """The FastAPI app; its lifespan opens one gRPC channel per upstream and closes them."""
    metrics = Metrics()
    watcher = ReleaseWatcher(settings.release_poll_s, settings.deadline_s, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upstreams = upstreams = connect(settings, metrics)
        watcher.start([upstreams.catalog, upstreams.recommender])
        # Everything made so far (modules, routes, models) lives as long as the process: keep it out
        # of the garbage collector's full passes, which otherwise pause a busy gateway now and then.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await watcher.close()
            await app.state.upstreams.close()

    app = Gateway(
        title="Marquee",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url=None,  # docs.py serves /docs and /redoc without a CDN
        redoc_url=None,
        # Our metrics are Prometheus' (metrics.py); FastAPI's OpenTelemetry hooks would only cost
        # time on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.releases = watcher
    app.state.draining = False
    errors.install(app)
    docs.install(app)
    for router in ROUTERS:
        # Straight into the app's own router rather than include_router(): FastAPI matches an
        # included router's routes a second time inside it, on every request.
        app.router.routes.extend(router.routes)
    app.state.site = web.install(app)  # the web page: after the API's routes, served from memory
    app.add_middleware(ImplicitMethodsMiddleware, routes=app.router.routes)  # HEAD, OPTIONS, Allow
    app.outer.append(ReleaseHeaderMiddleware)  # inside the cache: a cached answer keeps its header
    if settings.cache_ttl_s > 0 and settings.cache_size > 0:
        cache = ResponseCache(settings.cache_size, settings.cache_ttl_s, int(settings.cache_max_mb * 2**20))
        keys = RouteKeys(app.router.routes)
        app.state.cache = cache
        app.outer.append(lambda inner: CacheMiddleware(inner, cache, metrics, watcher, keys))
    app.outer.append(lambda inner: ObserveMiddleware(inner, metrics))  # outermost: sees cached answers too
    return app


class DrainingServer(uvicorn.Server):
    """uvicorn, with a drain period first on SIGTERM: /readyz answers 503 (so a balancer moves away)
    while requests are still served for `drain_s`; then uvicorn's own graceful shutdown stops
    accepting and finishes every request it has, for at most GATEWAY_GRACE_S."""

    def __init__(self, config: uvicorn.Config, drain_s: float, app: FastAPI) -> None:
        super().__init__(config)
        self.drain_s = drain_s
        self.marquee_app = app
        self.draining = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.draining or self.drain_s <= 0:
            super().handle_exit(sig, frame)
            return
        self.draining = True
        self.marquee_app.state.draining = True
        logging.getLogger("marquee.gateway").info("draining", extra={"drain_s": self.drain_s})
        loop = asyncio.get_event_loop()
        # From a signal handler: call_soon_threadsafe is the loop's safe way in.
        loop.call_soon_threadsafe(loop.call_later, self.drain_s, super().handle_exit, sig, frame)


def app_from_env() -> FastAPI:
    """uvicorn's app factory in each worker process (GATEWAY_WORKERS > 1)."""
    settings = GatewaySettings()
    _configure_logs(settings)
    _configure_protocol(settings)
    return create_app(settings)


def _configure_protocol(settings: GatewaySettings) -> None:
    """The limits of uvicorn's protocol are class settings: set them in each process."""
    GuardedProtocol.configure(settings.header_timeout_s, settings.max_connections)
    LimitedHttpToolsProtocol.configure_head(settings.max_url_bytes, settings.max_header_bytes)


def _exit_zero(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


class _DropColor(logging.Filter):
    """uvicorn adds an ANSI-coloured copy of some messages; a JSON log line does not want it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        return True


def _configure_logs(settings: GatewaySettings) -> None:
    configure_logs("gateway", settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).addFilter(_DropColor())


def main() -> int:
    settings = GatewaySettings()
    _configure_logs(settings)
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, restores these handlers, then raises the
    # signal again: exit 0 then, as the gRPC services do, rather than die by the signal.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit_zero)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,  # our JSON logs, configured above
        "access_log": False,  # ObserveMiddleware writes the access log
        "server_header": False,
        "proxy_headers": False,  # nothing sits in front of the gateway: log the real peer
        "timeout_graceful_shutdown": settings.grace_s,
        # httptools (chosen, not found by chance) with a header-read timeout, a connection limit
        # (connections.py) and limits on the request's head (protocol.py), all with the JSON error body.
        "http": LimitedHttpToolsProtocol,
    }
    _configure_protocol(settings)
    if settings.workers > 1:
        # Every worker writes its metrics there; /metrics adds them up.
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="marquee-gateway-metrics-"))
        uvicorn.run("marquee_gateway.main:app_from_env", factory=True, workers=settings.workers, **options)
    else:
        app = create_app(settings)
        DrainingServer(uvicorn.Config(app, **options), settings.drain_s, app).run()
    return 0
