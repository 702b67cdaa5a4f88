"""CatalogService over gRPC: each method unpacks the request and asks the store."""

from __future__ import annotations

import threading
from pathlib import Path

import grpc

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import catalog_pb2_grpc as pb_grpc
from marquee_catalog.store import CatalogStore
from marquee_common.errors import IndexNotReady
from marquee_common.release import resolve_current
from marquee_common.rpc import each, rpc

Ctx = grpc.aio.ServicerContext


def _year(request: pb.TitleRequest | pb.SearchMoviesRequest) -> int | None:
    return request.year if request.HasField("year") else None


class CatalogServicer(pb_grpc.CatalogServiceServicer):
    """Answers from the store once `load` has run; UNAVAILABLE before."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._store: CatalogStore | None = None

    def load(self) -> None:
        store = CatalogStore(resolve_current(self.data_dir))
        self._store = store
        # Suggestions work at once by scoring every name; their faster buckets come a moment later.
        threading.Thread(target=store.prepare_suggestions, name="prepare-suggestions", daemon=True).start()

    @property
    def store(self) -> CatalogStore:
        if self._store is None:
            raise IndexNotReady("the catalog is still loading its release; retry shortly")
        return self._store

    @rpc
    async def GetMovie(self, request: pb.GetMovieRequest, context: Ctx) -> pb.Movie:
        return self.store.get_movie(request.movie_id)

    @rpc
    async def BatchGetMovies(self, request: pb.BatchGetMoviesRequest, context: Ctx) -> pb.BatchGetMoviesResponse:
        response = pb.BatchGetMoviesResponse()
        for movie, failure in each(request.movie_ids, self.store.get_movie):
            if failure is None:
                response.results.add(movie=movie)
            else:
                response.results.add(failure=pb.Failure(**failure))
        return response

    @rpc
    async def SearchMovies(self, request: pb.SearchMoviesRequest, context: Ctx) -> pb.SearchMoviesResponse:
        return self.store.search(request.query, _year(request), request.page_size, request.page_token)

    @rpc
    async def CountReleasesByMonth(self, request: pb.MonthRequest, context: Ctx) -> pb.ReleaseCountResponse:
        return self.store.count_month(request.month)

    @rpc
    async def CountReleasesByWeekday(self, request: pb.WeekdayRequest, context: Ctx) -> pb.ReleaseCountResponse:
        return self.store.count_weekday(request.day)

    @rpc
    async def GetTitleScore(self, request: pb.TitleRequest, context: Ctx) -> pb.TitleScoreResponse:
        return self.store.title_score(request.title, _year(request))

    @rpc
    async def GetTitleVotes(self, request: pb.TitleRequest, context: Ctx) -> pb.TitleVotesResponse:
        return self.store.title_votes(request.title, _year(request))

    @rpc
    async def GetRuntime(self, request: pb.TitleRequest, context: Ctx) -> pb.RuntimeResponse:
        return self.store.runtime(request.title, _year(request))

    @rpc
    async def GetMovieReturn(self, request: pb.TitleRequest, context: Ctx) -> pb.MovieReturnResponse:
        return self.store.movie_return(request.title, _year(request))

    @rpc
    async def GetActor(self, request: pb.NameRequest, context: Ctx) -> pb.ActorResponse:
        return self.store.actor(request.name)

    @rpc
    async def GetDirector(self, request: pb.NameRequest, context: Ctx) -> pb.DirectorResponse:
        return self.store.director(request.name)

    @rpc
    async def GetCollection(self, request: pb.NameRequest, context: Ctx) -> pb.CollectionResponse:
        return self.store.collection(request.name)

    @rpc
    async def GetCompany(self, request: pb.NameRequest, context: Ctx) -> pb.CompanyResponse:
        return self.store.company(request.name)

    @rpc
    async def CountByCountry(self, request: pb.CountryRequest, context: Ctx) -> pb.CountryResponse:
        return self.store.country(request.country)

    @rpc
    async def CountByLanguage(self, request: pb.LanguageRequest, context: Ctx) -> pb.LanguageResponse:
        return self.store.language(request.language)
