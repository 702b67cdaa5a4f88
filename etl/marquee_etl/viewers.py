"""The viewers' model: which films the same viewers liked (item-item), and how well it predicts.

A viewer likes a film when their kept rating is at least `viewers.LIKED`. Between films i and j:

    similarity(i, j) = (co(i, j) + prior x p_j) / (n_i^(1 - alpha) * n_j^alpha + shrink + prior)

with n_i the viewers who liked i, co(i, j) those who liked both and p_j the share of all viewers
who liked j. alpha 0 (the default) is the share of i's likers who liked j; 0.5 the cosine of the two
sets of likers; the prior pulls a film backed by few viewers towards what everyone liked. Each film
keeps its top `k` films; a film liked by fewer than `viewers.MIN_VIEWERS` viewers keeps none.
Computed as X^T X over a binary viewers x films matrix, a block of films at a time.

The blend (marquee_common.viewers): `choose_blend` picks, in `folds` seeded folds of the training
viewers, the blend of BLEND_GRID to serve, by the one-standard-error rule; `blend_lists` ranks
every film's candidates as the recommender does, a block of films at a time.

The held-out measure (`holdout_hit_rate_at_10`): the viewers are split once, by a permutation
seeded with `seed`, into test (share `holdout`) and train. The blend is chosen, and a viewers'
model built, from the train viewers only. For each test viewer with at least 2 liked films, for
each film f they liked, take a top-10 list for f: a hit when it holds another film that viewer
liked. Hit rate at 10 is the mean over those viewers of their share of hits (`pooled`: the share
over all (viewer, film) pairs). Four lists are measured:

    content      the content model's 10 nearest films (neighbours.npy order)
    most_voted   the release's 10 most-voted films (vote_count), f left out
    viewers      the viewers' top 10, padded with content neighbours when shorter
    hybrid       the chosen blend, as served; the release's quality figure

The model served is then built again from every viewer. Figures on the synthetic ratings beside
the project, and the variants of the similarity tried: bench/README.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from marquee_common import viewers
from marquee_etl.model import nearest_neighbours
from marquee_etl.params import ViewersParams

CONTENT_CANDIDATES = 100
"""Content neighbours the hybrid considers for each film (as the recommender does)."""


@dataclass(frozen=True)
class Neighbours:
    neighbours: np.ndarray  # int32 (n, k), -1 pad
    scores: np.ndarray  # float32 (n, k), 0 pad
    counts: np.ndarray  # int32 (n,)
    shared: np.ndarray  # int32 (n, k): viewers who liked both, 0 pad


def likes(ratings: pl.DataFrame, ids: list[int] | np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """(binary viewers x films CSR in the order of `ids`, the viewers' ids); films not in `ids` are dropped."""
    order = pl.DataFrame({"film_id": np.asarray(ids, dtype=np.int64), "item": np.arange(len(ids), dtype=np.int64)})
    liked = (
        ratings.filter(pl.col("rating") >= viewers.LIKED)
        .join(order, on="film_id", how="inner")
        .select("user_id", "item")
        .unique()
    )
    users, user_index = np.unique(liked["user_id"].to_numpy(), return_inverse=True)
    items = liked["item"].to_numpy()
    matrix = sp.csr_matrix(
        (np.ones(len(items), dtype=np.float32), (user_index, items)), shape=(len(users), len(ids)), dtype=np.float32
    )
    return matrix, users


def similar(matrix: sp.csr_matrix, k: int, shrink: float, alpha: float = 0.5, block: int = 512,
            prior: float = 0.0) -> Neighbours:  # fmt: skip
    """Each film's top `k` films by the similarity of their likers (see the module docstring).

    Without a prior, only the pairs with co-likes >= 2 are scored (X^T X stays sparse: most films
    share likers with few others). With one, the pairs with any co-likes and each film's pairs with
    the `k` most-liked films are scored. A block of films at a time; ties go to the lower item.
    """
    n = matrix.shape[1]
    counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.int32)
    k = max(0, min(k, n - 1))
    neighbours = np.full((n, k), -1, dtype=np.int32)
    scores = np.zeros((n, k), dtype=np.float32)
    shared = np.zeros((n, k), dtype=np.int32)
    if k == 0:
        return Neighbours(neighbours, scores, counts, shared)
    columns = sp.csc_matrix(matrix)
    liked = counts.astype(np.float64)
    share = liked / max(matrix.shape[0], 1)  # p_j: the share of viewers who liked j
    most_liked = np.argsort(-liked, kind="stable")[: k + 1].astype(np.int64)
    for start in range(0, n, block):
        end = min(start + block, n)
        co = (columns[:, start:end].T @ columns).tocoo()  # (b, n) co-likes, sparse
        film, other, both = co.row.astype(np.int64) + start, co.col.astype(np.int64), co.data.astype(np.float64)
        if prior > 0:  # the most-liked films join every film's pairs, with no co-likes when they share none
            extra_film = np.repeat(np.arange(start, end, dtype=np.int64), len(most_liked))
            extra_other = np.tile(most_liked, end - start)
            film, other = np.concatenate((film, extra_film)), np.concatenate((other, extra_other))
            both = np.concatenate((both, np.zeros(len(extra_film))))
            order = np.lexsort((-both, other, film))  # a pair twice: the one with its co-likes first
            film, other, both = film[order], other[order], both[order]
            first = np.ones(len(film), dtype=bool)
            first[1:] = (film[1:] != film[:-1]) | (other[1:] != other[:-1])
            film, other, both = film[first], other[first], both[first]
        keep = (other != film) & (counts[film] >= viewers.MIN_VIEWERS) & ((both >= 2) | (prior > 0))
        film, other, both = film[keep], other[keep], both[keep]
        below = liked[film] ** (1 - alpha) * liked[other] ** alpha + shrink + prior
        score = (both + prior * share[other]) / below
        keep = score > 0
        film, other, both, score = film[keep], other[keep], both[keep], score[keep]
        order = np.lexsort((other, -score, film))  # by film, best first, ties to the lower item
        film, other, score, both = film[order], other[order], score[order], both[order]
        first = np.searchsorted(film, film)  # where each film's run starts
        rank = np.arange(len(film)) - first
        top = rank < k
        neighbours[film[top], rank[top]] = other[top]
        scores[film[top], rank[top]] = np.minimum(score[top], 1.0)
        shared[film[top], rank[top]] = both[top]
    return Neighbours(neighbours, scores, counts, shared)


def hit_rate(test: sp.csr_matrix, lists: np.ndarray, chunk: int = 1 << 20) -> tuple[float | None, float | None, int]:
    """(mean over viewers of their share of hits, pooled share over (viewer, film) pairs, viewers).

    `test` is binary viewers x films (their liked films); `lists` (films, 10) each film's list,
    -1 padded, never holding the film itself. Viewers with fewer than 2 liked films are left out.
    Each (viewer, liked film, listed film) is looked up among the sorted (viewer, film) likes, a
    chunk of pairs at a time: memory stays bounded however many viewers are held out.
    """
    test = sp.csr_matrix(test)
    test = test[np.asarray(test.sum(axis=1)).ravel() >= 2].tocoo()
    if test.shape[0] == 0:
        return None, None, 0
    n = np.int64(test.shape[1])
    viewer, film = test.row.astype(np.int64), test.col.astype(np.int64)
    liked = np.sort(viewer * n + film)
    hits = np.zeros(len(film), dtype=bool)
    for start in range(0, len(film), chunk):
        end = min(start + chunk, len(film))
        listed = lists[film[start:end]].astype(np.int64)
        keys = viewer[start:end, None] * n + listed
        where = np.minimum(np.searchsorted(liked, keys), len(liked) - 1)
        hits[start:end] = ((liked[where] == keys) & (listed >= 0)).any(axis=1)
    per_viewer = np.bincount(viewer, weights=hits, minlength=test.shape[0]) / np.bincount(viewer)
    return round(float(per_viewer.mean()), 4), round(float(hits.mean()), 4), int(test.shape[0])


def blended(vectors: np.ndarray, content: np.ndarray, model: Neighbours, weights: Sequence[float | None],
            k: int = viewers.HIT_K, block: int = 1024) -> list[np.ndarray]:  # fmt: skip
    """Each film's top `k` from its content neighbours and its viewers' list, one array per weight:
    by cosine + weight x viewers' similarity, or (weight None) the viewers' list first, then content.

    The candidates' cosines are worked out once per block of films for every weight.
    """
    n = len(vectors)
    out = [np.full((n, k), -1, dtype=np.int32) for _ in weights]
    for start in range(0, n, block):
        end = min(start + block, n)
        nb, vs = model.neighbours[start:end], model.scores[start:end]
        cn = content[start:end]
        in_list = (cn[:, :, None] == nb[:, None, :]).any(axis=2)  # scored once, as a viewers' candidate
        candidates = np.concatenate([np.where(in_list, -1, cn), nb], axis=1)
        cosine = np.einsum("bd,bcd->bc", vectors[start:end], vectors[np.maximum(candidates, 0)])
        bonus = np.concatenate([np.zeros(cn.shape, dtype=np.float32), vs], axis=1)
        for lists, weight in zip(out, weights, strict=True):
            if weight is None:
                score = np.where(bonus > 0, 10.0 + bonus, cosine)  # cosine <= 1 < 10: the list first
            else:
                score = cosine + weight * bonus
            score = np.where(candidates >= 0, score, -np.inf)
            order = np.argsort(-score, axis=1, kind="stable")[:, :k]
            top = np.take_along_axis(candidates, order, axis=1)
            lists[start:end, : top.shape[1]] = np.where(np.isfinite(np.take_along_axis(score, order, axis=1)), top, -1)
    return out


def most_voted_lists(votes: np.ndarray, k: int = viewers.HIT_K) -> np.ndarray:
    """Every film's list of the k most-voted films, itself left out."""
    n = len(votes)
    top = np.argsort(-votes, kind="stable")[: k + 1].astype(np.int32)
    lists = np.tile(top, (n, 1))
    mine = lists == np.arange(n)[:, None]
    # Drop the film itself where it is listed; else drop the (k+1)-th.
    drop = np.where(mine.any(axis=1), mine.argmax(axis=1), min(k, len(top) - 1))
    keep = np.ones(lists.shape, dtype=bool)
    keep[np.arange(n), drop] = False
    return lists[keep].reshape(n, -1)[:, :k] if n > 0 else lists[:, :k]


def blend_lists(vectors: np.ndarray, content: np.ndarray, model: Neighbours, facts: dict[str, np.ndarray],
                blends: Sequence[viewers.Blend], k: int = viewers.HIT_K, block: int = 512
                ) -> list[np.ndarray]:  # fmt: skip
    """Each film's top `k` as the recommender ranks a film seed with each blend, one array per blend.

    Candidates, as served: the film's content neighbours, its whole collection, its
    viewers' list and the release's MOST_VOTED most-voted films. Score: similarity x (cosine +
    GENRE x genre Jaccard + DIRECTOR x a director in common) + collection x same collection +
    popularity x vote prior + viewers x the viewers' similarity. The terms are worked out once per
    block; each blend only weighs them.
    """
    n = len(vectors)
    votes, collection = facts["votes"], facts["collection"]
    genre_bits, directors = facts["genre_bits"], facts["directors"]
    prior = viewers.vote_prior(votes).astype(np.float64)
    top_voted = np.argsort(-votes, kind="stable")[: viewers.MOST_VOTED]
    order = np.argsort(collection, kind="stable")
    keys = collection[order]
    _, sizes = np.unique(collection[collection >= 0], return_counts=True)
    coll_mates = np.full((n, int(sizes.max(initial=0))), -1, dtype=np.int64)
    for item in np.flatnonzero(collection >= 0):
        start, end = np.searchsorted(keys, [collection[item], collection[item] + 1])
        coll_mates[item, : end - start] = order[start:end]
    out = [np.full((n, k), -1, dtype=np.int32) for _ in blends]
    for start in range(0, n, block):
        end = min(start + block, n)
        rows = np.arange(start, end)
        nb, vs = model.neighbours[start:end].astype(np.int64), model.scores[start:end]
        cand = np.concatenate([content[start:end].astype(np.int64), coll_mates[start:end], nb,
                               np.broadcast_to(top_voted, (end - start, len(top_voted)))], axis=1)  # fmt: skip
        cand = np.where(cand == rows[:, None], -1, cand)
        cand.sort(axis=1)
        cand[:, 1:][cand[:, 1:] == cand[:, :-1]] = -1  # each film once
        safe = np.maximum(cand, 0)
        cosine = np.einsum("bd,bcd->bc", vectors[start:end], vectors[safe])
        seed_bits = genre_bits[start:end, None]
        both = np.bitwise_count(genre_bits[safe] & seed_bits).astype(np.float64)
        either = np.bitwise_count(genre_bits[safe] | seed_bits).astype(np.float64)
        jaccard = np.divide(both, either, out=np.zeros_like(both), where=either > 0)
        seed_dirs = directors[start:end]
        same_dir = ((directors[safe][:, :, :, None] == seed_dirs[:, None, None, :])
                    & (seed_dirs[:, None, None, :] >= 0)).any(axis=(2, 3))  # fmt: skip
        content_term = cosine + viewers.GENRE * jaccard + viewers.DIRECTOR * same_dir
        same_coll = (collection[safe] == collection[start:end, None]) & (collection[start:end, None] >= 0)
        listed = cand[:, :, None] == nb[:, None, :]  # (b, c, k): where a candidate is in the viewers' list
        liked = (listed * vs[:, None, :]).sum(axis=2)
        # Ties go to the lower film, as in the recommender (its candidates are sorted too): a nudge
        # far below any real difference lets a partial sort find the top k.
        nudge = np.where(cand >= 0, -1e-9 * np.arange(cand.shape[1]) / cand.shape[1], -np.inf)
        popular = prior[safe]
        for lists, blend in zip(out, blends, strict=True):
            score = (blend.similarity * content_term + blend.collection * same_coll
                     + blend.popularity * popular + blend.viewers * liked + nudge)  # fmt: skip
            if score.shape[1] > k:
                part = np.argpartition(-score, k - 1, axis=1)[:, :k]
                best = np.take_along_axis(part, np.argsort(-np.take_along_axis(score, part, axis=1), axis=1), axis=1)
            else:
                best = np.argsort(-score, axis=1, kind="stable")[:, :k]
            top = np.take_along_axis(cand, best, axis=1)
            finite = np.isfinite(np.take_along_axis(score, best, axis=1))
            lists[start:end, : top.shape[1]] = np.where(finite, top, -1)
    return out


def choose_blend(train: sp.csr_matrix, vectors: np.ndarray, content: np.ndarray, facts: dict[str, np.ndarray],
                 params: ViewersParams) -> tuple[viewers.Blend, dict[str, Any]]:  # fmt: skip
    """The blend of BLEND_GRID to serve, chosen on the training viewers only: (blend, what was measured).

    The training viewers are cut into `params.folds` seeded folds; for each, a viewers' model is
    built from the other folds and every blend's hit rate at 10 measured on it. The one-standard-
    error rule then keeps the simplest blend (fewest of the similarity and viewers' terms) whose
    mean is within one standard error (over folds) of the best mean: differences smaller than
    that are the folds' noise, and a term the data cannot show to help is left out.
    """
    grid = viewers.BLEND_GRID
    folds = np.array_split(np.random.default_rng(params.seed + 1).permutation(train.shape[0]), params.folds)
    found = np.zeros((len(folds), len(grid)))
    for f, fold in enumerate(folds):
        valid = np.zeros(train.shape[0], dtype=bool)
        valid[fold] = True
        model = similar(train[~valid], params.k, params.shrink, params.alpha, params.block, params.prior)
        for b, lists in enumerate(blend_lists(vectors, content, model, facts, grid)):
            rate = hit_rate(train[valid], lists)[0]
            found[f, b] = 0.0 if rate is None else rate
    means = found.mean(axis=0)
    best = int(np.argmax(means))
    error = float(found[:, best].std(ddof=1) / math.sqrt(len(folds))) if len(folds) > 1 else 0.0
    close = [b for b in range(len(grid)) if means[b] >= means[best] - error]
    chosen = min(close, key=lambda b: (grid[b].terms(), -means[b], b))
    return grid[chosen], {
        "blend": grid[chosen].recorded(),
        "folds": len(folds),
        "fold_hit_rate_at_10": round(float(means[chosen]), 4),
        "best_blend": grid[best].recorded(),
        "best_fold_hit_rate_at_10": round(float(means[best]), 4),
        "standard_error": round(error, 4),
    }


def split_viewers(count: int, share: float, seed: int) -> np.ndarray:
    """Boolean mask of the held-out viewers: round(share x count) of them, by a seeded permutation."""
    test = np.zeros(count, dtype=bool)
    test[np.random.default_rng(seed).permutation(count)[: round(share * count)]] = True
    return test


def build_viewers(ratings: pl.DataFrame, ids: list[int], vectors: np.ndarray, content: np.ndarray,
                  facts: dict[str, np.ndarray], params: ViewersParams, progress: Callable[[str], None] = print
                  ) -> tuple[Neighbours, dict[str, Any]]:  # fmt: skip
    """Choose the blend and measure it on held-out viewers, then build the served model from all:
    (model, manifest entry).

    `content` is each film's content neighbours, best first (at least 10 wide); `facts` the film
    facts the recommender ranks with (votes, collection, genre_bits, directors).
    """
    started = time.perf_counter()
    matrix, users = likes(ratings, ids)
    test_mask = split_viewers(matrix.shape[0], params.holdout, params.seed)
    content = content[:, :CONTENT_CANDIDATES]
    blend, choice = choose_blend(matrix[~test_mask], vectors, content, facts, params)
    progress(f"viewers: blend {blend.recorded()} chosen in {choice['folds']} folds of the training viewers "
             f"(hit@10 {choice['fold_hit_rate_at_10']:.4f}; best {choice['best_fold_hit_rate_at_10']:.4f} "
             f"+- {choice['standard_error']:.4f})")  # fmt: skip
    train = similar(matrix[~test_mask], params.k, params.shrink, params.alpha, params.block, params.prior)
    test = matrix[test_mask]
    (hybrid,) = blend_lists(vectors, content, train, facts, [blend])
    (alone,) = blended(vectors, content, train, [None])
    measured: dict[str, Any] = {
        "content": _figures(hit_rate(test, content[:, : viewers.HIT_K])),
        "most_voted": _figures(hit_rate(test, most_voted_lists(facts["votes"]))),
        "viewers": _figures(hit_rate(test, alone)),
        "hybrid": _figures(hit_rate(test, hybrid)),
        **choice,
    }
    measured["test_viewers"] = measured["content"]["viewers"]
    measured["train_viewers"] = int((~test_mask).sum())
    progress(
        "viewers: held-out hit@10 "
        + ", ".join(f"{name} {_show(measured[name]['mean'])}" for name in ("content", "most_voted", "viewers"))
        + f", hybrid {_show(measured['hybrid']['mean'])}"
        + f" ({measured['test_viewers']:,} test viewers)"
    )
    served = similar(matrix, params.k, params.shrink, params.alpha, params.block, params.prior)
    seconds = round(time.perf_counter() - started, 3)
    progress(f"viewers: model of {matrix.shape[0]:,} viewers, {int((served.counts > 0).sum()):,} films liked, "
             f"{int((served.neighbours[:, 0] >= 0).sum()) if served.neighbours.shape[1] else 0:,} with a list: "
             f"{seconds:.2f} s")  # fmt: skip
    entry = {
        "kind": "item-item",
        "parameters": params.recorded(),
        "blend": blend.recorded(),
        "users": int(len(users)),
        "ratings": ratings.height,
        "films_liked": int((served.counts > 0).sum()),
        "films_with_list": int((served.neighbours[:, 0] >= 0).sum()) if served.neighbours.shape[1] else 0,
        "build_seconds": seconds,
        "holdout": measured,
    }
    return served, entry


def content_neighbours(vectors: np.ndarray, neighbours: np.ndarray | None) -> np.ndarray:
    """The content neighbours the measure needs (CONTENT_CANDIDATES wide when the model kept that many)."""
    if neighbours is not None and neighbours.shape[1] >= min(CONTENT_CANDIDATES, len(vectors) - 1):
        return neighbours
    return nearest_neighbours(vectors, CONTENT_CANDIDATES)


def _figures(found: tuple[float | None, float | None, int]) -> dict[str, Any]:
    mean, pooled, count = found
    return {"mean": mean, "pooled": pooled, "viewers": count}


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
