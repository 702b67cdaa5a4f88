"""CatalogService over gRPC: each method unpacks the request and asks the store."""

from __future__ import annotations

from pathlib import Path

import grpc

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import catalog_pb2_grpc as pb_grpc
from marquee.v1 import release_pb2
from marquee_catalog.release import open_catalog
from marquee_catalog.store import CatalogStore
from marquee_common.rpc import each, rpc
from marquee_common.serving import ReleaseHolder

Ctx = grpc.aio.ServicerContext


def _year(request: pb.TitleRequest | pb.SearchMoviesRequest) -> int | None:
    return request.year if request.HasField("year") else None


class CatalogServicer(pb_grpc.CatalogServiceServicer):
    """Answers from the store of the release the holder serves; UNAVAILABLE before it has one."""

    def __init__(self, data_dir: Path) -> None:
        self.holder: ReleaseHolder[CatalogStore] = ReleaseHolder(data_dir, open_catalog, "release")

    @property
    def store(self) -> CatalogStore:
        return self.holder.core

    @rpc
    async def GetReleaseInfo(self, request: release_pb2.GetReleaseInfoRequest, context: Ctx) -> release_pb2.ReleaseInfo:
        return release_pb2.ReleaseInfo(**self.holder.info())

    @rpc
    async def GetMovie(self, request: pb.GetMovieRequest, context: Ctx) -> pb.Movie:
        return self.store.get_movie(request.movie_id)

    @rpc
    async def BatchGetMovies(self, request: pb.BatchGetMoviesRequest, context: Ctx) -> pb.BatchGetMoviesResponse:
        response = pb.BatchGetMoviesResponse()
        store = self.store  # the whole batch on one release
        for movie, failure in each(request.movie_ids, store.get_movie):
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
