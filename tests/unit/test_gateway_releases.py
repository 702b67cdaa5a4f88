"""The gateway's view of releases: the header's format, the target release, the cache's generation."""

from __future__ import annotations

import asyncio
from typing import Any

from marquee.v1 import release_pb2
from marquee_gateway.releases import ReleaseWatcher, header_value, parse_header


def test_the_header_names_each_upstream_and_its_releases() -> None:
    answered = {"recommender": {"B"}, "catalog": {"A2", "A1"}}
    assert header_value(answered) == b"catalog=A1,A2; recommender=B"
    assert parse_header(header_value(answered)) == answered


class Replica:
    """A stub answering GetReleaseInfo as one replica would."""

    def __init__(self, version: str, loaded_at: str) -> None:
        self.version = version
        self.loaded_at = loaded_at

    async def GetReleaseInfo(self, request: Any, timeout: float | None = None) -> release_pb2.GetReleaseInfoResponse:
        return release_pb2.GetReleaseInfoResponse(version=self.version, loaded_at=self.loaded_at)


class Upstream:
    def __init__(self, name: str, stubs: dict[str, Replica]) -> None:
        self.name = name
        self.stubs = stubs
        self.target = "ipv4:" + ",".join(stubs)
        self.stub = None
        self.on_release = None

    def stub_class(self, channel: Any) -> Replica:
        raise AssertionError("the test hands out stubs by address")


def watcher_over(upstream: Upstream) -> ReleaseWatcher:
    watcher = ReleaseWatcher(poll_s=0, deadline_s=1)
    watcher.start([upstream])  # type: ignore[list-item]

    async def ask(up: Any, address: str | None) -> Any:
        from marquee_gateway.releases import Replica as Seen

        return Seen(address or "", await upstream.stubs[address].GetReleaseInfo(None))

    watcher._ask = ask  # type: ignore[method-assign]
    return watcher


def test_the_target_is_the_release_the_latest_switched_replica_loaded() -> None:
    a = Replica("A", "2026-12-01T10:00:00.000Z")
    b = Replica("A", "2026-12-01T10:00:01.000Z")
    upstream = Upstream("catalog", {"10.0.0.1:1": a, "10.0.0.2:1": b})
    watcher = watcher_over(upstream)

    async def scenario() -> None:
        await watcher.poll()
        state = watcher.state["catalog"]
        assert state.target == "A" and state.agree
        first = watcher.generation
        assert watcher.fresh({"catalog": {"A"}})
        # A rollout: one replica has moved to B; B is the target and answers from A are no longer kept.
        a.version, a.loaded_at = "B", "2026-12-01T11:00:00.000Z"
        await watcher.poll()
        assert state.target == "B" and not state.agree and watcher.generation == first + 1
        assert not watcher.fresh({"catalog": {"A"}}) and watcher.fresh({"catalog": {"B"}})
        # A rollback: the replica that switched last names the target, even an older release.
        b.version, b.loaded_at = "B", "2026-12-01T11:00:01.000Z"
        await watcher.poll()
        assert state.agree and watcher.generation == first + 2
        a.version, a.loaded_at = "A", "2026-12-01T12:00:00.000Z"
        await watcher.poll()
        assert state.target == "A"
        await watcher.poll()
        assert watcher.generation == first + 3  # nothing changed in the last poll

    asyncio.run(scenario())


def test_an_answer_from_an_unknown_release_starts_a_new_generation_at_once() -> None:
    upstream = Upstream("catalog", {"10.0.0.1:1": Replica("A", "2026-12-01T10:00:00.000Z")})
    watcher = watcher_over(upstream)

    async def scenario() -> None:
        await watcher.poll()
        before = watcher.generation
        watcher.seen("catalog", "A")
        assert watcher.generation == before
        watcher.seen("catalog", "B")
        watcher.seen("catalog", "B")
        assert watcher.generation == before + 1

    asyncio.run(scenario())
