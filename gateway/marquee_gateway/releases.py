"""Which release answered: per request (the `X-Marquee-Release` header) and per replica (`/v1/releases`).

Every gRPC answer names its release in its initial metadata (`marquee-release`). `Upstream.call`
notes it in the request's context; `ReleaseHeaderMiddleware` puts what was noted on the answer:
`X-Marquee-Release: catalog=<version>; recommender=<version>` (the upstreams the answer needed).

`ReleaseWatcher` asks every replica of every upstream for its `GetReleaseInfo`, every `poll_s`
seconds: it resolves each target's name itself, so each replica is asked, and a replica added
under the same name is found. From the answers it keeps, per upstream, the *target* release (the
one the most recently switched replica loaded: after a promotion or a rollback, the release the
others are moving to) and a *generation* that changes whenever the set of releases served
changes. The answer cache is keyed by that generation and keeps only answers from the target
releases, so once the gateway knows of a new release it serves no cached answer from an older
one. An answer naming a release the watcher has not seen yet wakes it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import grpc
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marquee.v1 import release_pb2, release_pb2_grpc
from marquee_common.contract import RELEASE_KEY

if TYPE_CHECKING:
    from marquee_gateway.clients import Upstream
    from marquee_gateway.metrics import Metrics

HEADER = b"x-marquee-release"
log = logging.getLogger("marquee.gateway.releases")

_answered: ContextVar[dict[str, set[str]] | None] = ContextVar("marquee_answered_by", default=None)


def note(upstream: str, metadata: Iterable[tuple[str, Any]] | None) -> str | None:
    """Record in the current request which release of `upstream` answered; returns the version."""
    version = None
    for key, value in metadata or ():
        if key == RELEASE_KEY:
            version = value.decode() if isinstance(value, bytes) else str(value)
            break
    record(upstream, version)
    return version


def record(upstream: str, version: str | None) -> None:
    """Record in the current request that `version` of `upstream` answered (a batched request's own)."""
    answered = _answered.get()
    if version and answered is not None:
        answered.setdefault(upstream, set()).add(version)


def header_value(answered: dict[str, set[str]]) -> bytes:
    """`catalog=V1; recommender=V2` (a replica pair caught mid-swap would show `catalog=V1,V2`)."""
    return "; ".join(f"{name}={','.join(sorted(versions))}" for name, versions in sorted(answered.items())).encode()


def parse_header(value: bytes) -> dict[str, set[str]]:
    answered: dict[str, set[str]] = {}
    for part in value.decode().split(";"):
        name, _, versions = part.strip().partition("=")
        if name:
            answered[name] = set(versions.split(","))
    return answered


class ReleaseHeaderMiddleware:
    """Adds `X-Marquee-Release` to every answer that needed an upstream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answered: dict[str, set[str]] = {}
        token = _answered.set(answered)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start" and answered:
                message["headers"] = [*message.get("headers", ()), (HEADER, header_value(answered))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            _answered.reset(token)


@dataclass
class Replica:
    address: str
    info: release_pb2.GetReleaseInfoResponse | None = None  # None when it could not be asked
    error: str | None = None

    @property
    def version(self) -> str | None:
        return (self.info.version or None) if self.info is not None else None


@dataclass
class UpstreamReleases:
    replicas: list[Replica] = field(default_factory=list)
    target: str | None = None

    @property
    def versions(self) -> set[str]:
        return {r.version for r in self.replicas if r.version}

    @property
    def agree(self) -> bool:
        return len(self.versions) == 1 and all(r.version for r in self.replicas)


class ReleaseWatcher:
    """Polls GetReleaseInfo on every replica; keeps the targets and the cache generation."""

    def __init__(self, poll_s: float, deadline_s: float, metrics: Metrics | None = None) -> None:
        self.metrics = metrics
        self.upstreams: list[Upstream[Any]] = []
        self.poll_s = poll_s
        self.deadline_s = deadline_s
        self.state: dict[str, UpstreamReleases] = {}
        self.generation = 0
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._polling = asyncio.Lock()
        self._unknown: set[str] = set()  # versions seen in answers since the last poll
        self.polled = False

    def start(self, upstreams: list[Upstream[Any]]) -> None:
        """Watch these upstreams (made in the app's lifespan); each tells it of releases it sees."""
        self.upstreams = upstreams
        self.state = {u.name: UpstreamReleases() for u in upstreams}
        for upstream in upstreams:
            upstream.on_release = self.seen
        if self.poll_s > 0:
            self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for channel in self._channels.values():
            await channel.close()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:  # never let the watcher die; the next poll tries again
                log.exception("release poll failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            self._wake.clear()

    def seen(self, upstream: str, version: str | None) -> None:
        """An answer came from `version`: a release not seen yet starts a new generation and a poll."""
        state = self.state.get(upstream)
        if version and state is not None and version not in state.versions and version not in self._unknown:
            self._unknown.add(version)
            self.generation += 1
            self._wake.set()

    def fresh(self, answered: dict[str, set[str]]) -> bool:
        """An answer may be cached when each upstream it came from answered from that upstream's target."""
        for name, versions in answered.items():
            state = self.state.get(name)
            if state is None or state.target is None:
                continue
            if versions != {state.target}:
                return False
        return True

    async def poll(self) -> None:
        async with self._polling:
            results = await asyncio.gather(*(self._poll_upstream(u) for u in self.upstreams))
            in_use = {r.address for replicas in results for r in replicas}
            for address in set(self._channels) - in_use:  # a replica that went away
                await self._channels.pop(address).close()
        self._unknown.clear()
        self.polled = True
        changed = False
        for upstream, replicas in zip(self.upstreams, results, strict=True):
            state = self.state[upstream.name]
            before = (state.versions, state.target)
            state.replicas = replicas
            if self.metrics is not None:
                self.metrics.replicas(upstream.name, [(r.address, r.version, r.info.failed_swaps if r.info else 0)
                                                      for r in replicas])  # fmt: skip
            loaded = [(r.info.loaded_at, r.version) for r in replicas if r.info and r.version]
            state.target = max(loaded)[1] if loaded else None
            if (state.versions, state.target) != before:
                changed = True
                log.info("upstream releases", extra={"upstream": upstream.name, "versions": sorted(state.versions),
                                                     "target": state.target})  # fmt: skip
        if changed:
            self.generation += 1

    async def _poll_upstream(self, upstream: Upstream[Any]) -> list[Replica]:
        """Each replica's answer; through the upstream's own channel (one replica a time) when the
        gateway cannot list them itself (a target naming its own DNS server, `dns://server/name:port`)."""
        addresses: list[str | None] = list(await self._resolve(upstream.target)) if upstream.target else []
        return list(await asyncio.gather(*(self._ask(upstream, address) for address in addresses or [None])))

    async def _ask(self, upstream: Upstream[Any], address: str | None) -> Replica:
        replica = Replica(address or "(channel)")
        try:
            if address is None:
                stub = upstream.release
            else:
                channel = self._channels.get(address)
                if channel is None:
                    channel = self._channels[address] = grpc.aio.insecure_channel(address)
                stub = release_pb2_grpc.ReleaseServiceStub(channel)
            reply = await stub.GetReleaseInfo(release_pb2.GetReleaseInfoRequest(), timeout=self.deadline_s)
            replica.info = reply
        except grpc.aio.AioRpcError as exc:
            replica.error = f"{exc.code().name}: {exc.details()}"
        return replica

    async def _resolve(self, target: str) -> list[str]:
        """Every address a target names now, as host:port: `ipv4:a:p,b:p` lists them; `dns:///host:port`
        (or `host:port`) is resolved anew each time, so replicas added under the name are found."""
        if target.startswith(("ipv4:", "ipv6:")):
            return [address.strip() for address in target[5:].split(",") if address.strip()]
        if target.startswith("dns://") and not target.startswith("dns:///"):
            return []  # resolved by a DNS server of its own, which this process does not ask
        name = target.removeprefix("dns:///").removeprefix("dns:")
        host, _, port = name.rpartition(":")
        host = host.strip("[]")
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
        except (OSError, ValueError) as exc:
            log.warning("cannot resolve %s: %s", target, exc)
            return []
        addresses = []
        for family, _, _, _, sockaddr in found:
            ip, port_number = str(sockaddr[0]), int(sockaddr[1])
            address = f"[{ip}]:{port_number}" if family == socket.AF_INET6 else f"{ip}:{port_number}"
            if address not in addresses:
                addresses.append(address)
        return addresses
