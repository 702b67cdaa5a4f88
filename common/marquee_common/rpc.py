"""gRPC plumbing every Marquee service shares: error mapping, call logs, the server's life.

Domain errors become gRPC status here and nowhere else (`GRPC_CODE`); servicers raise
`MarqueeError`s and never call `abort` themselves. Every answer carries the version of the
release it came from in its initial metadata (`marquee-release`). While serving, each service
watches `current` and swaps to a newly promoted release that passes its checks (`watch`).
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import gc
import json
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import uvloop
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from marquee_common.errors import DamagedRelease, IndexNotReady, InvalidQuery, MarqueeError, NotFound, ReleaseError
from marquee_common.logs import configure as configure_logs
from marquee_common.logs import emit
from marquee_common.serving import RELEASE_KEY, ReleaseHolder
from marquee_common.settings import ServiceSettings

GRPC_CODE: dict[type[MarqueeError], grpc.StatusCode] = {
    InvalidQuery: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    ReleaseError: grpc.StatusCode.FAILED_PRECONDITION,
    DamagedRelease: grpc.StatusCode.FAILED_PRECONDITION,
    IndexNotReady: grpc.StatusCode.UNAVAILABLE,
}
MAX_BATCH = 100
"""Items one Batch* call may carry."""
SUGGESTIONS_KEY = "marquee-suggestions-bin"
"""Trailing metadata of a NOT_FOUND: a JSON list of close existing names."""

log = logging.getLogger("marquee.rpc")
Req = TypeVar("Req")
Resp = TypeVar("Resp")
Method = Callable[[Any, Req, grpc.aio.ServicerContext], Awaitable[Resp]]


def status_for(exc: MarqueeError) -> grpc.StatusCode:
    for cls in type(exc).__mro__:
        if cls in GRPC_CODE:
            return GRPC_CODE[cls]  # type: ignore[index]
    return grpc.StatusCode.UNKNOWN


def each(items: Sequence[Req], answer: Callable[[Req], Resp]) -> Iterator[tuple[Resp | None, dict[str, Any] | None]]:
    """A Batch* method's items: (answer, None), or (None, the failure its own call would have had).

    The failure's fields (code, message, suggestions) are those of the protocol's Failure message.
    """
    if not 1 <= len(items) <= MAX_BATCH:
        raise InvalidQuery(f"a batch holds 1 to {MAX_BATCH} items, got {len(items)}")
    for item in items:
        try:
            yield answer(item), None
        except MarqueeError as exc:
            yield None, {"code": status_for(exc).name, "message": exc.message, "suggestions": exc.suggestions}


def rpc(method: Method[Req, Resp]) -> Method[Req, Resp]:
    """Map domain errors to status, hide unexpected ones, name the release, log one JSON line per call.

    The servicer's `holder` names the release; its methods do not await, so the version read
    before the call is the release the whole call ran on (swaps happen between calls).
    """

    @functools.wraps(method)
    async def wrapper(self: Any, request: Req, context: grpc.aio.ServicerContext) -> Resp:
        start = time.perf_counter()
        code = grpc.StatusCode.OK
        took: float | None = None  # set before abort, which yields to other calls
        version: str = self.holder.version
        try:
            response = await method(self, request, context)
            if version:
                await context.send_initial_metadata(((RELEASE_KEY, version),))
            return response
        except MarqueeError as exc:
            took = time.perf_counter() - start
            code = status_for(exc)
            if version:
                await context.send_initial_metadata(((RELEASE_KEY, version),))
            if exc.suggestions:
                context.set_trailing_metadata(((SUGGESTIONS_KEY, json.dumps(exc.suggestions).encode()),))
            await context.abort(code, exc.message)
            raise  # unreachable: abort raises
        except (asyncio.CancelledError, grpc.aio.AbortError):
            code = grpc.StatusCode.CANCELLED if code == grpc.StatusCode.OK else code
            raise
        except Exception:
            took = time.perf_counter() - start
            code = grpc.StatusCode.INTERNAL
            log.exception("unexpected error in %s", method.__name__)
            await context.abort(code, "internal error; the server log has the details")
            raise
        finally:
            elapsed = took if took is not None else time.perf_counter() - start
            emit(log, logging.INFO, "call", {"method": method.__name__, "code": code.name,
                                             "duration_ms": round(elapsed * 1000, 3)})  # fmt: skip

    return wrapper


@dataclass
class Service:
    """One gRPC service to host: its full name, how to register it, the release it answers from."""

    name: str
    register: Callable[[grpc.aio.Server], None]
    holder: ReleaseHolder[Any]  # opened in a thread while health says NOT_SERVING, then watched


async def create_server(
    address: str, services: Sequence[Service], max_workers: int | None = None
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """A started server on `address` ("[::]:0" picks a port) with health and reflection.

    Health reports NOT_SERVING for every service until `load_and_serve` has loaded it.
    """
    server = grpc.aio.server(maximum_concurrent_rpcs=max_workers, options=[("grpc.so_reuseport", 1)])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for service in services:
        service.register(server)
    names = [s.name for s in services]
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    await server.start()
    return server, port, health_servicer


async def load_and_serve(services: Sequence[Service], health_servicer: health.aio.HealthServicer) -> None:
    for service in services:
        loaded = await asyncio.to_thread(service.holder.open_current)
        service.holder.install(loaded)
        await health_servicer.set(service.name, health_pb2.HealthCheckResponse.SERVING)
        log.info("loaded", extra={"grpc_service": service.name, "release": loaded.version,
                                  "verification": loaded.verification,
                                  "duration_ms": round(loaded.load_seconds * 1000, 1)})  # fmt: skip
    _settle_memory()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)


def _settle_memory() -> None:
    """What was loaded lives until the next swap: keep the collector from walking it on every full
    collection (pauses of tens of milliseconds under load otherwise), and give freed memory back."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _release_free_memory()


async def watch(services: Sequence[Service], poll_s: float) -> None:
    """Every `poll_s`, swap each service to the release `current` names, if it is new and passes.

    The new release is verified and loaded in a thread beside the old one; the switch itself
    happens here, on the event loop, between requests. Health stays SERVING throughout.
    """
    while True:
        await asyncio.sleep(poll_s)
        for service in services:
            await swap(service)


async def swap(service: Service) -> bool:
    """One swap attempt: True when a new release now serves."""
    holder = service.holder
    version = holder.pending()
    if version is None:
        return False
    try:
        loaded = await asyncio.to_thread(holder.open_current, True)
    except ReleaseError as exc:
        refused = exc.version if isinstance(exc, DamagedRelease) else version
        failure = holder.refuse(refused, exc.message)
        log.error("swap refused", extra={"grpc_service": service.name, "release": refused, "reason": failure.reason,
                                         "serving": holder.version})  # fmt: skip
        return False
    before = holder.install(loaded)
    log.info("swapped", extra={"grpc_service": service.name, "release": loaded.version,
                               "previous": before.version if before else None,
                               "verification": loaded.verification,
                               "duration_ms": round(loaded.load_seconds * 1000, 1)})  # fmt: skip
    del before, loaded
    _settle_memory()
    return True


M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (glibc malloc.h)."""


def _map_large_allocations() -> None:
    """Keep glibc from raising its mmap threshold as large blocks are freed (its default).

    A release's arrays are then always mapped, so the old release's memory goes back to the
    system when a swap frees it, instead of leaving holes in the heap for the rest of the process.
    """
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _release_free_memory() -> None:
    """Hand the memory freed after loading back to the system (glibc keeps it otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


async def serve(address: str, services: Sequence[Service], grace_s: float, max_workers: int | None = None,
                poll_s: float = 0) -> None:  # fmt: skip
    """Run until SIGTERM or SIGINT, then report NOT_SERVING and drain in-flight calls for `grace_s`.

    With `poll_s` > 0, swap to each newly promoted release once loaded (`watch`).
    """
    _map_large_allocations()
    server, port, health_servicer = await create_server(address, services, max_workers)
    log.info("listening", extra={"address": address, "port": port, "services": [s.name for s in services]})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loading = asyncio.create_task(load_and_serve(services, health_servicer))
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({loading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if loading in done and loading.exception() is not None:
        stopping.cancel()
        await server.stop(0)
        raise loading.exception()  # type: ignore[misc]
    watching = asyncio.create_task(watch(services, poll_s)) if poll_s > 0 else None
    await stopping
    if watching is not None:
        watching.cancel()
    log.info("draining", extra={"grace_s": grace_s})
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace_s)
    loading.cancel()
    log.info("stopped")


def run(label: str, settings: ServiceSettings, make_services: Callable[[ServiceSettings], Sequence[Service]]) -> int:
    """Entrypoint body: JSON logs, then `settings.workers` processes serving on one port.

    Extra workers are spawned processes that each load the release and bind the same port
    (SO_REUSEPORT), so the kernel spreads connections over both cores.
    """
    configure_logs(label, settings.log_level)
    if settings.workers > 1 and settings.port == 0:
        raise SystemExit("workers > 1 needs a fixed port")
    context = multiprocessing.get_context("spawn")
    extra = [
        context.Process(target=_worker, args=(label, settings, make_services), daemon=True)
        for _ in range(settings.workers - 1)
    ]
    for process in extra:
        process.start()
    try:
        _serve(settings, make_services)
    except MarqueeError as exc:
        sys.stderr.write(_cannot_serve(exc) + "\n")
        return 2
    finally:
        for process in extra:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in extra:
            process.join(settings.grace_s + 1)
    return 0


def _cannot_serve(exc: MarqueeError) -> str:
    """The one line a service prints when it cannot start on its release."""
    if isinstance(exc, DamagedRelease):
        return f"cannot serve release {exc.version}: {exc.file}: {exc.reason}"
    return f"cannot serve: {exc.message}"


def _serve(settings: ServiceSettings, make_services: Callable[[ServiceSettings], Sequence[Service]]) -> None:
    _run_loop(serve(settings.address, make_services(settings), settings.grace_s, settings.max_concurrent_rpcs,
                    settings.release_poll_s))  # fmt: skip


def _run_loop(main: Awaitable[None]) -> None:
    """On uvloop: grpc.aio runs on it, and each call costs the server less CPU than on asyncio's loop."""
    uvloop.run(main)  # type: ignore[arg-type]


def _worker(
    label: str, settings: ServiceSettings, make_services: Callable[[ServiceSettings], Sequence[Service]]
) -> None:
    configure_logs(label, settings.log_level)
    try:
        _serve(settings, make_services)
    except MarqueeError as exc:
        sys.stderr.write(_cannot_serve(exc) + "\n")
        raise SystemExit(2) from None
