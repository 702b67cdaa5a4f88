"""The recommender serving a release built with ratings: what the same viewers liked joins the
ranking, with its reason; a film with too few viewers has no viewers' term. A request that leaves
popularity unset is ranked with the blend the pipeline learned (model.viewers.blend); one that sets
it, with the settings' weights at that popularity, as a release without ratings is.

Hand-made ratings over the fixture's films (tests/fixtures/EXPECTED.md): 20 viewers like Alpha
(film 1), film 10 and the adult film 13; one more viewer likes Alpha and film 3. So film 3 has one
liker (fewer than MIN_VIEWERS: content alone), and Alpha's viewers' list holds 10 and 13 (20
viewers liked both) and 3 (one viewer did: listed for its share of likers, but no reason).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc
from marquee_common import viewers
from tests.harness import FIXTURE_RAW, RunningService, build_release

Reason = pb.Recommendation.Reason
FILMS = [1, 2, 3, 4, 5, 10, 12, 13]
LINKS = "movieId,imdbId,tmdbId\n" + "".join(f"{f + 100},00{f},{f}\n" for f in FILMS)


def _ratings() -> str:
    lines = ["userId,movieId,rating,timestamp"]
    for user in range(1, 21):
        lines += [f"{user},101,4.5,1", f"{user},110,5.0,2", f"{user},113,4.0,3"]
    lines += ["21,101,4.0,1", "21,103,4.5,2"]
    return "\n".join(lines) + "\n"


def _raw(folder: Path, ratings: bool) -> Path:
    folder.mkdir()
    for name in ("movies_metadata.csv", "credits.csv"):
        shutil.copy(FIXTURE_RAW / name, folder / name)
    if ratings:
        (folder / "ratings_small.csv").write_text(_ratings())
        (folder / "links_small.csv").write_text(LINKS)
    return folder


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data folders of the fixture's films, with and without the ratings."""
    work = tmp_path_factory.mktemp("viewers")
    folders = {}
    for name, ratings in (("with", True), ("without", False)):
        folders[name] = work / f"data-{name}"
        build_release(_raw(work / f"raw-{name}", ratings), folders[name])
    return folders


@pytest.fixture(scope="module")
def stubs(releases: dict[str, Path]) -> Iterator[dict[str, recommender_pb2_grpc.RecommenderServiceStub]]:
    services = {}
    try:
        for name, data in releases.items():
            services[name] = RunningService("marquee_recommender", "RECOMMENDER", data, "marquee.v1.RecommenderService",
                                            data.parent / f"{name}.log")  # fmt: skip
        channels = {name: grpc.insecure_channel(s.target) for name, s in services.items()}
        yield {name: recommender_pb2_grpc.RecommenderServiceStub(c) for name, c in channels.items()}
        for channel in channels.values():
            channel.close()
    finally:
        for service in services.values():
            service.stop()


def _by_id(reply: pb.RecommendResponse) -> dict[int, pb.Recommendation]:
    return {r.movie.id: r for r in reply.recommendations}


SET = 0.6  # a popularity the request sets: the settings' weights, viewers' weight 8


def test_films_the_same_viewers_liked_lead_with_their_reason(stubs) -> None:
    reply = stubs["with"].Recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=SET))
    assert reply.recommendations[0].movie.id == 10  # 20 of its 21 likers liked Alpha too
    assert Reason.REASON_SAME_VIEWERS in reply.recommendations[0].reasons
    found = _by_id(reply)
    assert 13 not in found  # adult: the filters still apply to the viewers' films
    assert 3 in found and Reason.REASON_SAME_VIEWERS not in found[3].reasons  # one viewer is no reason
    assert all(Reason.REASON_SAME_VIEWERS not in r.reasons for i, r in found.items() if i != 10)
    with_adult = pb.RecommendRequest(movie_id=1, limit=10, popularity=SET,
                                     filters=pb.RecommendFilters(include_adult=True))  # fmt: skip
    adult = _by_id(stubs["with"].Recommend(with_adult))
    assert Reason.REASON_SAME_VIEWERS in adult[13].reasons


def test_the_viewers_raise_a_film_by_weight_times_their_share(stubs) -> None:
    """Film 10 for Alpha: (co + prior x p) / (n + prior) with co 20, n 21 likers of Alpha, p 20 of 21
    viewers, prior 100 (MARQUEE_VIEWERS_PRIOR's default): the score rises by 8 (the default weight) times it."""
    with_ = _by_id(stubs["with"].Recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=SET)))[10]
    without = _by_id(stubs["without"].Recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=SET)))[10]
    share = (20 + 100 * 20 / 21) / (21 + 100)
    assert with_.similarity == pytest.approx(without.similarity, abs=1e-6)
    assert with_.score - without.score == pytest.approx(viewers.WEIGHT * share, abs=1e-4)


def test_a_film_with_too_few_viewers_is_ranked_by_content_alone(stubs) -> None:
    request = pb.RecommendRequest(movie_id=3, limit=10, popularity=SET)
    with_, without = stubs["with"].Recommend(request), stubs["without"].Recommend(request)
    assert [(r.movie.id, round(r.score, 6)) for r in with_.recommendations] == [
        (r.movie.id, round(r.score, 6)) for r in without.recommendations
    ]
    assert all(Reason.REASON_SAME_VIEWERS not in r.reasons for r in with_.recommendations)


def test_free_text_has_no_viewers(stubs) -> None:
    request = pb.RecommendRequest(text="the alpha", limit=10)
    reply, without = stubs["with"].Recommend(request), stubs["without"].Recommend(request)
    assert reply.recommendations and all(Reason.REASON_SAME_VIEWERS not in r.reasons for r in reply.recommendations)
    assert [(r.movie.id, round(r.score, 6)) for r in reply.recommendations] == [
        (r.movie.id, round(r.score, 6)) for r in without.recommendations
    ]


def _blend(releases) -> viewers.Blend:
    import json

    manifest = json.loads((releases["with"] / "current" / "manifest.json").read_text())
    return viewers.Blend.from_manifest(manifest["model"]["viewers"]["blend"])


def test_by_default_a_film_seed_is_ranked_with_the_learned_blend(stubs, releases) -> None:
    """Alpha's films. Content (cosine, genre and director terms) is read from the release without
    ratings at popularity 0, less 0.5 (the settings' collection weight) for the same collection.
    The prior is ln(1 + votes) / ln(1 + the most votes), votes read from the raw file by the
    test's oracle. The blend scores similarity x content + collection x same collection +
    popularity x prior + viewers x share. Shares: film 10, (20 + 100 x 20/21) / 121; film 3,
    (1 + 100 x 1/21) / 121 (one viewer of 21 liked it, and Alpha); films no viewer liked are in
    no list."""
    import math

    from tests.oracle import Oracle

    films = Oracle.load(FIXTURE_RAW, credits=False).films
    top = math.log1p(max(f.votes for f in films.values()))
    blend = _blend(releases)
    assert blend in viewers.BLEND_GRID
    reply = stubs["with"].Recommend(pb.RecommendRequest(movie_id=1, limit=10))
    assert reply.popularity == blend.popularity
    zero = _by_id(stubs["without"].Recommend(pb.RecommendRequest(movie_id=1, limit=20, popularity=0)))
    share = {10: (20 + 100 * 20 / 21) / 121, 3: (1 + 100 * 1 / 21) / 121}
    assert reply.recommendations
    for r in reply.recommendations:
        same = Reason.REASON_SAME_COLLECTION in r.reasons
        content = zero[r.movie.id].score - 0.5 * same
        prior = math.log1p(films[r.movie.id].votes) / top
        expected = (blend.similarity * content + blend.collection * same + blend.popularity * prior
                    + blend.viewers * share.get(r.movie.id, 0.0))  # fmt: skip
        assert r.score == pytest.approx(expected, abs=1e-4), r.movie.id
    scores = [r.score for r in reply.recommendations]
    assert scores == sorted(scores, reverse=True)


def test_a_set_popularity_is_ranked_with_the_settings_weights(stubs) -> None:
    reply = stubs["with"].Recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=0.25))
    assert reply.popularity == 0.25


def test_model_info_names_the_viewers_model(stubs) -> None:
    info = stubs["with"].GetModelInfo(pb.GetModelInfoRequest())
    assert info.parameters["viewers_users"] == "21" and float(info.parameters["viewers_weight"]) == viewers.WEIGHT
    assert {f"blend_{name}" for name in ("similarity", "collection", "popularity", "viewers")} <= info.parameters.keys()
    assert "viewers_users" not in stubs["without"].GetModelInfo(pb.GetModelInfoRequest()).parameters


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [(viewers.NEIGHBOURS_FILE, 99, "lists items outside"), (viewers.SCORES_FILE, 1.5, "outside 0..1"),
     (viewers.SHARED_FILE, -1, "negative count")],
)  # fmt: skip
def test_a_damaged_viewers_file_is_refused_naming_it(releases, tmp_path: Path, name: str, value: float,
                                                     words: str) -> None:  # fmt: skip
    """A value no pipeline writes, with the manifest's hashes made to match: the checks after the
    hashes refuse the release, naming the file, before anything is served."""
    import json

    import numpy as np

    from marquee_common.errors import DamagedRelease
    from marquee_common.release import sha256_file
    from marquee_recommender.index import Weights
    from marquee_recommender.release import open_recommender

    folder = tmp_path / "release"
    shutil.copytree((releases["with"] / "current").resolve(), folder)
    path = folder / "model" / name
    array = np.load(path)
    array[0, 0] = value
    np.save(path, array, allow_pickle=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    meta = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
    manifest["files"][f"model/{name}"] = meta
    manifest["model"]["files"][name] = meta
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DamagedRelease) as info:
        open_recommender(folder, manifest, Weights(), 100)
    assert f"model/{name}" in str(info.value) and words in str(info.value)


@pytest.mark.parametrize("blend", [{"similarity": -1, "collection": 0.2, "popularity": 1, "viewers": 0},
                                   {"similarity": 1, "collection": 0.2}])  # fmt: skip
def test_a_damaged_blend_is_refused_naming_it(releases, tmp_path: Path, blend: dict) -> None:
    import json

    from marquee_common.errors import DamagedRelease
    from marquee_recommender.index import Weights
    from marquee_recommender.release import open_recommender

    folder = tmp_path / "release"
    shutil.copytree((releases["with"] / "current").resolve(), folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["model"]["viewers"]["blend"] = blend
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DamagedRelease) as info:
        open_recommender(folder, manifest, Weights(), 100)
    assert "manifest.json" in str(info.value) and "model.viewers.blend" in str(info.value)


def test_the_learned_blend_can_be_turned_off(releases, monkeypatch: pytest.MonkeyPatch) -> None:
    """RECOMMENDER_LEARNED_BLEND=false: a request without popularity is ranked as one that sets the
    settings' default (0.6) is."""
    from marquee_recommender.config import RecommenderSettings
    from marquee_recommender.index import Recommender

    monkeypatch.setenv("RECOMMENDER_LEARNED_BLEND", "false")
    weights = RecommenderSettings().weights()
    assert weights.learned_blend is False
    rec = Recommender((releases["with"] / "current").resolve(), weights)
    plain = rec.recommend(pb.RecommendRequest(movie_id=1, limit=10))
    asked = rec.recommend(pb.RecommendRequest(movie_id=1, limit=10, popularity=weights.popularity))
    assert plain.popularity == weights.popularity == 0.6
    listed = [(r.movie.id, r.score) for r in plain.recommendations]
    assert listed and listed == [(r.movie.id, r.score) for r in asked.recommendations]
