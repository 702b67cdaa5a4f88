"""The recommendation model, built by the pipeline into the release: TF-IDF -> TruncatedSVD ->
L2-normalised float32 vectors -> an Annoy (angular) index, and its measured recall.

Everything is stored as plain arrays and JSON (no pickle): a data volume must never be able
to run code in a service. Files, under `model/` in the release folder:

    vocabulary.json   terms, in column order          idf.npy          float32 (terms,)
    components.npy    float32 (dimensions, terms)     vectors.npy      float32 (items, dimensions)
    index.ann         Annoy, angular                  items.npy        int64 movie id per item
    neighbours.npy    int32 (items, k): each film's k nearest films, exact, most similar first
    analyzer.json     how text becomes terms (stop words, stemming)
    films.json, years.npy, votes.npy, ...   the film facts the ranking needs (see write_films)
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from annoy import AnnoyIndex
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from marquee_common import viewers as shared_viewers
from marquee_common.analyzer import Analyzer
from marquee_common.errors import ReleaseError
from marquee_common.release import sha256_file
from marquee_etl.evaluate import collection_hit, genre_jaccard
from marquee_etl.params import ModelParams, ViewersParams
from marquee_etl.text import normalized

MODEL_DIR = "model"
RECALL_MARGIN = 0.01
"""search_k doubles (from trees * 100) until the measured recall is min_recall plus this."""
MAX_DIRECTORS = 8
"""Directors kept per film for the same-director signal (films rarely have more than two)."""


def _tags_by_movie(frame: pl.DataFrame, kind: str, weight: int, norm: str = "name_norm") -> dict[int, list[str]]:
    """movie id -> its metadata tokens of one kind ('genre_science_fiction'), each `weight` times."""
    token = pl.lit(f"{kind}_") + pl.col(norm).str.replace_all(" ", "_", literal=True)
    grouped = (
        frame.filter(pl.col(norm) != "")
        .group_by("movie_id", maintain_order=True)
        .agg(token.repeat_by(weight).list.explode(keep_nulls=False, empty_as_null=False).alias("tags"))
    )
    return dict(zip(grouped["movie_id"].to_list(), grouped["tags"].to_list(), strict=True))


def documents(tables: dict[str, pl.DataFrame], analyzer: Analyzer, params: ModelParams
              ) -> tuple[list[int], list[list[str]]]:  # fmt: skip
    """(movie ids, each film's tokens): title, overview and tagline words, plus metadata tags.

    Text is normalised by the Polars twin of `normalize_text` (tested equal), a column at a time.
    """
    movies = tables["movies"].sort("id").with_columns(
        normalized(pl.col("overview")).alias("overview_norm"), normalized(pl.col("tagline")).alias("tagline_norm"),
        pl.col("collection_id").replace_strict(tables["collections"]["collection_id"],
                                               tables["collections"]["key"], default=None).alias("collection_key"),
    )  # fmt: skip
    genres = _tags_by_movie(tables["genres"].sort("movie_id", "position"), "genre", params.genre_weight)
    companies = _tags_by_movie(tables["companies"].sort("movie_id", "position"), "company", params.company_weight)
    directors = _tags_by_movie(tables["crew"].filter(pl.col("job") == "Director"), "director", params.director_weight)
    top_cast = tables["cast"].filter(pl.col("order") < params.cast_top).sort("movie_id", "order")
    cast = _tags_by_movie(top_cast, "cast", 1)
    collections = _tags_by_movie(
        movies.select(pl.col("id").alias("movie_id"), pl.col("collection_key").fill_null("")),
        "collection", params.collection_weight, norm="collection_key",
    )  # fmt: skip
    ids: list[int] = []
    docs: list[list[str]] = []
    for movie_id, title, overview, tagline in movies.select("id", "title_norm", "overview_norm",
                                                            "tagline_norm").iter_rows():  # fmt: skip
        tokens = analyzer.normalized_words(title) * params.title_weight
        tokens += analyzer.normalized_words(overview) + analyzer.normalized_words(tagline)
        for tags in (genres, collections, directors, cast, companies):
            tokens += tags.get(movie_id, ())
        ids.append(movie_id)
        docs.append(tokens)
    return ids, docs


def film_facts(tables: dict[str, pl.DataFrame], ids: list[int]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """What the recommender needs to know of each film, aligned with the index's items, as plain
    arrays and JSON: the service reads them without a dataframe library and without pickle.

    films.json: title, title_norm, release_date, genre_names; years.npy int32, votes.npy int64,
    popularity.npy float32, adult.npy bool, collection.npy int64 (-1: none), genre_bits.npy uint64
    (bit i: genre_names[i]), directors.npy int64 (items x MAX_DIRECTORS, -1 padded).
    """
    order = pl.DataFrame({"id": ids, "item": range(len(ids))}, schema={"id": pl.Int64, "item": pl.Int64})
    movies = order.join(tables["movies"], on="id", how="left").sort("item")
    genre_names = sorted(tables["genres"]["name"].unique().to_list())
    if len(genre_names) > 64:
        raise ReleaseError(f"{len(genre_names)} genres do not fit the recommender's 64-bit genre sets")
    item_of = dict(zip(ids, range(len(ids)), strict=True))
    genres = tables["genres"].select("movie_id", "name")
    bit_of = {name: i for i, name in enumerate(genre_names)}
    genre_bits = np.zeros(len(ids), dtype=np.uint64)
    rows = [(item_of[m], bit_of[g]) for m, g in genres.iter_rows() if m in item_of]
    if rows:
        items_, bits_ = np.asarray(rows, dtype=np.int64).T
        np.bitwise_or.at(genre_bits, items_, np.left_shift(np.uint64(1), bits_.astype(np.uint64)))
    directors = (
        tables["crew"]
        .filter(pl.col("job") == "Director")
        .unique(["movie_id", "person_id"], keep="first", maintain_order=True)
        .group_by("movie_id")
        .agg(pl.col("person_id").head(MAX_DIRECTORS))
    )
    by_movie = dict(zip(directors["movie_id"].to_list(), directors["person_id"].to_list(), strict=True))
    padded = np.full((len(ids), MAX_DIRECTORS), -1, dtype=np.int64)
    for item, movie_id in enumerate(ids):
        found = by_movie.get(movie_id)
        if found:
            padded[item, : len(found)] = found
    films = {
        "title": movies["title"].to_list(),
        "title_norm": movies["title_norm"].to_list(),
        "release_date": movies["release_date"].dt.strftime("%Y-%m-%d").to_list(),
        "genre_names": genre_names,
    }
    arrays: dict[str, np.ndarray] = {
        "years": movies["release_year"].to_numpy().astype(np.int32),
        "votes": movies["vote_count"].to_numpy().astype(np.int64),
        "popularity": movies["popularity"].to_numpy().astype(np.float32),
        "adult": movies["adult"].to_numpy().astype(bool),
        "collection": movies["collection_id"].fill_null(-1).to_numpy().astype(np.int64),
        "genre_bits": genre_bits,
        "directors": padded,
    }
    return films, arrays


def write_films(out: Path, films: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    (out / "films.json").write_text(json.dumps(films, ensure_ascii=False), encoding="utf-8")
    for name, array in arrays.items():
        np.save(out / f"{name}.npy", array, allow_pickle=False)


def measure_recall(index: AnnoyIndex, vectors: np.ndarray, queries: np.ndarray, search_k: int, k: int = 10) -> float:
    """Share of the exact top-k (cosine, same vectors) that the index finds, the query left out."""
    k = min(k, len(vectors) - 1)
    if k < 1:
        return 1.0
    found = 0
    for start in range(0, len(queries), 256):
        batch = queries[start : start + 256]
        scores = vectors[batch] @ vectors.T
        scores[np.arange(len(batch)), batch] = -np.inf
        exact = np.argpartition(-scores, k, axis=1)[:, :k]
        for item, truth in zip(batch.tolist(), exact.tolist(), strict=True):
            approx = [i for i in index.get_nns_by_item(item, k + 1, search_k=search_k) if i != item][:k]
            found += len(set(truth).intersection(approx))
    return found / (k * len(queries))


def nearest_neighbours(vectors: np.ndarray, k: int, block: int = 512) -> np.ndarray:
    """Each row's `k` most similar rows (dot product of unit vectors), itself left out, best first.

    Exact, by blocks of rows over every core: a film's neighbours are then one lookup for the
    recommender, instead of an Annoy search per request. Ties go to the lower row number.
    """
    n = len(vectors)
    k = min(k, n - 1)
    out = np.empty((n, max(k, 0)), dtype=np.int32)
    if k <= 0:
        return out

    def rows(start: int) -> None:
        end = min(start + block, n)
        scores = vectors[start:end] @ vectors.T
        scores[np.arange(end - start), np.arange(start, end)] = -np.inf
        top = np.argpartition(scores, n - k, axis=1)[:, n - k :]
        best = np.take_along_axis(scores, top, axis=1)
        order = np.lexsort((top, -best), axis=1)
        out[start:end] = np.take_along_axis(top, order, axis=1)

    # One BLAS thread per worker: the workers already fill the cores.
    with threadpool_limits(1), ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(rows, range(0, n, block)))
    return out


def build_model(
    tables: dict[str, pl.DataFrame],
    params: ModelParams,
    progress: Callable[[str], None] = print,
    ratings: pl.DataFrame | None = None,
    viewers_params: ViewersParams | None = None,
) -> Callable[[Path], dict[str, Any]]:
    """Fit the model now; return the writer that puts it into the release folder.

    Fitting happens before the release's temporary folder exists, so a recall below the
    threshold fails the run before anything is written. With `ratings` (the kept MovieLens
    ratings), the viewers' model is built too (viewers.py) and measured on held-out viewers.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        progress(f"model: {name} {now - since:.2f} s")
        return now

    analyzer = Analyzer()
    t = time.perf_counter()
    ids, docs = documents(tables, analyzer, params)
    t = lap("documents", t)
    vectorizer = TfidfVectorizer(
        analyzer=lambda doc: doc,
        min_df=params.min_df,
        max_df=params.max_df,
        max_features=params.max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform(docs)
    t = lap("tfidf", t)
    dimensions = min(params.dimensions, matrix.shape[1] - 1, matrix.shape[0] - 1)
    svd = TruncatedSVD(n_components=dimensions, algorithm="randomized", n_iter=5, random_state=params.seed)
    reduced = svd.fit_transform(matrix).astype(np.float32)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    vectors = reduced / np.where(norms == 0, 1, norms)
    t = lap("svd", t)
    index = AnnoyIndex(dimensions, "angular")
    index.set_seed(params.seed)
    for item, vector in enumerate(vectors):
        index.add_item(item, vector)
    index.build(params.trees, n_jobs=-1)
    t = lap("index", t)
    rng = np.random.default_rng(params.seed)
    queries = rng.choice(len(ids), size=min(params.recall_queries, len(ids)), replace=False)
    # The index's recall falls as films are added: search wider until it clears the bar with a margin.
    search_k = params.effective_search_k
    recall = measure_recall(index, vectors, queries, search_k)
    while recall < params.min_recall + RECALL_MARGIN and not params.search_k and search_k < params.trees * 1600:
        search_k *= 2
        recall = measure_recall(index, vectors, queries, search_k)
    t = lap("recall", t)
    if recall < params.min_recall:
        raise ReleaseError(
            f"model recall@10 is {recall:.3f}, below the required {params.min_recall}; "
            "raise MARQUEE_MODEL_TREES or MARQUEE_MODEL_SEARCH_K"
        )
    neighbours = nearest_neighbours(vectors, params.neighbours) if params.neighbours > 0 else None
    t = lap("neighbours", t)
    films, facts = film_facts(tables, ids)
    wide_enough = neighbours is not None and neighbours.shape[1] >= 10
    tops = neighbours[:, :10] if neighbours is not None and wide_enough else nearest_neighbours(vectors, 10)
    quality = {
        "collection_hit_at_5": _rounded(collection_hit(tops, facts["collection"], 5)),
        "genre_jaccard_at_10": _rounded(genre_jaccard(tops, facts["genre_bits"], 10)),
        "recall_at_10": round(recall, 4),
    }
    t = lap("quality", t)
    served = viewers_entry = None
    if ratings is not None:
        from marquee_etl.viewers import build_viewers, content_neighbours

        served, viewers_entry = build_viewers(ratings, ids, vectors, content_neighbours(vectors, neighbours),
                                              facts, viewers_params or ViewersParams(), progress)  # fmt: skip
        quality["holdout_hit_rate_at_10"] = viewers_entry["holdout"]["hybrid"]["mean"]
        t = lap("viewers", t)
    vocabulary = vectorizer.get_feature_names_out().tolist()
    idf = vectorizer.idf_.astype(np.float32)
    components = svd.components_.astype(np.float32)
    build_seconds = round(time.perf_counter() - started, 3)

    def write(folder: Path) -> dict[str, Any]:
        out = folder / MODEL_DIR
        out.mkdir()
        (out / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        (out / "analyzer.json").write_text(json.dumps(analyzer.config(), ensure_ascii=False), encoding="utf-8")
        np.save(out / "idf.npy", idf, allow_pickle=False)
        np.save(out / "components.npy", components, allow_pickle=False)
        np.save(out / "vectors.npy", vectors, allow_pickle=False)
        np.save(out / "items.npy", np.asarray(ids, dtype=np.int64), allow_pickle=False)
        index.save(str(out / "index.ann"))
        if neighbours is not None:
            np.save(out / "neighbours.npy", neighbours, allow_pickle=False)
        write_films(out, films, facts)
        if served is not None:
            np.save(out / shared_viewers.NEIGHBOURS_FILE, served.neighbours, allow_pickle=False)
            np.save(out / shared_viewers.SCORES_FILE, served.scores, allow_pickle=False)
            np.save(out / shared_viewers.COUNTS_FILE, served.counts, allow_pickle=False)
            np.save(out / shared_viewers.SHARED_FILE, served.shared, allow_pickle=False)
        files = {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in sorted(out.iterdir())}
        return {
            "model": {
                "kind": "tfidf-svd-annoy",
                "metric": "angular",
                "items": len(ids),
                "dimensions": dimensions,
                "terms": len(vocabulary),
                "trees": params.trees,
                "search_k": search_k,
                "neighbours": 0 if neighbours is None else int(neighbours.shape[1]),
                "recall_at_10": round(recall, 4),
                "quality": quality,
                "recall_queries": len(queries),
                "explained_variance": round(float(svd.explained_variance_ratio_.sum()), 4),
                "explained_variance_by_dimension": [round(float(r), 6) for r in svd.explained_variance_ratio_],
                "build_seconds": build_seconds,
                "timings": timings,
                "parameters": params.model_dump(),
                "files": files,
                **({} if viewers_entry is None else {"viewers": viewers_entry}),
            }
        }

    return write


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
