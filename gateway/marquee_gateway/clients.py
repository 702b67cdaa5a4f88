"""The gateway's gRPC clients: one channel per upstream, made in the app's lifespan.

Each channel resolves a `dns:///host:port` target and spreads calls over every address
the name resolves to (round_robin), so `docker compose up --scale recommender=3` shares the
load. Calls that fail UNAVAILABLE are retried by gRPC itself (the service config's
retryPolicy, nothing else is retried), and every call carries the configured deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from marquee.v1 import (
    catalog_pb2,
    catalog_pb2_grpc,
    recommender_pb2,
    recommender_pb2_grpc,
    release_pb2,
    release_pb2_grpc,
)
from marquee_common.contract import MAX_BATCH, Report
from marquee_gateway import releases
from marquee_gateway.batching import Batcher
from marquee_gateway.config import GatewaySettings
from marquee_gateway.errors import UpstreamError
from marquee_gateway.metrics import Metrics

CATALOG_SERVICE = "marquee.v1.CatalogService"
RECOMMENDER_SERVICE = "marquee.v1.RecommenderService"

R = TypeVar("R")
S = TypeVar("S")


def service_config(service: str, attempts: int) -> str:
    """The channel's service config: round_robin over the replicas that report SERVING, and retry on
    UNAVAILABLE only.

    Client-side health checking (`healthCheckConfig`) watches each replica's health: one that is
    stopping says NOT_SERVING at once and gets no new call while it drains (rpc.serve).

    >>> json.loads(service_config("marquee.v1.CatalogService", 3))["loadBalancingConfig"]
    [{'round_robin': {}}]
    """
    config: dict[str, Any] = {
        "loadBalancingConfig": [{"round_robin": {}}],
        "healthCheckConfig": {"serviceName": service},
    }
    if attempts > 1:
        config["methodConfig"] = [
            {
                "name": [{"service": service}],
                "retryPolicy": {
                    "maxAttempts": attempts,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "0.5s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    return json.dumps(config)


def channel_options(service: str, attempts: int) -> list[tuple[str, Any]]:
    return [
        ("grpc.service_config", service_config(service, attempts)),
        ("grpc.service_config_disable_resolution", 1),  # ours, not one from DNS TXT records
        ("grpc.enable_retries", 1),
        # An upstream that starts after the gateway is found within a second or two, not
        # after gRPC's default back-off of up to two minutes.
        ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.min_reconnect_backoff_ms", 200),
        ("grpc.max_reconnect_backoff_ms", 2000),
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_timeout_ms", 10_000),
    ]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class HealthChecker(Protocol):
    def Check(self, request: health_pb2.HealthCheckRequest, timeout: float | None = None) -> Awaitable[Any]: ...


class Upstream(Generic[S]):
    """One upstream service: its stub, its ReleaseService and health stubs, its deadline.

    `call` is the only way routes reach an upstream, so every call gets the deadline and
    every failure becomes an `UpstreamError` (counted in the metrics).
    """

    def __init__(
        self,
        name: str,
        service: str,
        stub: S,
        health: HealthChecker,
        release: release_pb2_grpc.ReleaseServiceAsyncStub,
        deadline_s: float,
        metrics: Metrics | None = None,
        channel: grpc.aio.Channel | None = None,
        target: str | None = None,
    ) -> None:
        self.name = name
        self.service = service
        self.stub = stub
        self.health = health
        self.release = release
        self.deadline_s = deadline_s
        self.metrics = metrics
        self.channel = channel
        self.target = target
        self.on_release: Callable[[str, str | None], None] | None = None  # the release watcher's `seen`

    async def call(self, method: Callable[..., Awaitable[R]], request: Any) -> R:
        """`await catalog.call(catalog.stub.GetTitleVotes, pb.GetTitleVotesRequest(title="Toy Story"))`."""
        return (await self.call_with_release(method, request))[0]

    async def call_with_release(self, method: Callable[..., Awaitable[R]], request: Any) -> tuple[R, str | None]:
        """The answer and the release it came from (noted for the request's `X-Marquee-Release` too)."""
        call = method(request, timeout=self.deadline_s)
        try:
            reply = await call
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc) from None
        return reply, await self._note(call)

    async def stream(self, method: Callable[..., AsyncIterable[R]], request: Any) -> AsyncGenerator[R, None]:
        """The messages of a server-streaming call, as they come: `call`'s deadline (for the whole
        stream), release note and errors. Left before its end, the call is cancelled."""
        call = method(request, timeout=self.deadline_s)
        noted = False
        try:
            async for reply in call:
                if not noted:
                    noted = True
                    await self._note(call)
                yield reply
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc) from None
        finally:
            cancel = getattr(call, "cancel", None)
            if cancel is not None:
                cancel()  # nothing to do once the call has ended

    async def report(self, version: str, form: release_pb2.ReportFormat.ValueType) -> Report:
        """A release's data report (ReleaseService.GetReleaseReport), whole, once its parts add up to
        the size and sha256 its first part announced; an upstream that breaks that promise is
        DATA_LOSS (502), and nothing of its answer is passed on."""
        request = release_pb2.GetReleaseReportRequest(version=version, format=form)
        first: release_pb2.GetReleaseReportResponse | None = None
        chunks: list[bytes] = []
        size = 0
        async with contextlib.aclosing(self.stream(self.release.GetReleaseReport, request)) as parts:
            async for part in parts:
                if first is None:
                    first = part
                chunks.append(part.chunk)
                size += len(part.chunk)
                if size > first.total_bytes:
                    break  # no need to read on: the upstream is broken
        if first is None:
            raise self.broken("it ended the report's stream without sending any part")
        what = f"the report of release {first.version or '?'}"
        if size != first.total_bytes:
            raise self.broken(f"{what} came with {'more than ' if size > first.total_bytes else ''}{size} "
                              f"bytes where {first.total_bytes} were announced")  # fmt: skip
        body = b"".join(chunks)
        if await asyncio.to_thread(_sha256, body) != first.sha256:
            raise self.broken(f"{what} does not have the sha256 announced with it")
        return Report(first.version, first.built_at, first.content_type, body, first.sha256)

    def broken(self, message: str) -> UpstreamError:
        """An upstream answer that breaks its own promise (DATA_LOSS: 502), counted as an upstream error."""
        if self.metrics is not None:
            self.metrics.upstream_error(self.name, grpc.StatusCode.DATA_LOSS.name)
        return UpstreamError.of(self.name, grpc.StatusCode.DATA_LOSS, message)

    def _failed(self, exc: grpc.aio.AioRpcError) -> UpstreamError:
        """A failed call, as the error routes raise; the release it came from is noted."""
        version = releases.note(self.name, exc.initial_metadata())
        self._seen(version)
        if self.metrics is not None:
            self.metrics.upstream_error(self.name, exc.code().name)
        return UpstreamError.from_rpc(self.name, exc, version)

    async def _note(self, call: Any) -> str | None:
        """Note the release an answer came from, in the request and for the release watcher."""
        metadata = getattr(call, "initial_metadata", None)  # in-process fakes answer without metadata
        version = releases.note(self.name, await metadata()) if metadata is not None else None
        self._seen(version)
        return version

    def failed_item(self, failure: Any) -> UpstreamError:
        """One failed item of a Batch* call (a `Failure` message), counted as its own call's error."""
        error = UpstreamError.from_failure(self.name, failure)
        if self.metrics is not None:
            self.metrics.upstream_error(self.name, error.code.name)
        return error

    def _seen(self, version: str | None) -> None:
        if version and self.on_release is not None:
            self.on_release(self.name, version)

    async def serving_status(self) -> str:
        """ "SERVING" when the upstream's health service says so; otherwise what it said or why it failed."""
        try:
            reply = await self.health.Check(
                health_pb2.HealthCheckRequest(service=self.service), timeout=self.deadline_s
            )
        except grpc.aio.AioRpcError as exc:
            if self.metrics is not None:
                self.metrics.upstream_error(self.name, exc.code().name)
            return exc.code().name
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    async def close(self) -> None:
        if self.channel is not None:
            await self.channel.close()


class CatalogClient(Upstream["catalog_pb2_grpc.CatalogServiceAsyncStub"]):  # the async stub is a type only
    """The catalog; `movies.call(GetMovieRequest)` gathers concurrent film requests into batches."""

    def __init__(self, *args: Any, batch_size: int = MAX_BATCH, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.movies: Batcher[catalog_pb2.GetMovieRequest, catalog_pb2.Movie] = Batcher(
            self.name, self._get_movie, self._batch_get_movies, batch_size
        )

    async def _get_movie(self, request: catalog_pb2.GetMovieRequest) -> tuple[catalog_pb2.Movie, str | None]:
        reply, version = await self.call_with_release(self.stub.GetMovie, request)
        return reply.movie, version

    async def _batch_get_movies(self, requests: Sequence[catalog_pb2.GetMovieRequest]
                                ) -> tuple[list[catalog_pb2.Movie | UpstreamError], str | None]:  # fmt: skip
        batch = catalog_pb2.BatchGetMoviesRequest(movie_ids=[r.movie_id for r in requests])
        reply, version = await self.call_with_release(self.stub.BatchGetMovies, batch)
        return [r.movie if r.HasField("movie") else self.failed_item(r.failure) for r in reply.results], version


Recommend = recommender_pb2.RecommendRequest
Recommended = recommender_pb2.RecommendResponse


class RecommenderClient(Upstream["recommender_pb2_grpc.RecommenderServiceAsyncStub"]):
    """The recommender; `recommend.call(RecommendRequest)` gathers concurrent requests into batches."""

    def __init__(self, *args: Any, batch_size: int = MAX_BATCH, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recommend: Batcher[recommender_pb2.RecommendRequest, recommender_pb2.RecommendResponse] = Batcher(
            self.name, self._recommend, self._batch_recommend, batch_size
        )

    async def _recommend(self, request: Recommend) -> tuple[Recommended, str | None]:
        return await self.call_with_release(self.stub.Recommend, request)

    async def _batch_recommend(
        self, requests: Sequence[Recommend]
    ) -> tuple[list[Recommended | UpstreamError], str | None]:
        batch = recommender_pb2.BatchRecommendRequest(requests=requests)
        reply, version = await self.call_with_release(self.stub.BatchRecommend, batch)
        return [r.response if r.HasField("response") else self.failed_item(r.failure) for r in reply.results], version


@dataclass
class Upstreams:
    catalog: CatalogClient
    recommender: RecommenderClient

    async def close(self) -> None:
        await self.catalog.close()
        await self.recommender.close()


Connector = Callable[[GatewaySettings, Metrics], Upstreams]
"""Makes the upstreams in the lifespan; tests pass one that returns in-process fakes."""


def connect(settings: GatewaySettings, metrics: Metrics) -> Upstreams:
    """One grpc.aio channel per upstream. Call inside the running event loop (the lifespan)."""

    def channel(target: str, service: str) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(target, options=channel_options(service, settings.retry_attempts))

    catalog = channel(settings.catalog_target, CATALOG_SERVICE)
    recommender = channel(settings.recommender_target, RECOMMENDER_SERVICE)
    return Upstreams(
        catalog=CatalogClient(
            "catalog",
            CATALOG_SERVICE,
            catalog_pb2_grpc.CatalogServiceStub(catalog),
            health_pb2_grpc.HealthStub(catalog),
            release_pb2_grpc.ReleaseServiceStub(catalog),
            settings.deadline_s,
            metrics,
            catalog,
            settings.catalog_target,
            batch_size=settings.batch_size,
        ),
        recommender=RecommenderClient(
            "recommender",
            RECOMMENDER_SERVICE,
            recommender_pb2_grpc.RecommenderServiceStub(recommender),
            health_pb2_grpc.HealthStub(recommender),
            release_pb2_grpc.ReleaseServiceStub(recommender),
            settings.deadline_s,
            metrics,
            recommender,
            settings.recommender_target,
            batch_size=settings.batch_size,
        ),
    )
