"""Recommendations from the release's model: Annoy candidates, re-ranked with metadata. No gRPC.

The index, the vectors and the projection matrix are memory-mapped, so replicas on one host
share their pages and start-up does not read them whole.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from annoy import AnnoyIndex

from marquee.v1 import catalog_pb2
from marquee.v1 import recommender_pb2 as pb
from marquee_common.analyzer import Analyzer
from marquee_common.errors import InvalidQuery, NotFound, ReleaseError
from marquee_common.release import read_manifest
from marquee_common.text import normalize_text
from marquee_common.titles import TitleIndex, check_year
from marquee_common.validation import require_text

MAX_LIMIT = 50
DEFAULT_LIMIT = 5
Reason = pb.Recommendation.Reason


@dataclass(frozen=True)
class Weights:
    """How the re-ranking blends evidence; defaults chosen with bench/bench_recommender.py."""

    genre: float = 0.25  # times the Jaccard overlap of genre sets
    collection: float = 0.35  # same collection as the seed
    director: float = 0.10  # a director in common with the seed
    quality: float = 0.08  # times log(votes) scaled to 0..1
    similarity_reason: float = 0.25  # cosine above which TEXT_SIMILARITY is given as a reason


@dataclass(frozen=True)
class Filters:
    genres: frozenset[str]
    year_min: int | None
    year_max: int | None
    min_votes: int | None
    include_adult: bool

    @property
    def narrowing(self) -> bool:
        return bool(self.genres) or self.year_min is not None or self.year_max is not None or bool(self.min_votes)


class Recommender:
    """One release's model and the film facts the ranking needs, ready to answer."""

    def __init__(self, folder: Path, weights: Weights | None = None, width: int = 100) -> None:
        started = time.perf_counter()
        self.weights = weights or Weights()
        self.base_width = width
        manifest = read_manifest(folder)
        self.manifest = manifest
        model = manifest.get("model")
        if not model:
            raise ReleaseError(f"release {folder} has no recommendation model; rebuild it with the pipeline")
        self.model: dict[str, Any] = model
        root = folder / "model"
        self.items = np.load(root / "items.npy", allow_pickle=False)
        self.vectors = np.load(root / "vectors.npy", mmap_mode="r", allow_pickle=False)
        self.components = np.load(root / "components.npy", mmap_mode="r", allow_pickle=False)
        self.idf = np.load(root / "idf.npy", allow_pickle=False)
        vocabulary = json.loads((root / "vocabulary.json").read_text(encoding="utf-8"))
        self.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        self.analyzer = Analyzer.from_config(json.loads((root / "analyzer.json").read_text(encoding="utf-8")))
        self.dimensions = int(model["dimensions"])
        self.search_k = int(model["search_k"])
        self.index = AnnoyIndex(self.dimensions, "angular")
        if not self.index.load(str(root / "index.ann"), prefault=False):
            raise ReleaseError(f"cannot load {root / 'index.ann'}")
        if self.index.get_n_items() != len(self.items) or self.vectors.shape != (len(self.items), self.dimensions):
            raise ReleaseError(f"model files in {root} disagree on the number of items")
        self._load_films(folder)
        self.load_seconds = time.perf_counter() - started

    def _load_films(self, folder: Path) -> None:
        order = pl.DataFrame({"id": self.items, "item": np.arange(len(self.items))})
        movies = order.join(
            pl.read_parquet(
                folder / "movies.parquet",
                columns=[
                    "id",
                    "title",
                    "title_norm",
                    "release_year",
                    "release_date",
                    "vote_count",
                    "popularity",
                    "adult",
                    "collection_id",
                ],
            ),
            on="id",
            how="left",
        ).sort("item")
        if movies["title"].null_count():
            raise ReleaseError("the model names films that movies.parquet lacks")
        self.titles = movies["title"].to_list()
        self.dates = movies["release_date"].dt.strftime("%Y-%m-%d").to_list()
        self.years = movies["release_year"].to_numpy()
        self.votes = movies["vote_count"].to_numpy()
        self.adult = movies["adult"].to_numpy()
        self.collection = movies["collection_id"].fill_null(-1).to_numpy()
        self.item_by_id = dict(zip(self.items.tolist(), range(len(self.items)), strict=True))
        self.title_index = TitleIndex(
            self.items.tolist(),
            movies["title_norm"].to_list(),
            self.titles,
            self.years.tolist(),
            self.votes.tolist(),
            movies["popularity"].to_list(),
        )
        self.quality = (np.log1p(self.votes) / math.log1p(max(int(self.votes.max(initial=0)), 1))).astype(np.float32)
        mates: dict[int, list[int]] = {}
        for item, coll in enumerate(self.collection.tolist()):
            if coll >= 0:
                mates.setdefault(coll, []).append(item)
        self.collection_items = mates
        genres = (
            pl.read_parquet(folder / "genres.parquet", columns=["movie_id", "position", "name"])
            .sort("movie_id", "position")
            .group_by("movie_id", maintain_order=True)
            .agg("name")
        )
        by_movie = dict(zip(genres["movie_id"].to_list(), genres["name"].to_list(), strict=True))
        self.genres: list[tuple[str, ...]] = [tuple(by_movie.get(m, ())) for m in self.items.tolist()]
        self.genre_sets = [frozenset(g) for g in self.genres]
        self.genre_names = {normalize_text(g): g for names in self.genres for g in names}
        directors = (
            pl.scan_parquet(folder / "crew.parquet")
            .filter(pl.col("job") == "Director")
            .group_by("movie_id")
            .agg(pl.col("person_id").unique())
            .collect()
        )
        by_movie_dirs = dict(zip(directors["movie_id"].to_list(), directors["person_id"].to_list(), strict=True))
        self.directors = [frozenset(by_movie_dirs.get(m, ())) for m in self.items.tolist()]

    # -- requests --------------------------------------------------------------------------

    def filters(self, request: pb.RecommendFilters) -> Filters:
        genres = set()
        for name in request.genres:
            norm = normalize_text(name)
            if norm not in self.genre_names:
                raise InvalidQuery(
                    f"unknown genre {name!r}; known genres: {', '.join(sorted(self.genre_names.values()))}"
                )
            genres.add(self.genre_names[norm])
        year_min = request.year_min if request.HasField("year_min") else None
        year_max = request.year_max if request.HasField("year_max") else None
        check_year(year_min)
        check_year(year_max)
        if year_min is not None and year_max is not None and year_min > year_max:
            raise InvalidQuery(f"year_min {year_min} is after year_max {year_max}")
        min_votes = request.min_votes if request.HasField("min_votes") else None
        if min_votes is not None and min_votes < 0:
            raise InvalidQuery(f"min_votes must not be negative, got {min_votes}")
        return Filters(frozenset(genres), year_min, year_max, min_votes, request.include_adult)

    def _passes(self, item: int, f: Filters) -> bool:
        if self.adult[item] and not f.include_adult:
            return False
        if f.genres and not (self.genre_sets[item] & f.genres):
            return False
        year = self.years[item]
        if (f.year_min is not None and year < f.year_min) or (f.year_max is not None and year > f.year_max):
            return False
        return not (f.min_votes and self.votes[item] < f.min_votes)

    def embed(self, text: str) -> np.ndarray:
        """Free text -> a unit vector in the films' space (TF-IDF, then the SVD projection)."""
        words = Counter(w for w in self.analyzer.words(text) if w in self.vocabulary)
        if not words:
            raise InvalidQuery(f"none of the words of {text.strip()!r} are known to the model; try other words")
        columns = np.fromiter((self.vocabulary[w] for w in words), dtype=np.int64, count=len(words))
        weights = np.fromiter(((1 + math.log(c)) for c in words.values()), dtype=np.float32, count=len(words))
        weights *= self.idf[columns]
        weights /= np.linalg.norm(weights)
        vector = np.asarray(self.components[:, columns] @ weights, dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            raise InvalidQuery(f"the words of {text.strip()!r} carry no meaning the model can use; try other words")
        return vector / norm

    def ref(self, item: int) -> catalog_pb2.MovieRef:
        return catalog_pb2.MovieRef(
            id=int(self.items[item]), title=self.titles[item], year=int(self.years[item]), release_date=self.dates[item]
        )

    def recommend(self, request: pb.RecommendRequest) -> pb.RecommendResponse:
        limit = request.limit or DEFAULT_LIMIT
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}, got {request.limit}")
        filters = self.filters(request.filters)
        seed_item, resolved = self._seed(request)
        vector = self.vectors[seed_item] if seed_item is not None else self.embed(request.text)
        ranked, matched = self._rank(vector, seed_item, filters, limit)
        response = pb.RecommendResponse(seed=resolved, matched=matched)
        response.recommendations.extend(ranked)
        return response

    def _seed(self, request: pb.RecommendRequest) -> tuple[int | None, pb.ResolvedSeed]:
        kind = request.WhichOneof("seed")
        if kind == "movie_id":
            if request.movie_id <= 0:
                raise InvalidQuery(f"movie_id must be a positive integer, got {request.movie_id}")
            item = self.item_by_id.get(request.movie_id)
            if item is None:
                raise NotFound(f"no movie with id {request.movie_id}")
            return item, pb.ResolvedSeed(kind=pb.ResolvedSeed.MOVIE_ID, movie=self.ref(item))
        if kind == "title":
            year = request.title.year if request.title.HasField("year") else None
            item, others = self.title_index.resolve(request.title.title, year)
            return item, pb.ResolvedSeed(
                kind=pb.ResolvedSeed.TITLE, movie=self.ref(item), same_title=[self.ref(i) for i in others]
            )
        if kind == "text":
            require_text(request.text, "text")
            return None, pb.ResolvedSeed(kind=pb.ResolvedSeed.TEXT, text=request.text.strip())
        raise InvalidQuery("give a seed: movie_id, title or text")

    def _candidates(self, vector: np.ndarray, seed: int | None, filters: Filters, limit: int) -> tuple[list[int], int]:
        """Items passing the filters, from an ever wider search until there are enough."""
        total = len(self.items)
        width = max(self.base_width, limit * 20) * (5 if filters.narrowing else 1)
        while True:
            width = min(width, total)
            found = self.index.get_nns_by_vector(vector, width, search_k=max(self.search_k, width * 20))
            pool = dict.fromkeys(found)
            if seed is not None and self.collection[seed] >= 0:
                pool.update(dict.fromkeys(self.collection_items[int(self.collection[seed])]))
            passing = [i for i in pool if i != seed and self._passes(i, filters)]
            if len(passing) >= limit * 2 or width >= total:
                return passing, len(passing)
            if width * 4 >= total:  # the last step: every film, exactly
                everything = [i for i in range(total) if i != seed and self._passes(i, filters)]
                return everything, len(everything)
            width *= 4

    def _rank(
        self, vector: np.ndarray, seed: int | None, filters: Filters, limit: int
    ) -> tuple[list[pb.Recommendation], int]:
        candidates, matched = self._candidates(vector, seed, filters, limit)
        if not candidates:
            return [], 0
        cand = np.asarray(candidates, dtype=np.int64)
        similarity = np.asarray(self.vectors[cand] @ vector, dtype=np.float64)
        w = self.weights
        score = similarity + w.quality * self.quality[cand]
        extra: list[tuple[list[int], list[str]]] = []
        if seed is not None:
            seed_genres, seed_dirs, seed_coll = self.genre_sets[seed], self.directors[seed], int(self.collection[seed])
            for n, item in enumerate(candidates):
                reasons: list[int] = []
                shared = seed_genres & self.genre_sets[item]
                if shared:
                    score[n] += w.genre * len(shared) / len(seed_genres | self.genre_sets[item])
                    reasons.append(Reason.SHARED_GENRES)
                if seed_coll >= 0 and self.collection[item] == seed_coll:
                    score[n] += w.collection
                    reasons.append(Reason.SAME_COLLECTION)
                if seed_dirs & self.directors[item]:
                    score[n] += w.director
                    reasons.append(Reason.SAME_DIRECTOR)
                extra.append((reasons, sorted(shared)))
        top = np.argsort(-score, kind="stable")[:limit]
        out = []
        for n in top.tolist():
            item = candidates[n]
            reasons, shared = extra[n] if extra else ([], [])
            if similarity[n] >= w.similarity_reason:
                reasons = [Reason.TEXT_SIMILARITY, *reasons]
            out.append(
                pb.Recommendation(
                    movie=self.ref(item),
                    genres=self.genres[item],
                    score=float(score[n]),
                    similarity=float(similarity[n]),
                    reasons=reasons,
                    shared_genres=shared,
                )
            )
        return out, matched

    def model_info(self) -> pb.ModelInfo:
        m = self.model
        return pb.ModelInfo(
            release_version=str(self.manifest.get("version", "")),
            built_at=str(self.manifest.get("created_at", "")),
            items=int(m["items"]),
            dimensions=int(m["dimensions"]),
            trees=int(m["trees"]),
            metric=str(m["metric"]),
            recall_at_10=float(m["recall_at_10"]),
            build_seconds=float(m.get("build_seconds", 0.0)),
            parameters={
                k: str(v)
                for k, v in {**m.get("parameters", {}), "search_k": m["search_k"], "terms": m.get("terms", "")}.items()
            },
        )
