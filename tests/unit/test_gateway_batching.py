"""Request coalescing in the gateway (batching.py), over the in-process fake services.

What a caller relies on: each request gets exactly the answer or the error its own call would
have had, whether or not it travelled in a batch; requests made together share one call.
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee_gateway.clients import CATALOG_SERVICE, RECOMMENDER_SERVICE, CatalogClient, RecommenderClient
from marquee_gateway.errors import UpstreamError
from marquee_gateway.metrics import Metrics
from tests.unit.gateway_fakes import FakeCatalog, FakeHealth, FakeRecommender


def catalog(fake: FakeCatalog, batch_size: int = 100) -> CatalogClient:
    return CatalogClient("catalog", CATALOG_SERVICE, fake, FakeHealth(), fake, 2.0, Metrics(), batch_size=batch_size)  # type: ignore[arg-type]


def methods(fake: Any) -> list[str]:
    return [method for method, _, _ in fake.calls]


async def outcomes(calls: list[Any]) -> list[Any]:
    """Each call's answer or exception, the calls made in one turn of the event loop."""
    return await asyncio.gather(*calls, return_exceptions=True)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_requests_made_together_share_one_call_and_keep_their_own_answers() -> None:
    fake = FakeCatalog()
    client = catalog(fake)
    ids = [949, 862, 8844, 862]
    got = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=i)) for i in ids]))
    assert methods(fake) == ["BatchGetMovies"]
    assert list(fake.calls[0][1].movie_ids) == ids
    assert fake.calls[0][2] == 2.0  # the deadline goes with the batch
    assert [m.title for m in got] == ["Heat", "Toy Story", "Jumanji", "Toy Story"]


def test_a_lone_request_goes_as_the_plain_call() -> None:
    fake = FakeCatalog()
    movie = run(catalog(fake).movies.call(pb.GetMovieRequest(movie_id=862)))
    assert movie.title == "Toy Story"
    assert methods(fake) == ["GetMovie"]


def test_one_failing_item_fails_only_its_own_request_with_the_error_its_call_would_give() -> None:
    alone = FakeCatalog()
    with pytest.raises(UpstreamError) as single:
        run(catalog(alone).movies.call(pb.GetMovieRequest(movie_id=5)))
    fake = FakeCatalog()
    client = catalog(fake)
    got = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=i)) for i in (862, 5, 0, 949)]))
    assert methods(fake) == ["BatchGetMovies"]
    assert got[0].title == "Toy Story" and got[3].title == "Heat"
    assert isinstance(got[1], UpstreamError) and isinstance(got[2], UpstreamError)
    assert (got[1].code, got[1].message) == (grpc.StatusCode.NOT_FOUND, "no film with id 5")
    assert (got[1].code, got[1].message, got[1].upstream) == (single.value.code, single.value.message, "catalog")
    assert got[2].code == grpc.StatusCode.INVALID_ARGUMENT
    assert got[2].message == "movie_id must be positive, got 0"


def test_suggestions_of_a_failing_item_reach_its_request() -> None:
    fake = FakeRecommender()
    client = RecommenderClient("recommender", RECOMMENDER_SERVICE, fake, FakeHealth(), fake, 2.0, Metrics())  # type: ignore[arg-type]
    requests = [rpb.RecommendRequest(title=rpb.TitleSeed(title=t), limit=2) for t in ("Toy Story", "Toy Stroy")]
    good, bad = run(outcomes([client.recommend.call(r) for r in requests]))
    assert methods(fake) == ["BatchRecommend"]
    assert good.seed.movie.title == "Toy Story" and len(good.recommendations) == 2
    assert isinstance(bad, UpstreamError) and bad.code == grpc.StatusCode.NOT_FOUND
    assert bad.suggestions == ["Toy Story"]


def test_batches_hold_at_most_batch_size_requests() -> None:
    fake = FakeCatalog()
    client = catalog(fake, batch_size=2)
    got = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=862)) for _ in range(5)]))
    assert [m.title for m in got] == ["Toy Story"] * 5
    assert sorted(methods(fake)) == ["BatchGetMovies", "BatchGetMovies", "GetMovie"]
    assert sorted(len(r.movie_ids) for m, r, _ in fake.calls if m == "BatchGetMovies") == [2, 2]


def test_batch_size_one_sends_plain_calls_only() -> None:
    fake = FakeCatalog()
    client = catalog(fake, batch_size=1)
    run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=862)) for _ in range(3)]))
    assert methods(fake) == ["GetMovie"] * 3


def test_a_failed_batch_call_fails_every_request_in_it_each_with_its_own_error() -> None:
    fake = FakeCatalog()
    fake.fail_with("BatchGetMovies", grpc.StatusCode.UNAVAILABLE, "connection refused")
    client = catalog(fake)
    got = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=i)) for i in (862, 949)]))
    assert all(isinstance(e, UpstreamError) and e.code == grpc.StatusCode.UNAVAILABLE for e in got)
    assert got[0] is not got[1]
    assert got[0].message == "the catalog service is unavailable; retry shortly"


def test_an_upstream_without_the_batch_method_gets_plain_calls_from_then_on() -> None:
    fake = FakeCatalog()
    fake.fail_with("BatchGetMovies", grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
    client = catalog(fake)
    first = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=i)) for i in (862, 949)]))
    assert [m.title for m in first] == ["Toy Story", "Heat"]
    assert methods(fake) == ["BatchGetMovies", "GetMovie", "GetMovie"]
    fake.calls.clear()
    second = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=i)) for i in (8844, 862)]))
    assert [m.title for m in second] == ["Jumanji", "Toy Story"]
    assert methods(fake) == ["GetMovie", "GetMovie"]


def test_a_request_whose_client_went_away_does_not_upset_the_others() -> None:
    fake = FakeCatalog()
    client = catalog(fake)

    async def scenario() -> list[Any]:
        calls = [asyncio.ensure_future(client.movies.call(pb.GetMovieRequest(movie_id=i))) for i in (862, 949)]
        await asyncio.sleep(0)  # both are waiting for the batch now
        calls[0].cancel()
        return await outcomes(calls)

    gone, heat = run(scenario())
    assert isinstance(gone, asyncio.CancelledError)
    assert heat.title == "Heat"


def test_a_fault_of_the_gateway_itself_reaches_every_request_of_the_batch() -> None:
    fake = FakeCatalog()
    fake.break_with("BatchGetMovies", RuntimeError("a bug"))
    client = catalog(fake)
    got = run(outcomes([client.movies.call(pb.GetMovieRequest(movie_id=i)) for i in (862, 949)]))
    assert all(isinstance(e, RuntimeError) for e in got)
