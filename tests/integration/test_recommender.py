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
from tests.harness import SAMPLE_RAW, RunningService
from tests.oracle import Oracle
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
        (pb.RecommendRequest(movie_id=1, popularity=1.5), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(movie_id=1, popularity=-0.1), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.RecommendRequest(movie_id=1, popularity=float("nan")), grpc.StatusCode.INVALID_ARGUMENT),
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


def test_a_popularity_outside_0_to_1_is_refused_by_name(recommender) -> None:
    err = _error(lambda: recommender.Recommend(pb.RecommendRequest(movie_id=1, popularity=2)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "popularity" in err.details() and "between 0" in err.details() and "2" in err.details()


def test_the_answer_says_which_popularity_ranked_it_and_the_default_is_0_6(recommender) -> None:
    """0.6 is the documented default (README, bench/README.md): a request without one is ranked with it."""
    unset = recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=10))
    explicit = recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=0.6))
    assert unset.popularity == pytest.approx(0.6) and explicit.popularity == pytest.approx(0.6)
    assert _ids(unset) == _ids(explicit)
    zero = recommender.Recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=0))
    assert zero.popularity == 0


def test_on_the_real_sample_popularity_adds_ln_votes_scaled_to_the_most_voted_film(sample_recommender) -> None:
    """score(popularity 1) - score(popularity 0) is each film's prior: ln(1 + votes) / ln(1 + the most
    votes of any film), with votes read from the raw file by the test's own oracle."""
    import math

    films = Oracle.load(SAMPLE_RAW, credits=False).films
    top = math.log1p(max(f.votes for f in films.values()))
    for seed in (862, 949, 710):
        low = sample_recommender.Recommend(pb.RecommendRequest(movie_id=seed, limit=50, popularity=0))
        high = sample_recommender.Recommend(pb.RecommendRequest(movie_id=seed, limit=50, popularity=1))
        scores = {r.movie.id: r.score for r in low.recommendations}
        common = [r for r in high.recommendations if r.movie.id in scores]
        assert len(common) >= 10
        for r in common:
            prior = math.log1p(films[r.movie.id].votes) / top
            assert r.score - scores[r.movie.id] == pytest.approx(prior, abs=1e-4), r.movie.title


def test_on_the_real_sample_popularity_1_offers_better_known_films_than_0(sample_recommender) -> None:
    """For the 30 most-voted films, the films offered at popularity 1 have more votes than those at 0."""
    films = Oracle.load(SAMPLE_RAW, credits=False).films
    seeds = Oracle.most_voted(list(films.values()), 30)
    lower = higher = 0
    for seed in seeds:
        votes = {}
        for popularity in (0.0, 1.0):
            reply = sample_recommender.Recommend(pb.RecommendRequest(movie_id=seed, limit=5, popularity=popularity))
            votes[popularity] = sorted(films[r.movie.id].votes for r in reply.recommendations if r.movie.id in films)
        assert sum(votes[1.0]) >= sum(votes[0.0])  # the same candidates, each scored higher by its prior
        higher += sum(votes[1.0]) > sum(votes[0.0])
        lower += votes[1.0][len(votes[1.0]) // 2] < votes[0.0][len(votes[0.0]) // 2]
    assert higher >= 20 and lower == 0
