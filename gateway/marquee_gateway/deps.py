"""Annotated dependencies the routes declare: the upstream clients and the metrics."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from marquee_gateway.clients import CatalogClient, RecommenderClient, Upstreams
from marquee_gateway.metrics import Metrics
from marquee_gateway.releases import ReleaseWatcher

# Coroutines on purpose: FastAPI runs a plain `def` dependency in a thread pool, a costly
# detour on every request for a dictionary lookup.


async def get_upstreams(request: Request) -> Upstreams:
    return cast(Upstreams, request.app.state.upstreams)


async def get_catalog(request: Request) -> CatalogClient:
    return cast(Upstreams, request.app.state.upstreams).catalog


async def get_recommender(request: Request) -> RecommenderClient:
    return cast(Upstreams, request.app.state.upstreams).recommender


async def get_metrics(request: Request) -> Metrics:
    return cast(Metrics, request.app.state.metrics)


async def get_releases(request: Request) -> ReleaseWatcher:
    return cast(ReleaseWatcher, request.app.state.releases)


Catalog = Annotated[CatalogClient, Depends(get_catalog)]
Recommender = Annotated[RecommenderClient, Depends(get_recommender)]
UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ReleasesDep = Annotated[ReleaseWatcher, Depends(get_releases)]
