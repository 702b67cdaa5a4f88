"""CatalogService over gRPC: each method unpacks the request, asks the store of the release serving now,
and builds the reply from its answer (replies.py).

Methods whose cost grows with their input (batches, searches, names matched with suggestions)
run off the event loop (`rpc(offload=True)`); a film or a count by month is a dictionary hit.
"""

from __future__ import annotations

from pathlib import Path

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import catalog_pb2_grpc as pb_grpc
from marquee.v1 import shared_pb2
from marquee_catalog import replies
from marquee_catalog.release import open_catalog
from marquee_catalog.store import CatalogStore
from marquee_server.rpc import each, rpc
from marquee_server.serving import ReleaseHolder

Store = CatalogStore


TitleRequest = pb.GetTitleScoreRequest | pb.GetTitleVotesRequest | pb.GetRuntimeRequest | pb.GetMovieReturnRequest


def _year(request: TitleRequest | pb.SearchMoviesRequest) -> int | None:
    return request.year if request.HasField("year") else None


class CatalogServicer(pb_grpc.CatalogServiceServicer):
    """Answers from the store of the release the holder serves; UNAVAILABLE before it has one."""

    def __init__(self, data_dir: Path) -> None:
        self.holder: ReleaseHolder[CatalogStore] = ReleaseHolder(data_dir, open_catalog, "release")

    @rpc()
    def GetMovie(self, request: pb.GetMovieRequest, store: Store) -> pb.GetMovieResponse:
        return pb.GetMovieResponse(movie=replies.movie(store.movies.record(request.movie_id)))

    @rpc(offload=True)
    def BatchGetMovies(self, request: pb.BatchGetMoviesRequest, store: Store) -> pb.BatchGetMoviesResponse:
        response = pb.BatchGetMoviesResponse()
        for movie, failure in each(request.movie_ids, lambda movie_id: replies.movie(store.movies.record(movie_id))):
            if failure is None:
                response.results.add(movie=movie)
            else:
                response.results.add(failure=shared_pb2.Failure(**failure))
        return response

    @rpc(offload=True)
    def SearchMovies(self, request: pb.SearchMoviesRequest, store: Store) -> pb.SearchMoviesResponse:
        return replies.search_page(
            store.titles.search(request.query, _year(request), request.page_size, request.page_token)
        )

    @rpc()
    def CountReleasesByMonth(
        self, request: pb.CountReleasesByMonthRequest, store: Store
    ) -> pb.CountReleasesByMonthResponse:
        return replies.month(store.figures.month(request.month))

    @rpc()
    def CountReleasesByWeekday(
        self, request: pb.CountReleasesByWeekdayRequest, store: Store
    ) -> pb.CountReleasesByWeekdayResponse:
        return replies.weekday(store.figures.weekday(request.day))

    @rpc(offload=True)
    def GetTitleScore(self, request: pb.GetTitleScoreRequest, store: Store) -> pb.GetTitleScoreResponse:
        return replies.title_score(store.titles.resolve(request.title, _year(request)))

    @rpc(offload=True)
    def GetTitleVotes(self, request: pb.GetTitleVotesRequest, store: Store) -> pb.GetTitleVotesResponse:
        return replies.title_votes(store.titles.resolve(request.title, _year(request)))

    @rpc(offload=True)
    def GetRuntime(self, request: pb.GetRuntimeRequest, store: Store) -> pb.GetRuntimeResponse:
        return replies.runtime(store.titles.resolve(request.title, _year(request)))

    @rpc(offload=True)
    def GetMovieReturn(self, request: pb.GetMovieReturnRequest, store: Store) -> pb.GetMovieReturnResponse:
        return replies.movie_return(store.titles.resolve(request.title, _year(request)))

    @rpc(offload=True)
    def GetActor(self, request: pb.GetActorRequest, store: Store) -> pb.GetActorResponse:
        return replies.actor(store.people.actor(request.name))

    @rpc(offload=True)
    def GetDirector(self, request: pb.GetDirectorRequest, store: Store) -> pb.GetDirectorResponse:
        return replies.director(store.people.director(request.name))

    @rpc(offload=True)
    def GetCollection(self, request: pb.GetCollectionRequest, store: Store) -> pb.GetCollectionResponse:
        return replies.collection(store.figures.collection(request.name))

    @rpc(offload=True)
    def GetCompany(self, request: pb.GetCompanyRequest, store: Store) -> pb.GetCompanyResponse:
        return replies.company(store.figures.company(request.name, request.limit))

    @rpc(offload=True)
    def CountByCountry(self, request: pb.CountByCountryRequest, store: Store) -> pb.CountByCountryResponse:
        return replies.country(store.figures.country(request.country, request.limit))

    @rpc(offload=True)
    def CountByLanguage(self, request: pb.CountByLanguageRequest, store: Store) -> pb.CountByLanguageResponse:
        return replies.language(store.figures.language(request.language, request.limit))
