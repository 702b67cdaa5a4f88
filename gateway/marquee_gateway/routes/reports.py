"""A release's data report over HTTP: the HTML page and the JSON document the pipeline wrote beside
the release's data, asked of the catalog (ReleaseService.GetReleaseReport), never read from disk;
and every release of the catalog's data folder with links to its report (`/v1/releases/all`,
ReleaseService.ListReleases).

`/v1/releases/current/report` is the release the catalog serves now (`no-cache`: revalidate, the
release changes); `/v1/releases/{version}/report` any release of its data folder, which never
changes (`immutable`, a year). Each answer's ETag is the file's sha256, so `If-None-Match` is 304.
The HTML has no scripts: its Content-Security-Policy lets it load nothing but inline styles and
`data:` images. Errors are the gateway's one body (errors.py): 404 for an unknown release (close and
newest versions as suggestions) or one built without a report, 422 for a version that cannot name
one, 400 for a report larger than the catalog sends (CATALOG_MAX_REPORT_MB), 502 for one whose file fails
its manifest's checks (DATA_LOSS: the catalog never sends it) or that arrives other than announced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse, Response

from marquee.v1 import release_pb2
from marquee_common.contract import (
    CURRENT_RELEASE,
    DEFAULT_RELEASES_LISTED,
    HTML_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    MAX_RELEASES_LISTED,
)
from marquee_gateway.answers import documented as answer_documented
from marquee_gateway.answers import ops
from marquee_gateway.clients import CatalogClient
from marquee_gateway.deps import Catalog
from marquee_gateway.errors import ERROR_RESPONSES, ErrorBody
from marquee_gateway.routes.params import VERSION_RULE, ReleaseVersion, SingleValues

router = APIRouter(prefix="/v1/releases", tags=["releases"], dependencies=[SingleValues])

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
"""The report is one page with no scripts: it may show inline styles and `data:` images, nothing else."""
IMMUTABLE = "public, max-age=31536000, immutable"
"""A given release's report never changes (a release is never changed after it is written)."""
REVALIDATE = "no-cache"
"""The release served now changes with each promotion: keep the report, but ask (If-None-Match) each time."""


@dataclass(frozen=True)
class Form:
    """One form of the report: what to ask the catalog for, how to answer it, how to document it."""

    format: release_pb2.ReportFormat.ValueType
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    content: dict[str, Any] = field(default_factory=dict)


HTML = Form(
    release_pb2.REPORT_FORMAT_HTML,
    HTML_MEDIA_TYPE,
    {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"},
    {"text/html": {"schema": {"type": "string"}, "example": '<!DOCTYPE html>\n<html lang="en"><head><meta '
                   'charset="utf-8"><title>Marquee release 20261201T152208318Z-d7ff1319: data report</title>...'}},
)  # fmt: skip
JSON = Form(
    release_pb2.REPORT_FORMAT_JSON,
    JSON_MEDIA_TYPE,
    {"X-Content-Type-Options": "nosniff"},
    {"application/json": {"schema": {"description": "report.json as the pipeline wrote it, byte for byte"}}},
)

EXAMPLE_VERSION = "20261201T152208318Z-d7ff1319"
IfNoneMatch = Annotated[
    str | None,
    Header(description="ETags (the report's sha256, quoted) the client holds: 304 when one is the report's"),
]
Version = Annotated[
    ReleaseVersion,
    Path(description=f"a release of the catalog's data folder; {VERSION_RULE}", examples=[EXAMPLE_VERSION]),
]


def etag_matches(header: str | None, etag: str) -> bool:
    """True when an If-None-Match header names `etag` (RFC 9110 13.1.2: `*`, or weak comparison).

    >>> etag_matches('W/"a", "b"', '"b"'), etag_matches("*", '"a"'), etag_matches('"a"', '"b"')
    (True, True, False)
    """
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


async def answer(catalog: CatalogClient, version: str, form: Form, if_none_match: str | None, cache: str) -> Response:
    """The report as an HTTP answer: its bytes, media type, ETag and caching; 304 when the client has it."""
    report = await catalog.report(version, form.format)
    if report.content_type != form.media_type:
        raise catalog.broken(f"it sent the report of release {report.version} as {report.content_type!r} "
                             f"where {form.media_type!r} was asked")  # fmt: skip
    etag = f'"{report.sha256}"'
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    return Response(report.body, media_type=form.media_type,
                    headers={"ETag": etag, "Cache-Control": cache, **form.headers})  # fmt: skip


def documented(form: Form, versioned: bool) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a report route: the file, 304, and the error answers it can give."""
    cache = IMMUTABLE if versioned else REVALIDATE
    headers = {
        "ETag": {"description": "the file's sha256, quoted", "schema": {"type": "string"}},
        "Cache-Control": {"description": f"`{cache}`", "schema": {"type": "string"}},
    }
    # response_class=Response on the routes: no media type of their own, so the error bodies are documented
    # as application/json (FastAPI puts a `model` under the route's media type otherwise).
    return {
        200: {"description": "the report file, as the pipeline wrote it", "content": form.content, "headers": headers},
        304: {"description": "If-None-Match names the report's ETag: the client has it already"},
        400: {"model": ErrorBody, "description": "FAILED_PRECONDITION: the report is larger than the catalog "
              "sends (CATALOG_MAX_REPORT_MB)"},
        **ERROR_RESPONSES,
        404: {"model": ErrorBody, "description": "no such release in the data folder (`suggestions`: the closest "
              "and newest versions), or a release built without a data report (`suggestions`: releases with one)"},
        **({422: {"model": ErrorBody, "description": f"the version breaks its rule: {VERSION_RULE}"}} if versioned
           else {}),
        502: {"model": ErrorBody, "description": "DATA_LOSS: the report file does not match its release's "
              "manifest (size or sha256: the catalog does not send it), or it arrived without the size or sha256 "
              "it announced (nothing of it is passed on); or another upstream failure"},
    }  # fmt: skip


ListLimit = Annotated[
    int,
    Query(ge=1, le=MAX_RELEASES_LISTED, description=f"how many releases, newest first: 1..{MAX_RELEASES_LISTED}"),
]
LIST_RESPONSES = answer_documented(ops.ReleaseList)
LIST_RESPONSES[200]["headers"] = {"Cache-Control": {"description": f"`{REVALIDATE}`", "schema": {"type": "string"}}}
LIST_RESPONSES[422] = {"model": ErrorBody, "description": f"`limit` outside 1..{MAX_RELEASES_LISTED}, or given twice"}
del LIST_RESPONSES[404]  # nothing to find: a data folder without releases is an empty list


# Declared before the `/{version}/...` routes, which could not take it anyway: each of them ends in
# /report or /report.json (`/v1/releases/all/report` is the report of a release named "all").
@router.get("/all", response_model=ops.ReleaseList, responses=LIST_RESPONSES)
async def all_releases(catalog: Catalog, limit: ListLimit = DEFAULT_RELEASES_LISTED) -> JSONResponse:
    """Every release of the catalog's data folder, newest first, read from their manifests: films,
    quality figures (null when not measured), whether `current` names it (`current`) and whether the
    catalog replica that answered serves it (`served`; the two differ between a promotion and the
    swap), links to its data report with what the report found against its predecessor, and an
    `error` for a release whose manifest cannot be read (listed, not left out).

    `Cache-Control: no-cache`: the list changes whenever a release is built, promoted or pruned.
    """
    # Sent uncached: its own Cache-Control keeps it out of the gateway's answer cache (cache.py). That
    # cache is keyed by the releases the replicas serve, which do not change when a release is built
    # and not (yet) promoted, or refused by the gate, or pruned: a kept list would hide such a release
    # until its entry expired (GATEWAY_CACHE_TTL_S). Asking costs the catalog a few small manifests
    # (the data folder keeps MARQUEE_KEEP_RELEASES releases), read in its work pool.
    reply = await catalog.call(catalog.release.ListReleases, release_pb2.ListReleasesRequest(limit=limit))
    return JSONResponse(ops.ReleaseList.from_proto(reply), headers={"Cache-Control": REVALIDATE})


@router.get("/current/report", response_class=Response, responses=documented(HTML, versioned=False))
async def current_report(catalog: Catalog, if_none_match: IfNoneMatch = None) -> Response:
    """The data report of the release the catalog serves now, as one HTML page (no scripts).

    `Cache-Control: no-cache`: keep it, but revalidate (If-None-Match) since the release changes.
    """
    return await answer(catalog, CURRENT_RELEASE, HTML, if_none_match, REVALIDATE)


@router.get("/current/report.json", response_class=Response, responses=documented(JSON, versioned=False))
async def current_report_json(catalog: Catalog, if_none_match: IfNoneMatch = None) -> Response:
    """The data report of the release the catalog serves now, as the pipeline's JSON document."""
    return await answer(catalog, CURRENT_RELEASE, JSON, if_none_match, REVALIDATE)


@router.get("/{version:segment}/report", response_class=Response, responses=documented(HTML, versioned=True))
async def release_report(version: Version, catalog: Catalog, if_none_match: IfNoneMatch = None) -> Response:
    """The data report of any release in the catalog's data folder (not only the one served), as HTML.

    A release never changes, so neither does its report: `Cache-Control: public, max-age=31536000, immutable`.
    """
    return await answer(catalog, version, HTML, if_none_match, IMMUTABLE)


@router.get("/{version:segment}/report.json", response_class=Response, responses=documented(JSON, versioned=True))
async def release_report_json(version: Version, catalog: Catalog, if_none_match: IfNoneMatch = None) -> Response:
    """The data report of any release in the catalog's data folder, as the pipeline's JSON document."""
    return await answer(catalog, version, JSON, if_none_match, IMMUTABLE)
