"""In-process fakes of the upstream stubs, for tests of the gateway without any server.

Fakes, not mocks: `FakeCatalog` and `FakeRecommender` answer from three real films of the
bundled sample with the services' rules (empty or over-long input is INVALID_ARGUMENT,
unknown names are NOT_FOUND with close suggestions in google.rpc.Status details), and fail the
way a real channel fails when told to (`fail_with`). `FakeHealth` reports a settable status.
Both hold data reports (GetReleaseReport, a server-streaming call, answered as a grpc.aio stub
does: `FakeStreamCall`) for their release and none for `OLD_RELEASE`; `damage_reports` makes them
break the stream's promises. ListReleases lists those two releases (theirs current and served, with
its report compared with OLD_RELEASE; OLD_RELEASE without model or report), newest first, and any
`more_releases` a test adds.

    app = create_app(GatewaySettings(), connect=fake_connector(catalog, recommender))
"""

from __future__ import annotations

import difflib
import hashlib
import warnings
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2
from grpc_health.v1 import health_pb2
from grpc_status import rpc_status

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import errors_pb2, release_pb2, shared_pb2
from marquee.v1 import recommender_pb2 as rpb
from marquee_common.calendar_names import MONTH, WEEKDAY
from marquee_common.contract import (
    DEFAULT_GROUP_FILMS,
    DEFAULT_RELEASES_LISTED,
    HTML_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    MAX_GROUP_FILMS,
    MAX_LIMIT,
    MAX_RELEASES_LISTED,
    RELEASE_KEY,
    REPORT_CHUNK_BYTES,
    VOTES_THRESHOLD,
)
from marquee_common.errors import InvalidQuery
from marquee_common.text import normalize_text
from marquee_common.validation import require_text
from marquee_gateway.clients import (
    CATALOG_SERVICE,
    RECOMMENDER_SERVICE,
    CatalogClient,
    Connector,
    RecommenderClient,
    Upstreams,
)
from marquee_gateway.config import GatewaySettings
from marquee_gateway.metrics import Metrics
from tests.status_details import details

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.testclient import TestClient


def rpc_error(code: grpc.StatusCode, details: str = "", suggestions: Iterable[str] = ()) -> grpc.aio.AioRpcError:
    """The exception a grpc.aio stub raises, suggestions in a google.rpc.Status detail like the services'."""
    status = status_pb2.Status(code=code.value[0], message=details)
    names = list(suggestions)
    if names:
        detail = any_pb2.Any()
        detail.Pack(errors_pb2.Suggestions(names=names))
        status.details.append(detail)
    trailing = grpc.aio.Metadata(*rpc_status.to_status(status).trailing_metadata)
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), trailing, details)


def _movie(**fields: Any) -> pb.Movie:
    return pb.Movie(return_ratio=fields.pop("ret"), **fields)


FILMS = (
    _movie(id=862, title="Toy Story", year=1995, release_date="1995-10-30", runtime=81.0, genres=["Animation"],
           budget=30000000, revenue=373554033, ret=12.4518011, popularity=21.946943, vote_average=7.7,
           vote_count=5415, original_language="en", directors=[pb.Person(id=7879, name="John Lasseter")],
           collection=pb.Collection(id=10194, name="Toy Story Collection"),
           companies=[pb.Company(id=3, name="Pixar Animation Studios")],
           countries=[pb.Country(iso_3166_1="US", name="United States of America")],
           cast=[pb.CastCredit(person_id=31, name="Tom Hanks", character="Woody (voice)", order=0)]),
    _movie(id=949, title="Heat", year=1995, release_date="1995-12-15", runtime=170.0, genres=["Action", "Crime"],
           budget=60000000, revenue=187436818, ret=3.123946966666667, popularity=17.924927, vote_average=7.7,
           vote_count=1886, original_language="en", directors=[pb.Person(id=638, name="Michael Mann")]),
    _movie(id=8844, title="Jumanji", year=1995, release_date="1995-12-15", genres=["Adventure"],
           budget=65000000, revenue=262797249, ret=4.043034, popularity=17.015539, vote_average=6.9,
           vote_count=2413, original_language="en"),
)  # fmt: skip


def _ref(m: pb.Movie) -> shared_pb2.MovieRef:
    return shared_pb2.MovieRef(id=m.id, title=m.title, year=m.year, release_date=m.release_date)


def _group_films(films: Iterable[pb.Movie], limit: int) -> list[shared_pb2.MovieRef]:
    """A company's, country's or language's films as the catalog lists them: most-voted first, up to `limit`."""
    if not 0 <= limit <= MAX_GROUP_FILMS:
        raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, f"limit must be between 1 and {MAX_GROUP_FILMS} "
                        f"(0 or unset lists {DEFAULT_GROUP_FILMS}), got {limit}")  # fmt: skip
    ranked = sorted(films, key=lambda m: (-m.vote_count, m.id))
    return [_ref(m) for m in ranked[: limit or DEFAULT_GROUP_FILMS]]


def _check(value: str, what: str) -> str:
    """The services' own check (blank or over-long text is INVALID_ARGUMENT); '' matches nothing, as there."""
    try:
        return require_text(value, what)
    except InvalidQuery as exc:
        raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, str(exc)) from None


def _not_found(what: str, value: str, names: Iterable[str]) -> grpc.aio.AioRpcError:
    close = difflib.get_close_matches(value, list(names), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    return rpc_error(grpc.StatusCode.NOT_FOUND, f"no {what} named {value.strip()!r}{hint}", close)


OLD_RELEASE = "20251101T120000000Z-0ld0ca5e"
"""A release the fakes know, built before data reports existed."""
REPORT_HTML = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Marquee data report</title>'
               b"<style>h1{font:bold 2em serif}</style></head><body><h1>3 films</h1></body></html>\n")  # fmt: skip
REPORT_JSON = b'{"films": 3, "rejected": 0}\n'


class FakeStreamCall:
    """What a grpc.aio stub's server-streaming method returns: its messages by `async for`, its initial
    metadata, `cancel()`; a failure is raised as the messages are read, as a real call's is."""

    def __init__(self, messages: list[Any], metadata: grpc.aio.Metadata, failure: BaseException | None = None) -> None:
        self.messages = messages
        self.metadata = metadata
        self.failure = failure
        self.cancelled = False

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._read()

    async def _read(self) -> AsyncIterator[Any]:
        if self.failure is not None:
            raise self.failure
        for message in self.messages:
            yield message

    async def initial_metadata(self) -> grpc.aio.Metadata:
        return self.metadata

    def cancel(self) -> bool:
        self.cancelled = True
        return True


@dataclass
class FakeStub:
    """What both fakes share: a call log (method, request, timeout) and injected failures."""

    calls: list[tuple[str, Any, float | None]] = field(default_factory=list)
    failures: dict[str, BaseException] = field(default_factory=dict)
    release: str = "20260101T000000000Z-fake"
    chunk_bytes: int = REPORT_CHUNK_BYTES
    damage_reports: str | None = None  # "size", "sha256", "content_type" or "nothing": a broken stream
    more_releases: list[release_pb2.ListedRelease] = field(default_factory=list)  # listed too, by version

    def fail_with(self, method: str, code: grpc.StatusCode, details: str = "") -> None:
        """Make `method` (or "*" for every method) fail as a broken channel or server would."""
        self.failures[method] = rpc_error(code, details)

    def break_with(self, method: str, exc: BaseException) -> None:
        """Make `method` (or "*") raise something no upstream should: a fault of the gateway's own."""
        self.failures[method] = exc

    def _enter(self, method: str, request: Any, timeout: float | None) -> None:
        self.calls.append((method, request, timeout))
        failure = self.failures.get(method) or self.failures.get("*")
        if failure is not None:
            raise failure

    async def GetReleaseInfo(self, request: Any, timeout: float | None = None) -> release_pb2.GetReleaseInfoResponse:
        """The release watcher's question; not in `calls` (it is asked in the background), fails with "*"."""
        failure = self.failures.get("GetReleaseInfo") or self.failures.get("*")
        if failure is not None:
            raise failure
        return release_pb2.GetReleaseInfoResponse(
            version=self.release,
            built_at="2026-01-01T00:00:00Z",
            loaded_at="2026-01-01T00:00:01Z",
            verification="ok: a fake",
        )

    async def ListReleases(self, request: release_pb2.ListReleasesRequest, timeout: float | None = None
                           ) -> release_pb2.ListReleasesResponse:  # fmt: skip
        """The data folder's releases as the services list them, with their rule for `limit`."""
        self._enter("ListReleases", request, timeout)
        if not 0 <= request.limit <= MAX_RELEASES_LISTED:
            raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, f"limit must be between 1 and {MAX_RELEASES_LISTED} "
                            f"(0 or unset lists {DEFAULT_RELEASES_LISTED}), got {request.limit}")  # fmt: skip
        ours = release_pb2.ListedRelease(
            version=self.release, built_at="2026-01-01T00:00:00Z", films=3, is_current=True, is_served=True,
            quality=release_pb2.ReleaseQuality(collection_hit_at_5=0.5, genre_jaccard_at_10=0.3125, recall_at_10=1.0),
            report=release_pb2.ReleaseReportSummary(
                predecessor=OLD_RELEASE, flagged_figures=2, drifted_fields=["budget"],
                formats=[release_pb2.REPORT_FORMAT_HTML, release_pb2.REPORT_FORMAT_JSON]),
        )  # fmt: skip
        old = release_pb2.ListedRelease(version=OLD_RELEASE, built_at="2025-11-01T12:00:00Z", films=3)
        listed = sorted([ours, old, *self.more_releases], key=lambda r: r.version, reverse=True)
        return release_pb2.ListReleasesResponse(releases=listed[: request.limit or DEFAULT_RELEASES_LISTED],
                                                current=self.release, served=self.release)  # fmt: skip

    def GetReleaseReport(self, request: release_pb2.GetReleaseReportRequest, timeout: float | None = None
                         ) -> FakeStreamCall:  # fmt: skip
        """A release's report as the services stream it: the fake's release (also for "" and "current")
        has both forms; OLD_RELEASE was built before reports; any other version is NOT_FOUND."""
        self.calls.append(("GetReleaseReport", request, timeout))
        metadata = grpc.aio.Metadata((RELEASE_KEY, self.release))
        failure = self.failures.get("GetReleaseReport") or self.failures.get("*")
        if failure is not None:
            return FakeStreamCall([], metadata, failure)
        version = request.version.strip() or "current"
        version = self.release if version == "current" else version
        if version == OLD_RELEASE:
            why = f"release {version} has no data report: it was built before data reports existed, or without one"
            return FakeStreamCall([], metadata, rpc_error(grpc.StatusCode.NOT_FOUND, why, [self.release]))
        if version != self.release:
            why = f"no release {version!r} in the data folder"
            return FakeStreamCall([], metadata, rpc_error(grpc.StatusCode.NOT_FOUND, why, [self.release, OLD_RELEASE]))
        json = request.format == release_pb2.REPORT_FORMAT_JSON
        body = REPORT_JSON if json else REPORT_HTML
        first = release_pb2.GetReleaseReportResponse(
            version=version, built_at="2026-01-01T00:00:00Z", content_type=JSON_MEDIA_TYPE if json else HTML_MEDIA_TYPE,
            total_bytes=len(body), sha256=hashlib.sha256(body).hexdigest())  # fmt: skip
        if self.damage_reports == "size":
            first.total_bytes += 1
        elif self.damage_reports == "sha256":
            first.sha256 = hashlib.sha256(body + b"!").hexdigest()
        elif self.damage_reports == "content_type":
            first.content_type = HTML_MEDIA_TYPE if json else JSON_MEDIA_TYPE
        elif self.damage_reports == "nothing":
            return FakeStreamCall([], metadata)
        parts = [body[i : i + self.chunk_bytes] for i in range(0, len(body), self.chunk_bytes)]
        messages = [first, *(release_pb2.GetReleaseReportResponse() for _ in parts[1:])]
        for message, part in zip(messages, parts, strict=True):
            message.chunk = part
        return FakeStreamCall(messages, metadata)

    async def _each(self, single: Any, requests: Iterable[Any], results: Any, field: str) -> None:
        """A Batch* method as the services answer it: each item on its own, failures per item."""
        for request in requests:
            try:
                answer = await single(request)
            except grpc.aio.AioRpcError as exc:
                results.add(failure=shared_pb2.Failure(code=exc.code().name, message=exc.details() or "",
                                                       suggestions=details(exc).suggestions))  # fmt: skip
            else:
                results.add(**{field: answer})


class FakeCatalog(FakeStub):
    """CatalogService over three films of the bundled sample."""

    async def BatchGetMovies(self, request: pb.BatchGetMoviesRequest, timeout: float | None = None) -> Any:
        self._enter("BatchGetMovies", request, timeout)
        reply = pb.BatchGetMoviesResponse()
        single = [pb.GetMovieRequest(movie_id=m) for m in request.movie_ids]
        await self._each(self._get_movie, single, reply.results, "movie")
        return reply

    def _title(self, request: Any) -> pb.Movie:
        norm = _check(request.title, "title")
        for m in FILMS:
            if normalize_text(m.title) == norm and (not request.HasField("year") or m.year == request.year):
                return m
        raise _not_found("film", request.title, [m.title for m in FILMS])

    async def GetMovie(self, request: pb.GetMovieRequest, timeout: float | None = None) -> pb.GetMovieResponse:
        self._enter("GetMovie", request, timeout)
        return pb.GetMovieResponse(movie=await self._get_movie(request))

    async def _get_movie(self, request: pb.GetMovieRequest) -> pb.Movie:
        if request.movie_id <= 0:
            raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, f"movie_id must be positive, got {request.movie_id}")
        for m in FILMS:
            if m.id == request.movie_id:
                return m
        raise rpc_error(grpc.StatusCode.NOT_FOUND, f"no film with id {request.movie_id}")

    async def SearchMovies(self, request: pb.SearchMoviesRequest, timeout: float | None = None) -> Any:
        self._enter("SearchMovies", request, timeout)
        norm = _check(request.query, "query")
        hits = [
            pb.SearchHit(movie=_ref(m), match=pb.SearchHit.MATCH_KIND_PREFIX, score=90.0, vote_count=m.vote_count)
            for m in FILMS
            if norm and normalize_text(m.title).startswith(norm)
        ]
        return pb.SearchMoviesResponse(hits=hits, total_size=len(hits))

    async def CountReleasesByMonth(self, request: pb.CountReleasesByMonthRequest, timeout: float | None = None) -> Any:
        self._enter("CountReleasesByMonth", request, timeout)
        _check(request.month, "month")
        number = MONTH.number(request.month)
        if number is None:
            raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, MONTH.error(request.month), MONTH.names)
        count = sum(int(m.release_date[5:7]) == number for m in FILMS)
        return pb.CountReleasesByMonthResponse(name=MONTH.names[number - 1], number=number, count=count)

    async def CountReleasesByWeekday(
        self, request: pb.CountReleasesByWeekdayRequest, timeout: float | None = None
    ) -> Any:
        self._enter("CountReleasesByWeekday", request, timeout)
        _check(request.day, "day")
        number = WEEKDAY.number(request.day)
        if number is None:
            raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, WEEKDAY.error(request.day), WEEKDAY.names)
        return pb.CountReleasesByWeekdayResponse(
            name=WEEKDAY.names[number - 1], number=number, count=2 if number == 1 else 0
        )

    async def GetTitleScore(self, request: pb.GetTitleScoreRequest, timeout: float | None = None) -> Any:
        self._enter("GetTitleScore", request, timeout)
        m = self._title(request)
        return pb.GetTitleScoreResponse(movie=_ref(m), popularity=m.popularity)

    async def GetTitleVotes(self, request: pb.GetTitleVotesRequest, timeout: float | None = None) -> Any:
        self._enter("GetTitleVotes", request, timeout)
        m = self._title(request)
        return pb.GetTitleVotesResponse(
            movie=_ref(m),
            vote_count=m.vote_count,
            vote_average=m.vote_average,
            reaches_2000_votes=m.vote_count >= VOTES_THRESHOLD,
        )

    async def GetRuntime(self, request: pb.GetRuntimeRequest, timeout: float | None = None) -> Any:
        self._enter("GetRuntime", request, timeout)
        m = self._title(request)
        reply = pb.GetRuntimeResponse(movie=_ref(m))
        if m.HasField("runtime"):
            reply.runtime = m.runtime
        return reply

    async def GetMovieReturn(self, request: pb.GetMovieReturnRequest, timeout: float | None = None) -> Any:
        self._enter("GetMovieReturn", request, timeout)
        m = self._title(request)
        return pb.GetMovieReturnResponse(movie=_ref(m), budget=m.budget, revenue=m.revenue, return_ratio=m.return_ratio)

    async def GetActor(self, request: pb.GetActorRequest, timeout: float | None = None) -> Any:
        self._enter("GetActor", request, timeout)
        if _check(request.name, "actor name") != "tom hanks":
            raise _not_found("actor", request.name, ["Tom Hanks", "Tom Noonan"])
        ret = FILMS[0].return_ratio
        film = pb.ActorFilm(movie=_ref(FILMS[0]), character="Woody (voice)", return_ratio=ret)
        return pb.GetActorResponse(
            name="Tom Hanks", person_ids=[31], movie_count=1, total_return=ret, average_return=ret, films=[film]
        )

    async def GetDirector(self, request: pb.GetDirectorRequest, timeout: float | None = None) -> Any:
        self._enter("GetDirector", request, timeout)
        if _check(request.name, "director name") != "michael mann":
            raise _not_found("director", request.name, ["Michael Mann"])
        heat = FILMS[1]
        film = pb.DirectorFilm(
            movie=_ref(heat),
            title=heat.title,
            release_date=heat.release_date,
            budget=heat.budget,
            revenue=heat.revenue,
            profit=heat.revenue - heat.budget,
            return_ratio=heat.return_ratio,
        )
        return pb.GetDirectorResponse(
            name="Michael Mann", person_ids=[638], movie_count=1, total_return=heat.return_ratio, films=[film]
        )

    async def GetCollection(self, request: pb.GetCollectionRequest, timeout: float | None = None) -> Any:
        self._enter("GetCollection", request, timeout)
        if _check(request.name, "collection name") not in ("toy story", "toy story collection"):
            raise _not_found("collection", request.name, ["Toy Story Collection"])
        return pb.GetCollectionResponse(
            name="Toy Story Collection",
            collection_id=10194,
            movie_count=1,
            total_revenue=FILMS[0].revenue,
            average_revenue=float(FILMS[0].revenue),
            films=[_ref(FILMS[0])],
        )

    async def GetCompany(self, request: pb.GetCompanyRequest, timeout: float | None = None) -> Any:
        self._enter("GetCompany", request, timeout)
        if _check(request.name, "company name") != "pixar animation studios":
            raise _not_found("production company", request.name, ["Pixar Animation Studios"])
        return pb.GetCompanyResponse(
            name="Pixar Animation Studios", company_ids=[3], movie_count=1, total_revenue=FILMS[0].revenue,
            films=_group_films(FILMS[:1], request.limit),
        )  # fmt: skip

    async def CountByCountry(self, request: pb.CountByCountryRequest, timeout: float | None = None) -> Any:
        self._enter("CountByCountry", request, timeout)
        if _check(request.country, "country") not in ("us", "united states of america"):
            raise _not_found("country", request.country, ["United States of America"])
        return pb.CountByCountryResponse(
            name="United States of America", iso_3166_1="US", count=1, films=_group_films(FILMS[:1], request.limit)
        )

    async def CountByLanguage(self, request: pb.CountByLanguageRequest, timeout: float | None = None) -> Any:
        self._enter("CountByLanguage", request, timeout)
        if _check(request.language, "language") not in ("en", "english"):
            raise _not_found("language", request.language, ["English"])
        return pb.CountByLanguageResponse(
            iso_639_1="en", name="English", english_name="English", count=3, films=_group_films(FILMS, request.limit)
        )


class FakeRecommender(FakeStub):
    """RecommenderService: the other films, best voted first, never the seed."""

    async def BatchRecommend(self, request: rpb.BatchRecommendRequest, timeout: float | None = None) -> Any:
        self._enter("BatchRecommend", request, timeout)
        reply = rpb.BatchRecommendResponse()
        await self._each(self._recommend, request.requests, reply.results, "response")
        return reply

    async def Recommend(self, request: rpb.RecommendRequest, timeout: float | None = None) -> Any:
        self._enter("Recommend", request, timeout)
        return await self._recommend(request)

    async def _recommend(self, request: rpb.RecommendRequest) -> Any:
        limit = request.limit or 5
        if not 1 <= limit <= MAX_LIMIT:
            raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        seed = rpb.ResolvedSeed()
        kind = request.WhichOneof("seed")
        if kind == "movie_id":
            found = [m for m in FILMS if m.id == request.movie_id]
            if not found:
                raise rpc_error(grpc.StatusCode.NOT_FOUND, f"no film with id {request.movie_id}")
            seed.kind = rpb.ResolvedSeed.KIND_MOVIE_ID
            seed.movie.CopyFrom(_ref(found[0]))
        elif kind == "title":
            norm = _check(request.title.title, "title")
            found = [m for m in FILMS if normalize_text(m.title) == norm]
            if not found:
                raise _not_found("film", request.title.title, [m.title for m in FILMS])
            seed.kind = rpb.ResolvedSeed.KIND_TITLE
            seed.movie.CopyFrom(_ref(found[0]))
        elif kind == "text":
            if not _check(request.text, "text"):
                raise rpc_error(grpc.StatusCode.NOT_FOUND, f"none of the words of {request.text!r} are known")
            seed.kind, seed.text = rpb.ResolvedSeed.KIND_TEXT, request.text
            found = []
        else:
            raise rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "give a seed: movie_id, title or text")
        others = sorted((m for m in FILMS if m not in found), key=lambda m: -m.vote_count)
        recommendations = [
            rpb.Recommendation(
                movie=_ref(m),
                genres=list(m.genres),
                score=0.5,
                similarity=0.25,
                reasons=[rpb.Recommendation.REASON_TEXT_SIMILARITY],
            )
            for m in others[:limit]
        ]
        return rpb.RecommendResponse(seed=seed, recommendations=recommendations, matched=len(others))

    async def GetModelInfo(self, request: rpb.GetModelInfoRequest, timeout: float | None = None) -> Any:
        self._enter("GetModelInfo", request, timeout)
        return rpb.GetModelInfoResponse(
            release_version="20261126T055211923Z-d7ff1319",
            built_at="2026-11-26T05:52:11Z",
            items=len(FILMS),
            dimensions=64,
            trees=20,
            metric="angular",
            recall_at_10=0.97,
            parameters={"svd_components": "64"},
            build_seconds=1.5,
        )


class FakeHealth:
    """grpc.health.v1 Check: SERVING unless told otherwise (a status name, or a failing code)."""

    def __init__(self, status: str = "SERVING", error: grpc.StatusCode | None = None) -> None:
        self.status = status
        self.error = error
        self.asked: list[str] = []

    async def Check(self, request: health_pb2.HealthCheckRequest, timeout: float | None = None) -> Any:
        self.asked.append(request.service)
        if self.error is not None:
            raise rpc_error(self.error, "failed to connect to all addresses")
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.ServingStatus.Value(self.status))


@contextmanager
def http_client(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient over `app`, lifespan included; server errors answer as they would over HTTP."""
    with warnings.catch_warnings():
        # Starlette prefers the httpx2 package but works the same over httpx (a test dependency only).
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@contextmanager
def gateway_client(fakes: Fakes, **settings: Any) -> Iterator[TestClient]:
    """A TestClient over the gateway wired to `fakes`."""
    from marquee_gateway.main import create_app

    with http_client(create_app(GatewaySettings(**settings), connect=fakes.connector())) as client:
        yield client


@dataclass
class Fakes:
    """Every fake the gateway talks to, to arrange failures and read call logs in a test."""

    catalog: FakeCatalog = field(default_factory=FakeCatalog)
    recommender: FakeRecommender = field(default_factory=FakeRecommender)
    catalog_health: FakeHealth = field(default_factory=FakeHealth)
    recommender_health: FakeHealth = field(default_factory=FakeHealth)

    def connector(self) -> Connector:
        def connect(settings: GatewaySettings, metrics: Metrics) -> Upstreams:
            return Upstreams(
                catalog=CatalogClient(
                    "catalog",
                    CATALOG_SERVICE,
                    self.catalog,
                    self.catalog_health,
                    self.catalog,
                    settings.deadline_s,
                    metrics,
                    batch_size=settings.batch_size,
                ),  # type: ignore[arg-type]
                recommender=RecommenderClient(
                    "recommender",
                    RECOMMENDER_SERVICE,
                    self.recommender,
                    self.recommender_health,
                    self.recommender,
                    settings.deadline_s,
                    metrics,
                    batch_size=settings.batch_size,
                ),  # type: ignore[arg-type]
            )

        return connect
