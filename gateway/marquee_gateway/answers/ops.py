"""The operations answers: liveness, readiness, the release each replica serves (/v1/releases), and
every release of the catalog's data folder (/v1/releases/all)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import Field

from marquee.v1 import release_pb2
from marquee_gateway.answers import Answer, Json

if TYPE_CHECKING:
    from marquee_gateway.releases import UpstreamReleases as UpstreamState

LEFT_OUT: dict[str, str] = {}
"""Proto fields /v1/releases and /v1/releases/all leave out, and why: none."""
REPORT_PATH = "/v1/releases/{version}/report"
"""Where the gateway answers a release's data report (routes/reports.py); `.json` beside it."""


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


class ReleaseQuality(Answer):
    proto = release_pb2.ReleaseQuality
    collection_hit_at_5: float | None = Field(
        description="share of the films in a collection whose 5 nearest films hold another of it; null when "
        "not measured (a release built without the model)"
    )
    genre_jaccard_at_10: float | None = Field(
        description="mean genre overlap (Jaccard) of each film with its 10 nearest; null when not measured"
    )
    recall_at_10: float | None = Field(
        description="the index's recall@10 against exact cosine search; null when not measured"
    )
    holdout_hit_rate_at_10: float | None = Field(
        description="held-out viewers' hit rate at 10: the share of a viewer's liked films whose 10 recommendations "
        "hold another film that viewer liked; null for a release built without ratings files"
    )


class ReleaseReportLinks(Answer):
    html: str | None = Field(description="the data report as an HTML page, on this gateway; null without one")
    json_link: str | None = Field(
        alias="json", description="the data report as JSON, on this gateway; null without one"
    )
    predecessor: str | None = Field(description="the release it was compared with; null when nothing was compared")
    flagged_figures: int | None = Field(
        description="figures that moved past the report's thresholds; null when nothing was compared"
    )
    drifted_fields: list[str] | None = Field(
        description="fields whose distribution drifted, sorted; null when nothing was compared"
    )


class ListedRelease(Answer):
    proto = release_pb2.ListedRelease
    version: str
    built_at: str | None = Field(description="RFC 3339, from its manifest; null when the manifest cannot be read")
    films: int | None = Field(description="films it holds; null when its manifest cannot be read or does not say")
    quality: ReleaseQuality
    current: bool = Field(description="the data folder's `current` names it (promoted: what every replica moves to)")
    served: bool = Field(description="the catalog replica that answered serves it")
    report: ReleaseReportLinks | None = Field(
        description="its data report and what it found; null when it has none (built before data reports, or "
        "without one)"
    )
    error: str | None = Field(
        description="why its manifest, or part of it, cannot be read (FILE: REASON); null when it can. Such a "
        "release is listed, not left out"
    )

    @staticmethod
    def from_proto(listed: release_pb2.ListedRelease) -> Json:
        report = None
        if listed.HasField("report"):
            found = listed.report
            link = REPORT_PATH.format(version=listed.version)
            compared = bool(found.predecessor)
            report = {
                "html": link if release_pb2.REPORT_FORMAT_HTML in found.formats else None,
                "json": f"{link}.json" if release_pb2.REPORT_FORMAT_JSON in found.formats else None,
                "predecessor": found.predecessor or None,
                "flagged_figures": found.flagged_figures if found.HasField("flagged_figures") else None,
                "drifted_fields": list(found.drifted_fields) if compared else None,
            }
        return {
            "version": listed.version,
            "built_at": listed.built_at or None,
            "films": listed.films if listed.HasField("films") else None,
            "quality": ReleaseQuality.from_proto(listed.quality),
            "current": listed.is_current,
            "served": listed.is_served,
            "report": report,
            "error": listed.error or None,
        }


class ReleaseList(Answer):
    proto = release_pb2.ListReleasesResponse
    current: str | None = Field(description="the release the data folder's `current` names; null when none")
    served: str | None = Field(description="the release the catalog replica that answered serves")
    releases: list[ListedRelease] = Field(description="newest first, at most `limit`")
    example = release_pb2.ListReleasesResponse(
        current="20261201T204657563Z-07e4b361",
        served="20261201T204657563Z-07e4b361",
        releases=[
            release_pb2.ListedRelease(
                version="20261201T204657563Z-07e4b361", built_at="2026-12-01T20:46:57.563997+00:00", films=4695,
                quality=release_pb2.ReleaseQuality(collection_hit_at_5=0.8669, genre_jaccard_at_10=0.6694,
                                                   recall_at_10=0.9847),
                is_current=True, is_served=True,
                report=release_pb2.ReleaseReportSummary(
                    predecessor="20261201T204646101Z-d7ff1319", flagged_figures=109,
                    drifted_fields=["budget", "return"],
                    formats=[release_pb2.REPORT_FORMAT_HTML, release_pb2.REPORT_FORMAT_JSON]),
            ),
            release_pb2.ListedRelease(
                version="20261201T204646101Z-d7ff1319", built_at="2026-12-01T20:46:46.101254+00:00", films=4995,
                quality=release_pb2.ReleaseQuality(collection_hit_at_5=0.8418, genre_jaccard_at_10=0.6726,
                                                   recall_at_10=0.9833),
                report=release_pb2.ReleaseReportSummary(
                    formats=[release_pb2.REPORT_FORMAT_HTML, release_pb2.REPORT_FORMAT_JSON]),
            ),
        ],
    )  # fmt: skip

    @staticmethod
    def from_proto(reply: release_pb2.ListReleasesResponse) -> Json:
        return {
            "current": reply.current or None,
            "served": reply.served or None,
            "releases": [ListedRelease.from_proto(r) for r in reply.releases],
        }
