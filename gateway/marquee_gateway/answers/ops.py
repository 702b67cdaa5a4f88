"""The operations answers: liveness, readiness, and the release each replica serves (/v1/releases)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import Field

from marquee.v1 import release_pb2
from marquee_gateway.answers import Answer, Json

if TYPE_CHECKING:
    from marquee_gateway.releases import UpstreamReleases as UpstreamState

LEFT_OUT: dict[str, str] = {}
"""Proto fields /v1/releases leaves out, and why: none."""


class Health(Answer):
    status: str
    example = {"status": "ok"}


class Ready(Answer):
    status: str
    upstreams: dict[str, str]
    releases: dict[str, list[str]] = Field(
        default_factory=dict, description="per upstream, the releases its replicas serve (as of the last poll)"
    )
    example = {"status": "ready", "upstreams": {"catalog": "SERVING"}}


class FailedSwap(Answer):
    proto = release_pb2.FailedSwap
    version: str | None
    reason: str | None
    failed_at: str | None

    @staticmethod
    def from_proto(failed: release_pb2.FailedSwap) -> Json:
        return {
            "version": failed.version or None,
            "reason": failed.reason or None,
            "failed_at": failed.failed_at or None,
        }


class ReplicaRelease(Answer):
    proto = release_pb2.GetReleaseInfoResponse
    address: str = Field(description="the replica's address, as the gateway resolved the upstream's name")
    version: str | None = Field(description="the release it serves; null when it could not be asked")
    built_at: str | None
    loaded_at: str | None = Field(description="when the replica started serving that release")
    verification: str | None = Field(description="what the replica checked before serving it")
    load_seconds: float | None = Field(description="seconds it took to verify and load that release")
    swaps: int
    failed_swaps: int
    last_failed_swap: FailedSwap | None = Field(description="the last release it refused, and why")
    error: str | None = Field(description="why the replica could not be asked, if it could not")

    @staticmethod
    def from_proto(
        info: release_pb2.GetReleaseInfoResponse | None, address: str = "", error: str | None = None
    ) -> Json:
        """A replica's GetReleaseInfo answer; None when it could not be asked (`error` says why)."""
        info = info if info is not None else release_pb2.GetReleaseInfoResponse()
        failed = info.last_failed_swap if info.HasField("last_failed_swap") else None
        return {
            "address": address,
            "version": info.version or None,
            "built_at": info.built_at or None,
            "loaded_at": info.loaded_at or None,
            "verification": info.verification or None,
            "load_seconds": info.load_seconds or None,
            "swaps": info.swaps,
            "failed_swaps": info.failed_swaps,
            "last_failed_swap": FailedSwap.from_proto(failed) if failed is not None else None,
            "error": error,
        }


class UpstreamReleases(Answer):
    version: str | None = Field(description="the release the replicas serve or are moving to (the latest loaded)")
    agree: bool = Field(description="every replica answered and serves the same release")
    replicas: list[ReplicaRelease]


class Releases(Answer):
    agree: bool = Field(description="every upstream's replicas agree")
    upstreams: dict[str, UpstreamReleases]
    example = {
        "agree": True,
        "upstreams": {
            "catalog": {"version": "20261201T152208318Z-d7ff1319", "agree": True, "replicas": [
                {"address": "127.0.0.1:50051", "version": "20261201T152208318Z-d7ff1319",
                 "built_at": "2026-12-01T15:22:08.318440+00:00", "loaded_at": "2026-12-01T15:24:31.102Z",
                 "verification": "ok: 9 files hashed, 9 tables' columns, 1 probe", "load_seconds": 0.27,
                 "swaps": 1, "failed_swaps": 0, "last_failed_swap": None, "error": None}]},
            "recommender": {"version": "20261201T152208318Z-d7ff1319", "agree": True, "replicas": [
                {"address": "127.0.0.1:50052", "version": "20261201T152208318Z-d7ff1319",
                 "built_at": "2026-12-01T15:22:08.318440+00:00", "loaded_at": "2026-12-01T15:24:31.245Z",
                 "verification": "ok: 16 files hashed, 12 arrays checked, 17 probes", "load_seconds": 0.567,
                 "swaps": 1, "failed_swaps": 0, "last_failed_swap": None, "error": None}]},
        },
    }  # fmt: skip

    @staticmethod
    def of(state: Mapping[str, UpstreamState]) -> Json:
        """What /v1/releases answers: the release watcher's last poll."""
        upstreams = {
            name: {
                "version": up.target,
                "agree": up.agree,
                "replicas": [ReplicaRelease.from_proto(r.info, r.address, r.error) for r in up.replicas],
            }
            for name, up in state.items()
        }
        return {"agree": all(u["agree"] for u in upstreams.values()), "upstreams": upstreams}
