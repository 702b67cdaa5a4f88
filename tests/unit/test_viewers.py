"""The viewers' model and its held-out measure, on matrices small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from marquee_common import viewers as shared
from marquee_etl.params import ViewersParams
from marquee_etl.viewers import (
    Neighbours,
    blend_lists,
    blended,
    choose_blend,
    hit_rate,
    likes,
    most_voted_lists,
    similar,
    split_viewers,
)

# Viewer -> films liked (items 0..3 = films 10, 20, 30, 40): co-likes 0-1: 3, 1-2: 2, 1-3: 2, the others 1;
# likers n = 3, 4, 2, 2.
LIKED = {1: [10, 20, 30], 2: [10, 20], 3: [10, 20, 40], 4: [20, 30, 40]}
IDS = [10, 20, 30, 40]


def _ratings() -> pl.DataFrame:
    rows = [(user, film, 4.5, 0) for user, films in LIKED.items() for film in films]
    rows.append((4, 10, 3.5, 0))  # below LIKED: not a like
    return pl.DataFrame(rows, schema={"user_id": pl.Int64, "film_id": pl.Int64, "rating": pl.Float64,
                                      "timestamp": pl.Int64}, orient="row")  # fmt: skip


@pytest.fixture(autouse=True)
def three_viewers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand examples with the floor at 3 likers, whatever the shipped value."""
    monkeypatch.setattr(shared, "MIN_VIEWERS", 3)


def test_likes_are_ratings_of_at_least_liked_in_the_items_order() -> None:
    matrix, users = likes(_ratings(), IDS)
    assert users.tolist() == [1, 2, 3, 4]
    assert matrix.toarray().tolist() == [[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 0, 1], [0, 1, 1, 1]]


def test_cosine_neighbours_by_hand() -> None:
    model = similar(likes(_ratings(), IDS)[0], k=3, shrink=0.0, alpha=0.5)
    assert model.counts.tolist() == [3, 4, 2, 2]
    # film 0: only film 1 has co >= 2: 3 / sqrt(3 * 4); films 2 and 3 (co 1) are not listed.
    assert model.neighbours[0].tolist() == [1, -1, -1]
    assert model.scores[0] == pytest.approx([3 / np.sqrt(12), 0, 0], abs=1e-6)
    # film 1: 0 (3 / sqrt 12 = 0.866), then 2 and 3 tied at 2 / sqrt 8 = 0.707: the lower item first.
    assert model.neighbours[1].tolist() == [0, 2, 3]
    assert model.scores[1] == pytest.approx([3 / np.sqrt(12), 2 / np.sqrt(8), 2 / np.sqrt(8)], abs=1e-6)
    # Keeping 2: of the tied 2 and 3, the lower item.
    assert similar(likes(_ratings(), IDS)[0], k=2, shrink=0.0, alpha=0.5).neighbours[1].tolist() == [0, 2]
    # films 2 and 3 have 2 likers, fewer than MIN_VIEWERS (3): no list.
    assert model.neighbours[2:].tolist() == [[-1, -1, -1]] * 2 and not model.scores[2:].any()


def test_shrink_and_the_popularity_exponent_by_hand() -> None:
    matrix = likes(_ratings(), IDS)[0]
    shrunk = similar(matrix, k=3, shrink=1.0, alpha=0.5)
    assert shrunk.scores[1] == pytest.approx([3 / (np.sqrt(12) + 1), 2 / (np.sqrt(8) + 1), 2 / (np.sqrt(8) + 1)])
    share = similar(matrix, k=3, shrink=0.0, alpha=0.0)  # co / n_i: the share of i's likers who liked j
    assert share.scores[1] == pytest.approx([3 / 4, 2 / 4, 2 / 4]) and share.scores[0, 0] == pytest.approx(1.0)


def test_the_popularity_prior_by_hand() -> None:
    """(co + prior x p_j) / (n_i + prior), p_j = likers of j / 4 viewers: with prior 4, film 1's
    scores are 0: (3 + 3) / 8, 2: (2 + 2) / 8, 3: (2 + 2) / 8. Film 0 now lists 2 and 3 as well
    (co 1: (1 + 2) / 7 each), with how many viewers liked both kept beside the scores."""
    model = similar(likes(_ratings(), IDS)[0], k=3, shrink=0.0, alpha=0.0, prior=4.0)
    assert model.neighbours[1].tolist() == [0, 2, 3]
    assert model.scores[1] == pytest.approx([6 / 8, 4 / 8, 4 / 8])
    assert model.shared[1].tolist() == [3, 2, 2]
    assert model.neighbours[0].tolist() == [1, 2, 3]
    assert model.scores[0] == pytest.approx([(3 + 4) / 7, 3 / 7, 3 / 7])
    assert model.shared[0].tolist() == [3, 1, 1]
    # films 2 and 3 still have fewer than MIN_VIEWERS likers: no list, whatever the prior
    assert model.neighbours[2:].tolist() == [[-1, -1, -1]] * 2 and not model.shared[2:].any()


def test_the_hit_rate_by_hand() -> None:
    lists = np.array([[1, 2], [2, -1], [3, 0], [0, 1]])
    test = np.zeros((4, 4))
    for viewer, films in enumerate([[0, 3], [1, 2], [0, 1, 2], [3]]):
        test[viewer, films] = 1
    # A: f0 miss, f3 hit (0); B: f1 hit (2), f2 miss; C: all three hit; D likes one film: left out.
    # Pooled: 1 + 1 + 3 hits of 2 + 2 + 3 pairs.
    mean, pooled, viewers = hit_rate(test, lists)
    assert (mean, pooled, viewers) == (round((0.5 + 0.5 + 1) / 3, 4), round(5 / 7, 4), 3)


def test_most_voted_lists_leave_the_film_itself_out() -> None:
    lists = most_voted_lists(np.array([5, 50, 20, 1, 30]), k=2)
    assert lists.tolist() == [[1, 4], [4, 2], [1, 4], [1, 4], [1, 2]]


def test_the_hybrid_blends_cosine_and_the_viewers_score_by_weight() -> None:
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8]], dtype=np.float32)
    content = np.array([[1, 2], [2, 0], [1, 0]], dtype=np.int32)  # by cosine: 0-1 0.8, 0-2 0.6, 1-2 0.96
    model = Neighbours(np.array([[2], [-1], [-1]], dtype=np.int32), np.array([[0.5], [0], [0]], dtype=np.float32),
                       np.array([5, 5, 5], dtype=np.int32), np.array([[3], [0], [0]], dtype=np.int32))  # fmt: skip
    # film 0: 1 scores 0.8, 2 scores 0.6 + w x 0.5: ahead from w = 0.4.
    by_one, by_quarter, viewers_first = blended(vectors, content, model, [1.0, 0.25, None], k=2)
    assert by_one.tolist() == [[2, 1], [2, 0], [1, 0]]
    assert by_quarter.tolist() == [[1, 2], [2, 0], [1, 0]]
    assert viewers_first.tolist() == [[2, 1], [2, 0], [1, 0]]


def test_the_viewers_split_is_seeded_and_holds_its_share() -> None:
    first, again = split_viewers(10, 0.2, 7), split_viewers(10, 0.2, 7)
    assert first.sum() == 2 and (first == again).all()


def _facts(votes: list[int], collection: list[int]) -> dict[str, np.ndarray]:
    n = len(votes)
    return {"votes": np.array(votes, dtype=np.int64), "collection": np.array(collection, dtype=np.int64),
            "genre_bits": np.zeros(n, dtype=np.uint64), "directors": np.full((n, 2), -1, dtype=np.int64)}  # fmt: skip


def test_a_blend_weighs_similarity_collection_popularity_and_viewers() -> None:
    """Four films, seed 0. Cosines with 0: film 1 0.8, film 2 0.6, film 3 0. Votes 0, 0, 0, 99:
    prior ln(100) / ln(100) = 1 for film 3, 0 for the rest. Film 2 shares 0's collection; the
    viewers list film 1 for 0 at 0.5. Content neighbours of 0: only film 1 (film 3 joins as
    most-voted, film 2 as a collection mate)."""
    vectors = np.array([[1, 0], [0.8, 0.6], [0.6, 0.8], [0, 1]], dtype=np.float32)
    content = np.array([[1], [0], [0], [0]], dtype=np.int32)
    model = Neighbours(np.array([[1], [-1], [-1], [-1]], dtype=np.int32),
                       np.array([[0.5], [0], [0], [0]], dtype=np.float32),
                       np.array([5, 5, 5, 5], dtype=np.int32),
                       np.array([[3], [0], [0], [0]], dtype=np.int32))  # fmt: skip
    facts = _facts([0, 0, 0, 99], [7, -1, 7, -1])
    blends = [shared.Blend(1.0, 0.0, 0.0, 0.0),  # 1 (0.8), 2 (0.6), 3 (0)
              shared.Blend(0.0, 0.0, 1.0, 0.0),  # 3 (1), then 1, 2 tied at 0: the lower item first
              shared.Blend(1.0, 0.3, 0.0, 0.0),  # 2 (0.6 + 0.3), 1 (0.8), 3
              shared.Blend(1.0, 0.0, 0.0, 1.0),  # 1 (0.8 + 0.5), 2, 3
              shared.Blend(0.1, 0.0, 1.0, 0.0)]  # 3 (1), 1 (0.08), 2 (0.06)  # fmt: skip
    found = [lists[0].tolist() for lists in blend_lists(vectors, content, model, facts, blends, k=3)]
    assert found == [[1, 2, 3], [3, 1, 2], [2, 1, 3], [1, 2, 3], [3, 1, 2]]


def test_the_blend_chosen_is_the_simplest_within_one_standard_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two blends: similarity alone and similarity + viewers. Whatever they score, the simpler
    one is kept unless the other's mean beats it by more than one standard error over the folds."""
    import marquee_etl.viewers as module

    simple, richer = shared.Blend(1.0, 0.2, 1.0, 0.0), shared.Blend(1.0, 0.2, 1.0, 1.0)
    monkeypatch.setattr(shared, "BLEND_GRID", (richer, simple))
    rates = iter([])

    def fake_blend_lists(*args, **kwargs):
        return [np.zeros((len(IDS), 1), dtype=np.int32) for _ in shared.BLEND_GRID]

    def fake_hit_rate(test, lists):
        return next(rates), None, 1

    monkeypatch.setattr(module, "blend_lists", fake_blend_lists)
    monkeypatch.setattr(module, "hit_rate", fake_hit_rate)
    matrix, _ = likes(_ratings(), IDS)
    params = ViewersParams(folds=2, prior=0)
    # Folds: richer 0.80, 0.70 (mean 0.75, std 0.0707, error 0.05); simple 0.72, 0.70 (mean 0.71).
    rates = iter([0.80, 0.72, 0.70, 0.70])
    chosen, measured = choose_blend(matrix, np.eye(4, dtype=np.float32), np.zeros((4, 1), np.int32),
                                    _facts([1, 2, 3, 4], [-1] * 4), params)  # fmt: skip
    assert chosen == simple and measured["best_blend"] == richer.recorded()
    assert measured["standard_error"] == pytest.approx(0.05, abs=1e-4)
    # Folds: richer 0.90, 0.88 (mean 0.89, error 0.01); simple 0.72, 0.70: beyond the error.
    rates = iter([0.90, 0.72, 0.88, 0.70])
    chosen, _ = choose_blend(matrix, np.eye(4, dtype=np.float32), np.zeros((4, 1), np.int32),
                             _facts([1, 2, 3, 4], [-1] * 4), params)  # fmt: skip
    assert chosen == richer
