"""What the services and the gateway agree on beyond the protos' types: the limits the contracts'
comments state, and the metadata key naming the release. One place, so the gateway's HTTP rules
and OpenAPI document cannot drift from what the services enforce."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BATCH = 100
"""Items one Batch* call may carry (the services refuse more; the gateway gathers no more)."""
MAX_LIMIT = 50
"""Recommendations one request may ask for (RecommendRequest.limit, 1..50)."""
DEFAULT_LIMIT = 5
"""Recommendations when a request names no limit."""
MAX_PAGE_SIZE = 100
"""Films one search page may hold (SearchMoviesRequest.page_size, 1..100)."""
DEFAULT_PAGE_SIZE = 10
"""Films per search page when a request names no page size."""
MAX_GROUP_FILMS = 100
"""Films one company, country or language answer may list (GetCompanyRequest.limit and the others, 1..100)."""
DEFAULT_GROUP_FILMS = 20
"""Films a company, country or language answer lists when a request names no limit."""
VOTES_THRESHOLD = 2000
"""GetTitleVotesResponse.reaches_2000_votes: vote_count at least this."""
RELEASE_KEY = "marquee-release"
"""Initial metadata of every service answer: the version of the release it came from."""
REPORT_CHUNK_BYTES = 1 << 20
"""Most bytes of a report file one GetReleaseReportResponse carries (1 MiB): far below gRPC's 4 MB."""
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
"""GetReleaseReportResponse.content_type of report.html, and the gateway's media type for it."""
JSON_MEDIA_TYPE = "application/json"
"""GetReleaseReportResponse.content_type of report.json, and the gateway's media type for it."""
CURRENT_RELEASE = "current"
"""GetReleaseReportRequest.version naming the release served now (as "" does); also the HTTP routes' word."""
MAX_RELEASES_LISTED = 500
"""Releases one ListReleases answer may hold (ListReleasesRequest.limit, 1..500)."""
DEFAULT_RELEASES_LISTED = 50
"""Releases listed when a request names no limit (the data folder keeps far fewer: MARQUEE_KEEP_RELEASES)."""


@dataclass(frozen=True)
class Report:
    """A release's data report file: as a service reads and checks it against the release's manifest,
    and as the gateway receives and checks it whole (ReleaseService.GetReleaseReport)."""

    version: str
    built_at: str
    content_type: str
    body: bytes
    sha256: str
