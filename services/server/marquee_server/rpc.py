"""gRPC plumbing every Marquee service shares: error mapping, call logs, the server's life.

Domain errors become gRPC status here and nowhere else (`GRPC_CODE`), with `google.rpc.Status`
details (`rich_status`: what went wrong, close names, when to retry; proto/marquee/v1/errors.proto);
servicers raise `MarqueeError`s and never call `abort` themselves. Every answer carries the version of the
release it came from in its initial metadata (`marquee-release`). While serving, each service
watches `current` and swaps to a newly promoted release that passes its checks (`watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import functools
import gc
import logging
import multiprocessing
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import uvloop
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from marquee.v1 import errors_pb2, release_pb2, release_pb2_grpc
from marquee_common.contract import MAX_BATCH, RELEASE_KEY, REPORT_CHUNK_BYTES
from marquee_common.errors import (
    DamagedRelease,
    DamagedReport,
    IndexNotReady,
    InvalidQuery,
    MarqueeError,
    NotFound,
    Overloaded,
    ReleaseError,
)
from marquee_common.logs import configure as configure_logs
from marquee_common.logs import emit
from marquee_server import listing, reports
from marquee_server.serving import Loaded, ReleaseHolder
from marquee_server.settings import ServiceSettings

GRPC_CODE: dict[type[MarqueeError], grpc.StatusCode] = {
    InvalidQuery: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    ReleaseError: grpc.StatusCode.FAILED_PRECONDITION,
    DamagedRelease: grpc.StatusCode.FAILED_PRECONDITION,
    DamagedReport: grpc.StatusCode.DATA_LOSS,
    IndexNotReady: grpc.StatusCode.UNAVAILABLE,
    Overloaded: grpc.StatusCode.RESOURCE_EXHAUSTED,
}
ERROR_DOMAIN = "marquee.v1"
"""The `domain` of every ErrorInfo detail."""
RETRY_AFTER = duration_pb2.Duration(seconds=1)
"""The RetryInfo of a RESOURCE_EXHAUSTED: a call in flight ends well within it."""

log = logging.getLogger("marquee.rpc")
Req = TypeVar("Req")
Resp = TypeVar("Resp")
Core = TypeVar("Core")
Method = Callable[[Any, Req, grpc.aio.ServicerContext[Any, Any]], Awaitable[Resp]]
Body = Callable[[Any, Req, Core], Resp]
"""A servicer method's body: (servicer, request, the core of the release serving now) -> answer."""
StreamBody = Callable[[Any, Req, Loaded[Any]], Sequence[Resp]]
"""A streaming method's body: (servicer, request, the release serving now) -> every message of the answer."""
StreamMethod = Callable[[Any, Req, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Resp]]


def status_for(exc: MarqueeError) -> grpc.StatusCode:
    for cls in type(exc).__mro__:
        if cls in GRPC_CODE:
            return GRPC_CODE[cls]
    return grpc.StatusCode.UNKNOWN


def error_reason(exc: MarqueeError) -> str:
    """The ErrorInfo reason of a domain error: its class name in UPPER_SNAKE_CASE.

    >>> error_reason(NotFound("no film 7")), error_reason(IndexNotReady("loading"))
    ('NOT_FOUND', 'INDEX_NOT_READY')
    """
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).upper()


def rich_status(exc: MarqueeError) -> status_pb2.Status:
    """The google.rpc.Status a failed call ends with: code, message and the details that say why.

    >>> status = rich_status(NotFound("no film titled 'Alpah'", ["Alpha"]))
    >>> status.code == grpc.StatusCode.NOT_FOUND.value[0], len(status.details)
    (True, 2)
    """
    details = [error_details_pb2.ErrorInfo(reason=error_reason(exc), domain=ERROR_DOMAIN)]
    if exc.suggestions:
        details.append(errors_pb2.Suggestions(names=exc.suggestions))
    if isinstance(exc, Overloaded):
        details.append(error_details_pb2.RetryInfo(retry_delay=RETRY_AFTER))
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    return status_pb2.Status(code=status_for(exc).value[0], message=exc.message, details=packed)


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


class Work:
    """Where a process's calls run, and how many may be in flight; `serve` sets it up once.

    Heavy methods run in `pool`, off the event loop, so health checks and light calls are answered
    while they work; calls beyond `limit` in flight are refused with RESOURCE_EXHAUSTED at once
    rather than queued behind the others.
    """

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        self.limit = 64
        self.in_flight = 0


WORK = Work()


def rpc(offload: bool | Callable[[Any], bool] = False, whole: bool = False
        ) -> Callable[[Body[Req, Core, Resp]], Method[Req, Resp]]:  # fmt: skip
    """Make a servicer method from `method(self, request, core)`: the core of the release serving now.

    The wrapper maps domain errors to status, hides unexpected ones, names the release in the
    initial metadata and logs one JSON line per call (`_answering`). The release is taken once, at
    the start: the whole call runs on it, even if a swap happens meanwhile. `offload=True` runs the
    method in the work pool (for calls whose cost grows with their input: batches, searches, free
    text); `offload=predicate` does so for the requests it says are heavy, and answers the others
    inline, so that they never wait in the pool's queue behind heavy ones. `whole=True` passes the
    whole release (`Loaded`: its version and core) instead of its core, as `rpc_stream` does.
    """

    def decorate(method: Body[Req, Core, Resp]) -> Method[Req, Resp]:
        @functools.wraps(method)
        async def wrapper(self: Any, request: Req, context: grpc.aio.ServicerContext[Any, Any]) -> Resp:
            loaded = self.holder.loaded
            argument = (lambda: loaded) if whole else (lambda: loaded.core)
            async with _answering(method.__name__, loaded, context) as answer:
                response = await _run(method, offload, self, request, loaded, argument)
                await answer.name_release()
            return response

        return wrapper

    return decorate


def rpc_stream(offload: bool = True) -> Callable[[StreamBody[Req, Resp]], StreamMethod[Req, Resp]]:
    """Make a server-streaming method from `method(self, request, loaded)`, which returns the whole
    answer as its messages; `loaded` is the release serving now (its version and core).

    Everything `rpc` does, the same way (`_answering`, `_run`): the method runs once, in the work
    pool unless `offload=False`, and any error it raises ends the call before the first message;
    then the messages are sent one by one, on the release named in the initial metadata.
    """

    def decorate(method: StreamBody[Req, Resp]) -> StreamMethod[Req, Resp]:
        @functools.wraps(method)
        async def wrapper(self: Any, request: Req, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Resp]:
            loaded = self.holder.loaded
            async with _answering(method.__name__, loaded, context) as answer:
                messages = await _run(method, offload, self, request, loaded, lambda: loaded)
                await answer.name_release()
                for message in messages:
                    yield message

        return wrapper

    return decorate


async def _run(method: Callable[[Any, Req, Any], Resp], offload: bool | Callable[[Any], bool], servicer: Any,
               request: Req, loaded: Loaded[Any] | None, argument: Callable[[], Any]) -> Resp:  # fmt: skip
    """Admit the call (the release is loaded, the service is under its limit), then run `method` with
    `argument()` (the core, or the whole release), in the work pool when it is heavy."""
    if loaded is None:
        servicer.holder.core  # noqa: B018  raises IndexNotReady with the service's words
    if WORK.in_flight >= WORK.limit:
        raise Overloaded(f"the service is at its limit of {WORK.limit} calls in flight; retry shortly")
    WORK.in_flight += 1
    try:
        heavy = offload(request) if callable(offload) else offload
        if heavy and WORK.pool is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(WORK.pool, method, servicer, request, argument())
        return method(servicer, request, argument())
    finally:
        WORK.in_flight -= 1


class _Release:
    """Names the release serving the call in the initial metadata, once, before the answer or the error."""

    def __init__(self, context: grpc.aio.ServicerContext[Any, Any], version: str) -> None:
        self.context = context
        self.version = version
        self.sent = False

    async def name_release(self) -> None:
        if self.version and not self.sent:
            self.sent = True
            await self.context.send_initial_metadata(((RELEASE_KEY, self.version),))


@contextlib.asynccontextmanager
async def _answering(name: str, loaded: Loaded[Any] | None, context: grpc.aio.ServicerContext[Any, Any]
                     ) -> AsyncIterator[_Release]:  # fmt: skip
    """What every call does around its method, unary or streaming: a domain error becomes its status
    with details (after the release is named), an unexpected one INTERNAL with its traceback logged,
    and one JSON line is logged per call with its code and duration."""
    start = time.perf_counter()
    code = grpc.StatusCode.OK
    took: float | None = None  # set before abort, which yields to other calls
    answer = _Release(context, "" if loaded is None else loaded.version)
    try:
        yield answer
    except MarqueeError as exc:
        took = time.perf_counter() - start
        code = status_for(exc)
        await answer.name_release()
        await context.abort_with_status(rpc_status.to_status(rich_status(exc)))
        raise  # unreachable: abort raises
    except (asyncio.CancelledError, grpc.aio.AbortError, GeneratorExit):
        code = grpc.StatusCode.CANCELLED if code == grpc.StatusCode.OK else code
        raise
    except Exception:
        took = time.perf_counter() - start
        code = grpc.StatusCode.INTERNAL
        log.exception("unexpected error in %s", name)
        await context.abort(code, "internal error; the server log has the details")
        raise
    finally:
        elapsed = took if took is not None else time.perf_counter() - start
        emit(log, logging.INFO, "call", {"method": name, "code": code.name, "duration_ms": round(elapsed * 1000, 3)})


@dataclass
class Service:
    """One gRPC service to host: its full name, how to register it, the release it answers from."""

    name: str
    register: Callable[[grpc.aio.Server], None]
    holder: ReleaseHolder[Any]  # opened in a thread while health says NOT_SERVING, then watched


REPORT_FORMS = {
    release_pb2.REPORT_FORMAT_UNSPECIFIED: "html",
    release_pb2.REPORT_FORMAT_HTML: "html",
    release_pb2.REPORT_FORMAT_JSON: "json",
}
"""GetReleaseReportRequest.format -> the manifest's name of that form of the report."""
REPORT_FORMATS = {form: value for value, form in REPORT_FORMS.items() if value != release_pb2.REPORT_FORMAT_UNSPECIFIED}
"""The manifest's name of a form of the report -> its ReportFormat (ListReleases' `formats`)."""


class ReleaseServicer(release_pb2_grpc.ReleaseServiceServicer):
    """ReleaseService, hosted beside the process's own service: the release that service serves,
    every release of the data folder, and the data report of any of them."""

    def __init__(self, holder: ReleaseHolder[Any], max_report_bytes: int = reports.DEFAULT_MAX_BYTES) -> None:
        self.holder = holder
        self.max_report_bytes = max_report_bytes

    @rpc()
    def GetReleaseInfo(self, request: release_pb2.GetReleaseInfoRequest, core: Any
                       ) -> release_pb2.GetReleaseInfoResponse:  # fmt: skip
        return release_pb2.GetReleaseInfoResponse(**self.holder.info())

    @rpc(offload=True, whole=True)
    def ListReleases(self, request: release_pb2.ListReleasesRequest, loaded: Loaded[Any]
                     ) -> release_pb2.ListReleasesResponse:  # fmt: skip
        found = listing.list_releases(self.holder.data_dir, loaded.version, request.limit)
        for release in found["releases"]:
            if release.get("report") is not None:
                release["report"]["formats"] = [REPORT_FORMATS[form] for form in release["report"]["formats"]]
        return release_pb2.ListReleasesResponse(**found)

    @rpc_stream(offload=True)
    def GetReleaseReport(self, request: release_pb2.GetReleaseReportRequest, loaded: Loaded[Any]
                         ) -> list[release_pb2.GetReleaseReportResponse]:  # fmt: skip
        form = REPORT_FORMS.get(request.format)
        if form is None:
            raise InvalidQuery(f"format {request.format} is not a ReportFormat; use REPORT_FORMAT_HTML or _JSON")
        report = reports.read_report(self.holder.data_dir, loaded.version, request.version, form,
                                     self.max_report_bytes)  # fmt: skip
        body = memoryview(report.body)
        first = release_pb2.GetReleaseReportResponse(
            chunk=bytes(body[:REPORT_CHUNK_BYTES]),
            version=report.version,
            built_at=report.built_at,
            content_type=report.content_type,
            total_bytes=len(body),
            sha256=report.sha256,
        )
        rest = range(REPORT_CHUNK_BYTES, len(body), REPORT_CHUNK_BYTES)
        return [first, *(release_pb2.GetReleaseReportResponse(chunk=bytes(body[i : i + REPORT_CHUNK_BYTES]))
                         for i in rest)]  # fmt: skip


RELEASE_SERVICE_NAME = release_pb2.DESCRIPTOR.services_by_name["ReleaseService"].full_name


class StartupError(Exception):
    """The server cannot start (its port is taken); `run` prints the message and exits 2."""


@dataclass(frozen=True)
class ServerOptions:
    reuse_port: bool = False  # share the port with the other worker processes (SO_REUSEPORT)
    max_connection_age_s: float = 0  # close each connection after this long (with a grace); 0: never
    connection_age_grace_s: float = 5
    max_report_bytes: int = reports.DEFAULT_MAX_BYTES  # larger data reports are refused (GetReleaseReport)


async def create_server(
    address: str, services: Sequence[Service], options: ServerOptions = ServerOptions()
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """A started server on `address` ("[::]:0" picks a port) with health, reflection and ReleaseService.

    Health reports NOT_SERVING for every service until `load_and_serve` has loaded it. The port is
    shared only between worker processes of one service: otherwise a port in use is an error.
    With a maximum connection age, clients reconnect now and then, and resolve the service's
    name again: replicas added meanwhile get their share.
    """
    if len(services) != 1:
        raise ValueError("a Marquee process hosts exactly one service (ReleaseService answers for it)")
    if not options.reuse_port:
        _check_port_free(address)
    grpc_options: list[tuple[str, int]] = [("grpc.so_reuseport", 1 if options.reuse_port else 0)]
    if options.max_connection_age_s > 0:
        grpc_options += [("grpc.max_connection_age_ms", int(options.max_connection_age_s * 1000)),
                         ("grpc.max_connection_age_grace_ms", int(options.connection_age_grace_s * 1000))]  # fmt: skip
    server = grpc.aio.server(options=grpc_options)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for service in services:
        service.register(server)
    releases = ReleaseServicer(services[0].holder, options.max_report_bytes)
    release_pb2_grpc.add_ReleaseServiceServicer_to_server(releases, server)
    names = [s.name for s in services]
    reflection.enable_server_reflection(
        [*names, RELEASE_SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as exc:
        port = 0
        reason = str(exc)
    else:
        reason = ""
    if port == 0:
        raise StartupError(f"cannot listen on {address}: the port is in use or the address is not this machine's"
                           + (f" ({reason})" if reason else ""))  # fmt: skip
    await server.start()
    return server, port, health_servicer


def _check_port_free(address: str) -> None:
    """A clear error for a port another process holds, before gRPC tries (and logs its own lines)."""
    host, _, port_text = address.rpartition(":")
    host = host.strip("[]")
    if not port_text.isdigit() or int(port_text) == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed server's TIME_WAIT is no owner
        try:
            probe.bind((host, int(port_text)))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(f"cannot listen on {address}: the port is in use by another process") from None
            raise StartupError(f"cannot listen on {address}: {exc.strerror}") from None


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


async def serve(settings: ServiceSettings, services: Sequence[Service]) -> None:
    """Run until SIGTERM or SIGINT, then stop without losing a call.

    On the signal: health reports NOT_SERVING at once (clients that check health move away),
    calls are still answered for `drain_s`, then the server stops accepting and finishes every
    call it accepted, for at most `grace_s`. With `release_poll_s` > 0, each newly promoted
    release is swapped in once loaded (`watch`).
    """
    WORK.pool = ThreadPoolExecutor(max_workers=settings.work_threads, thread_name_prefix="work")
    WORK.limit = settings.max_concurrent_rpcs
    _map_large_allocations()
    options = ServerOptions(
        settings.workers > 1, settings.max_connection_age_s, settings.grace_s, int(settings.max_report_mb * 2**20)
    )
    server, port, health_servicer = await create_server(settings.address, services, options)
    log.info("listening", extra={"address": settings.address, "port": port, "services": [s.name for s in services]})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loading = asyncio.create_task(load_and_serve(services, health_servicer))
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({loading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    failed = loading.exception() if loading in done else None
    if failed is not None:
        stopping.cancel()
        await server.stop(0)
        raise failed
    watching = asyncio.create_task(watch(services, settings.release_poll_s)) if settings.release_poll_s > 0 else None
    await stopping
    if watching is not None:
        watching.cancel()
    log.info("draining", extra={"drain_s": settings.drain_s, "grace_s": settings.grace_s})
    await health_servicer.enter_graceful_shutdown()
    await asyncio.sleep(settings.drain_s)
    log.info("stopping", extra={"in_flight": WORK.in_flight})
    await server.stop(settings.grace_s)
    loading.cancel()
    WORK.pool.shutdown(wait=False, cancel_futures=True)
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
    except (MarqueeError, StartupError) as exc:
        sys.stderr.write(_cannot_serve(exc) + "\n")
        return 2
    finally:
        for process in extra:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in extra:
            process.join(settings.grace_s + 1)
    return 0


def _cannot_serve(exc: MarqueeError | StartupError) -> str:
    """The one line a service prints when it cannot start."""
    if isinstance(exc, DamagedRelease):
        return f"cannot serve release {exc.version}: {exc.file}: {exc.reason}"
    return f"cannot serve: {exc.message if isinstance(exc, MarqueeError) else exc}"


def _serve(settings: ServiceSettings, make_services: Callable[[ServiceSettings], Sequence[Service]]) -> None:
    _run_loop(serve(settings, make_services(settings)))


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """On uvloop: grpc.aio runs on it, and each call costs the server less CPU than on asyncio's loop."""
    uvloop.run(main)


def _worker(
    label: str, settings: ServiceSettings, make_services: Callable[[ServiceSettings], Sequence[Service]]
) -> None:
    configure_logs(label, settings.log_level)
    try:
        _serve(settings, make_services)
    except (MarqueeError, StartupError) as exc:
        sys.stderr.write(_cannot_serve(exc) + "\n")
        raise SystemExit(2) from None
