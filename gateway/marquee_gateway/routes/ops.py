"""Operations: liveness, readiness over the gRPC health protocol, Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import Response

from marquee_gateway.answers import documented, example_of, ops
from marquee_gateway.clients import Upstream
from marquee_gateway.deps import MetricsDep, ReleasesDep, UpstreamsDep
from marquee_gateway.errors import ErrorBody, GatewayError
from marquee_gateway.metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])

SERVING = "SERVING"


@router.get("/healthz", response_model=ops.Health, responses={200: example_of(ops.Health)})
async def healthz() -> Any:
    """The process is up (it does not ask the upstreams: see /readyz)."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=ops.Ready,
    responses={
        200: example_of(ops.Ready),
        503: {"model": ErrorBody, "description": "an upstream does not report SERVING"},
    },
)
async def readyz(upstreams: UpstreamsDep, releases: ReleasesDep, request: Request) -> Any:
    """Ready when both upstreams report SERVING over the gRPC health protocol; else 503.

    `releases` lists, per upstream, the releases its replicas serve, as of the last poll. From
    SIGTERM on, 503 while the gateway drains (it still answers every other route).
    """
    draining = bool(getattr(request.app.state, "draining", False))
    if draining:
        raise GatewayError(grpc.StatusCode.UNAVAILABLE, "not ready: the gateway is stopping (draining)")
    clients: tuple[Upstream[Any], ...] = (upstreams.catalog, upstreams.recommender)
    statuses = await asyncio.gather(*(c.serving_status() for c in clients))
    by_name = {c.name: status for c, status in zip(clients, statuses, strict=True)}
    waiting = [f"{name} {status}" for name, status in by_name.items() if status != SERVING]
    if waiting:
        raise GatewayError(grpc.StatusCode.UNAVAILABLE, f"not ready: {', '.join(waiting)}")
    if not releases.polled:
        await releases.poll()
    served = {name: sorted(state.versions) for name, state in releases.state.items()}
    return {"status": "ready", "upstreams": by_name, "releases": served}


@router.get("/v1/releases", response_model=ops.Releases, responses=documented(ops.Releases), tags=["operations"])
async def current_releases(releases: ReleasesDep) -> Any:
    """The release each replica of each upstream serves now (asked at once), and whether they agree.

    After a promotion every replica switches within its poll interval plus the load time; until
    then `agree` is false and `version` names the release they are moving to. A replica that
    refused a release says so in `last_failed_swap`.
    """
    await releases.poll()
    return ops.Releases.of(releases.state)


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
async def metrics(metrics: MetricsDep) -> Response:
    """Prometheus text format: requests by route and status, latency, upstream errors."""
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)
