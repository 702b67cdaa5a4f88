"""The recommender over a real gRPC connection to the real server process, on the hand-made
fixture (tests/fixtures/EXPECTED.md) and on the real sample."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc
from tests.harness import RunningService
from tests.status_details import details

Reason = pb.Recommendation.Reason


@pytest.fixture(scope="module")
def recommender(recommender_process: RunningService) -> Iterator[recommender_pb2_grpc.RecommenderServiceStub]:
    with grpc.insecure_channel(recommender_process.target) as channel:
        yield recommender_pb2_grpc.RecommenderServiceStub(channel)


def _ids(reply: pb.RecommendResponse) -> list[int]:
    return [r.movie.id for r in reply.recommendations]


def _error(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


def test_a_sequel_in_the_same_collection_by_the_same_director_comes_first(recommender) -> None:
    reply = recommender.Recommend(pb.RecommendRequest(movie_id=1))
    assert reply.seed.movie.title == "Alpha" and reply.seed.kind == pb.ResolvedSeed.KIND_MOVIE_ID
    first = reply.recommendations[0]
    assert first.movie.id == 2
    assert {Reason.REASON_SAME_COLLECTION, Reason.REASON_SAME_DIRECTOR, Reason.REASON_SHARED_GENRES} <= set(
        first.reasons
    )
    assert list(first.shared_genres) == ["Drama"]


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_never_the_seed_never_twice_and_never_more_than_the_limit(recommender, limit: int) -> None:
    ids = _ids(recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=limit)))
    assert 1 not in ids
    assert len(ids) == len(set(ids)) == min(limit, 6)  # 7 films are not adult; the seed is one


def test_the_default_limit_is_five(recommender) -> None:
    assert len(recommender.Recommend(pb.RecommendRequest(movie_id=1)).recommendations) == 5


def test_adult_films_stay_out_unless_asked_for(recommender) -> None:
    assert 13 not in _ids(recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=50)))
    with_adult = pb.RecommendFilters(include_adult=True)
    assert 13 in _ids(recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=50, filters=with_adult)))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (pb.RecommendFilters(genres=["comedy"]), {2}),
        (pb.RecommendFilters(year_min=2005), {10, 12, 5}),
        (pb.RecommendFilters(year_min=2005, year_max=2009), {10, 12}),
        (pb.RecommendFilters(min_votes=100), {2, 5}),
    ],
)
def test_filters_are_honoured_and_the_match_count_is_reported(recommender, filters, expected: set[int]) -> None:
    reply = recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=10, filters=filters))
    assert set(_ids(reply)) == expected
    assert reply.matched == len(expected)


def test_a_title_seed_is_resolved_like_the_catalog_does(recommender) -> None:
    reply = recommender.Recommend(pb.RecommendRequest(title=pb.TitleSeed(title="twin")))
    assert (reply.seed.movie.id, [m.id for m in reply.seed.same_title]) == (5, [4])
    older = recommender.Recommend(pb.RecommendRequest(title=pb.TitleSeed(title="Twin", year=1990)))
    assert older.seed.movie.id == 4 and 4 not in _ids(older)


def test_free_text_finds_films_by_their_words(recommender) -> None:
    reply = recommender.Recommend(pb.RecommendRequest(text="the alpha"))
    assert reply.seed.kind == pb.ResolvedSeed.KIND_TEXT and reply.seed.text == "the alpha"
    assert set(_ids(reply)[:2]) == {1, 2}  # the two films whose titles say alpha


def test_an_unknown_title_is_not_found_with_suggestions(recommender) -> None:
    err = _error(lambda: recommender.Recommend(pb.RecommendRequest(title=pb.TitleSeed(title="Alpah"))))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert "Alpha" in details(err).suggestions


def test_a_batch_answers_each_request_as_recommend_would_suggestions_included(recommender) -> None:
    requests = [
        pb.RecommendRequest(movie_id=1, limit=3),
        pb.RecommendRequest(title=pb.TitleSeed(title="Alpah")),
        pb.RecommendRequest(text="alpha", limit=2),
        pb.RecommendRequest(movie_id=1, limit=99),
    ]
    reply = recommender.BatchRecommend(pb.BatchRecommendRequest(requests=requests))
    assert [r.WhichOneof("result") for r in reply.results] == ["response", "failure", "response", "failure"]
    assert reply.results[0].response == recommender.Recommend(requests[0])
    assert reply.results[2].response == recommender.Recommend(requests[2])
    for index in (1, 3):
        alone = _error(lambda i=index: recommender.Recommend(requests[i]))
        failure = reply.results[index].failure
        assert (failure.code, failure.message) == (alone.code().name, alone.details())
    assert reply.results[1].failure.code == "NOT_FOUND" and "Alpha" in reply.results[1].failure.suggestions
    assert reply.results[3].failure.code == "INVALID_ARGUMENT"


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (pb.RecommendRequest(), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(movie_id=999), grpc.StatusCode.NOT_FOUND),
        (pb.RecommendRequest(movie_id=-1), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(movie_id=1, limit=51), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(movie_id=1, limit=-2), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(text=""), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(text="x" * 201), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(text="qwertyuiop zxcvbnm"), grpc.StatusCode.NOT_FOUND),
        (pb.RecommendRequest(text="!!! ?"), grpc.StatusCode.NOT_FOUND),
        (pb.RecommendRequest(movie_id=1, filters=pb.RecommendFilters(genres=["Polka"])), grpc.StatusCode.NOT_FOUND),
        (pb.RecommendRequest(movie_id=1, filters=pb.RecommendFilters(year_min=2010, year_max=2000)),
         grpc.StatusCode.INVALID_ARGUMENT),
    ],
)  # fmt: skip
def test_bad_requests_get_a_clear_status(recommender, request_, code) -> None:
    err = _error(lambda: recommender.Recommend(request_))
    assert err.code() == code and err.details()


def test_an_unknown_genre_is_not_found_and_names_the_close_ones(recommender) -> None:
    """Which genres exist depends on the release: a well-formed name that matches none is NOT_FOUND."""
    request = pb.RecommendRequest(movie_id=1, filters=pb.RecommendFilters(genres=["Comedi"]))
    err = _error(lambda: recommender.Recommend(request))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert "Comedi" in err.details() and "Comedy" in err.details()
    assert details(err).suggestions[0] == "Comedy"


def test_model_info_describes_the_served_model(recommender, fixture_data_dir: Path) -> None:
    info = recommender.GetModelInfo(pb.GetModelInfoRequest())
    manifest = json.loads((fixture_data_dir / "current" / "manifest.json").read_text())
    assert info.release_version == manifest["version"]
    assert (info.items, info.metric, info.recall_at_10) == (8, "angular", manifest["model"]["recall_at_10"])
    assert info.dimensions >= 1 and info.trees == manifest["model"]["trees"]
    assert "search_k" in info.parameters


def test_reflection_lists_the_recommender(recommender_process: RunningService) -> None:
    with grpc.insecure_channel(recommender_process.target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert "marquee.v1.RecommenderService" in names


@pytest.fixture(scope="module")
def sample_recommender(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("logs") / "recommender-sample.log"
    service = RunningService("marquee_recommender", "RECOMMENDER", sample_data_dir, "marquee.v1.RecommenderService",
                             log)  # fmt: skip
    try:
        with grpc.insecure_channel(service.target) as channel:
            yield recommender_pb2_grpc.RecommenderServiceStub(channel)
    finally:
        service.stop()


@pytest.mark.parametrize(
    ("title", "mates"),
    [("Toy Story", {"Toy Story 2"}), ("GoldenEye", {"Dr. No", "Goldfinger", "From Russia with Love", "Thunderball"})],
)
def test_on_the_real_sample_collection_mates_lead_the_list(sample_recommender, title: str, mates: set[str]) -> None:
    reply = sample_recommender.Recommend(pb.RecommendRequest(title=pb.TitleSeed(title=title), limit=5))
    titles = {r.movie.title for r in reply.recommendations}
    assert titles & mates
    assert reply.seed.movie.title not in titles


def test_on_the_real_sample_each_films_listed_neighbours_are_its_nearest(sample_data_dir: Path) -> None:
    """The release's neighbour lists (what by-film queries now read) against a plain search."""
    import numpy as np

    model = sample_data_dir / "current" / "model"
    manifest = json.loads((sample_data_dir / "current" / "manifest.json").read_text())
    vectors = np.load(model / "vectors.npy").astype(np.float64)
    neighbours = np.load(model / "neighbours.npy")
    assert manifest["model"]["neighbours"] == 100 and neighbours.shape == (len(vectors), 100)
    for row in range(0, len(vectors), 97):
        similarity = vectors @ vectors[row]
        similarity[row] = -np.inf
        best = np.sort(similarity)[::-1][:100]
        assert row not in neighbours[row].tolist()
        assert similarity[neighbours[row]] == pytest.approx(best, abs=1e-5)
