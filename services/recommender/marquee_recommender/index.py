"""Recommendations from the release's model: candidates, re-ranked with metadata. No gRPC.

Candidates for a film come from its exact nearest films listed at build time
(`neighbours.npy`) while they are wide enough; wider searches and free text use the Annoy index.

The index, the vectors and the projection matrix are memory-mapped, so replicas on one host
share their pages and start-up does not read them whole. The film facts the ranking needs come
as plain arrays (`model/*.npy`, `films.json`), so scoring a candidate list is a few numpy
operations and the service needs no dataframe library.
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
from annoy import AnnoyIndex

from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import shared_pb2
from marquee_common import viewers as viewers_model
from marquee_common.analyzer import Analyzer
from marquee_common.contract import DEFAULT_LIMIT, MAX_LIMIT
from marquee_common.errors import InvalidQuery, NotFound, ReleaseError
from marquee_common.fuzzy import NameIndex
from marquee_common.release import read_manifest
from marquee_common.text import normalize_text
from marquee_common.titles import TitleIndex, check_year
from marquee_common.validation import require_text
from marquee_common.viewers import vote_prior

EXACT_SHARE = 0.2
"""When the filters leave at most this share of the films, they are all scored exactly."""

TEXT_SIMILARITY = pb.Recommendation.REASON_TEXT_SIMILARITY
SHARED_GENRES = pb.Recommendation.REASON_SHARED_GENRES
SAME_COLLECTION = pb.Recommendation.REASON_SAME_COLLECTION
SAME_DIRECTOR = pb.Recommendation.REASON_SAME_DIRECTOR
SAME_VIEWERS = pb.Recommendation.REASON_SAME_VIEWERS


DEFAULT_POPULARITY = 0.6
"""How much the ranking of a film's similar films favours well-known films unless a request says
(RECOMMENDER_POPULARITY); chosen with bench/bench_popularity.py's sweep (bench/README.md says why)."""
DEFAULT_TEXT_POPULARITY = 0.1
"""The same for free text (RECOMMENDER_TEXT_POPULARITY): a text's similarities are lower than a
film's, so the prior weighs more; above 0.1 a film's own words find it less often (bench/README.md)."""


@dataclass(frozen=True)
class Weights:
    """How the re-ranking blends evidence; defaults chosen with bench/quality_recommender.py."""

    genre: float = viewers_model.GENRE  # times the Jaccard overlap of genre sets
    collection: float = 0.5  # same collection as the seed
    director: float = viewers_model.DIRECTOR  # a director in common with the seed
    popularity: float = DEFAULT_POPULARITY  # 0..1, times the prior: ln(1 + votes) scaled to 0..1
    text_popularity: float = DEFAULT_TEXT_POPULARITY  # the same, for free-text seeds
    viewers: float = viewers_model.WEIGHT  # times the viewers' similarity (0..1), when the release has ratings
    similarity_reason: float = 0.25  # cosine above which TEXT_SIMILARITY is given as a reason
    learned_blend: bool = True  # film seeds of a release with ratings: the blend it learned (model.viewers.blend)


@dataclass(frozen=True)
class Filters:
    genre_bits: int  # 0: any genre
    year_min: int | None
    year_max: int | None
    min_votes: int | None
    include_adult: bool

    @property
    def narrowing(self) -> bool:
        return bool(self.genre_bits) or self.year_min is not None or self.year_max is not None or bool(self.min_votes)


Liked = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A seed's viewers' list: (films, similarities, viewers who liked both)."""


def check_popularity(value: float) -> float:
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise InvalidQuery(f"popularity must be between 0 (similarity only) and 1 (well-known films first), "
                           f"got {value}")  # fmt: skip
    return value


def _load(root: Path, name: str) -> np.ndarray:
    array: np.ndarray = np.load(root / f"{name}.npy", allow_pickle=False)
    return array


class Recommender:
    """One release's model and the film facts the ranking needs, ready to answer."""

    def __init__(self, folder: Path, weights: Weights | None = None, width: int = 100) -> None:
        started = time.perf_counter()
        self.weights = weights or Weights()
        self.base_width = width
        self.manifest = read_manifest(folder)
        self.version = folder.name
        model = self.manifest.get("model")
        if not model:
            raise ReleaseError(f"release {folder} has no recommendation model; rebuild it with the pipeline")
        self.model: dict[str, Any] = model
        root = folder / "model"
        self.items = _load(root, "items")
        # Plain ndarray views of the mappings: no copy, and no np.memmap overhead per operation.
        self.vectors = np.load(root / "vectors.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
        self.components = np.load(root / "components.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
        self.idf = _load(root, "idf")
        vocabulary = json.loads((root / "vocabulary.json").read_text(encoding="utf-8"))
        self.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        self.analyzer = Analyzer.from_config(json.loads((root / "analyzer.json").read_text(encoding="utf-8")))
        self.dimensions = int(model["dimensions"])
        self.search_k = int(model["search_k"])
        self.index = AnnoyIndex(self.dimensions, "angular")
        if not self.index.load(str(root / "index.ann"), prefault=False):
            raise ReleaseError(f"cannot load {root / 'index.ann'}")
        n = len(self.items)
        if self.index.get_n_items() != n or self.vectors.shape != (n, self.dimensions):
            raise ReleaseError(f"model files in {root} disagree on the number of items")
        self.neighbours: np.ndarray | None = None
        if model.get("neighbours"):
            self.neighbours = np.load(root / "neighbours.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
            if self.neighbours.shape != (n, int(model["neighbours"])):
                raise ReleaseError(f"neighbours.npy in {root} does not match the model's items")
        self._load_films(root)
        self._load_viewers(root)
        self.load_seconds = time.perf_counter() - started

    def _load_films(self, root: Path) -> None:
        films = json.loads((root / "films.json").read_text(encoding="utf-8"))
        self.titles: list[str] = films["title"]
        self.dates: list[str] = films["release_date"]
        self.genre_list: list[str] = films["genre_names"]
        self.years = _load(root, "years")
        self.votes = _load(root, "votes")
        self.adult = _load(root, "adult")
        self.collection = _load(root, "collection")
        self.genre_bits = _load(root, "genre_bits")
        self.directors = _load(root, "directors")
        if not all(len(a) == len(self.items) for a in (self.titles, self.years, self.genre_bits, self.directors)):
            raise ReleaseError(f"film facts in {root} disagree with the index on the number of items")
        self.item_by_id = dict(zip(self.items.tolist(), range(len(self.items)), strict=True))
        self.title_index = TitleIndex(self.items.tolist(), films["title_norm"], self.titles, self.years.tolist(),
                                      self.votes.tolist(), _load(root, "popularity").tolist())  # fmt: skip
        self.prior = vote_prior(self.votes)
        self.most_voted = np.argsort(-self.votes, kind="stable")[: viewers_model.MOST_VOTED].astype(np.int64)
        order = np.argsort(self.collection, kind="stable")
        keys = self.collection[order]
        self._collection_order, self._collection_keys = order, keys
        self.genre_by_norm = {normalize_text(g): (i, g) for i, g in enumerate(self.genre_list)}
        self.genre_names = NameIndex({norm: g for norm, (_, g) in self.genre_by_norm.items()})
        self._genre_names: dict[int, list[str]] = {}

    def _load_viewers(self, root: Path) -> None:
        """Which films the same viewers liked, when the release was built with ratings (memory-mapped)."""
        self.viewers: dict[str, Any] | None = self.model.get("viewers")
        self.viewer_lists: np.ndarray | None = None
        self.viewer_scores: np.ndarray | None = None
        self.viewer_counts: np.ndarray | None = None
        self.viewer_shared: np.ndarray | None = None
        self.blend: viewers_model.Blend | None = None
        if not self.viewers:
            return
        if "blend" in self.viewers:
            try:
                self.blend = viewers_model.Blend.from_manifest(self.viewers["blend"])
            except ValueError as exc:
                raise ReleaseError(f"release {root.parent}: {exc}") from None
        n = len(self.items)
        lists = np.load(root / viewers_model.NEIGHBOURS_FILE, mmap_mode="r", allow_pickle=False).view(np.ndarray)
        scores = np.load(root / viewers_model.SCORES_FILE, mmap_mode="r", allow_pickle=False).view(np.ndarray)
        counts = _load(root, viewers_model.COUNTS_FILE.removesuffix(".npy"))
        shared = np.load(root / viewers_model.SHARED_FILE, mmap_mode="r", allow_pickle=False).view(np.ndarray)
        if lists.shape[0] != n or scores.shape != lists.shape or shared.shape != lists.shape or counts.shape != (n,):
            raise ReleaseError(f"the viewers' model in {root} does not match the model's {n} items")
        self.viewer_lists, self.viewer_scores, self.viewer_counts = lists, scores, counts
        self.viewer_shared = shared

    def _seed_viewers(self, seed: int | None) -> Liked | None:
        """(films, similarities, viewers who liked both) listed for the seed; None when the seed has
        too few viewers (or the release no ratings): content alone ranks it."""
        if seed is None or self.viewer_lists is None or self.viewer_scores is None or self.viewer_shared is None:
            return None
        assert self.viewer_counts is not None
        if self.viewer_counts[seed] < viewers_model.MIN_VIEWERS:
            return None
        row = np.asarray(self.viewer_lists[seed], dtype=np.int64)
        keep = row >= 0
        if not keep.any():
            return None
        scores = np.asarray(self.viewer_scores[seed][keep], dtype=np.float64)
        return row[keep], scores, np.asarray(self.viewer_shared[seed][keep], dtype=np.int64)

    # -- requests --------------------------------------------------------------------------

    def filters(self, request: pb.RecommendFilters) -> Filters:
        bits = 0
        for name in request.genres:
            found = self.genre_by_norm.get(normalize_text(name))
            if found is None:  # which genres exist is the release's business: NOT_FOUND, as for a title
                suggestions = self.genre_names.suggest(normalize_text(name)) or list(self.genre_list)
                raise NotFound(f"no genre named {name!r}; the genres are {', '.join(self.genre_list)}", suggestions)
            bits |= 1 << found[0]
        year_min = request.year_min if request.HasField("year_min") else None
        year_max = request.year_max if request.HasField("year_max") else None
        check_year(year_min)
        check_year(year_max)
        if year_min is not None and year_max is not None and year_min > year_max:
            raise InvalidQuery(f"year_min {year_min} is after year_max {year_max}")
        min_votes = request.min_votes if request.HasField("min_votes") else None
        if min_votes is not None and min_votes < 0:
            raise InvalidQuery(f"min_votes must not be negative, got {min_votes}")
        return Filters(bits, year_min, year_max, min_votes, request.include_adult)

    def _mask(self, items: np.ndarray | None, f: Filters) -> np.ndarray:
        """Which of `items` (all films when None) pass the filters."""

        def column(array: np.ndarray) -> np.ndarray:
            return array if items is None else array[items]

        keep = np.ones(len(self.items) if items is None else len(items), dtype=bool)
        if not f.include_adult:
            keep &= ~column(self.adult)
        if f.genre_bits:
            keep &= (column(self.genre_bits) & np.uint64(f.genre_bits)) != 0
        if f.year_min is not None:
            keep &= column(self.years) >= f.year_min
        if f.year_max is not None:
            keep &= column(self.years) <= f.year_max
        if f.min_votes:
            keep &= column(self.votes) >= f.min_votes
        return keep

    def embed(self, text: str) -> np.ndarray:
        """Free text -> a unit vector in the films' space (TF-IDF, then the SVD projection)."""
        words = Counter(w for w in self.analyzer.words(text) if w in self.vocabulary)
        if not words:
            raise NotFound(f"none of the words of {text.strip()!r} are known to the model; try other words")
        columns = np.fromiter((self.vocabulary[w] for w in words), dtype=np.int64, count=len(words))
        weights = np.fromiter(((1 + math.log(c)) for c in words.values()), dtype=np.float32, count=len(words))
        weights *= self.idf[columns]
        weights /= np.linalg.norm(weights)
        vector = np.asarray(self.components[:, columns] @ weights, dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            raise NotFound(f"the words of {text.strip()!r} carry no meaning the model can use; try other words")
        return vector / norm

    def ref(self, item: int) -> shared_pb2.MovieRef:
        return shared_pb2.MovieRef(id=int(self.items[item]), title=self.titles[item], year=int(self.years[item]),
                                    release_date=self.dates[item])  # fmt: skip

    def recommend(self, request: pb.RecommendRequest) -> pb.RecommendResponse:
        limit = request.limit or DEFAULT_LIMIT
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}, got {request.limit}")
        asked = check_popularity(request.popularity) if request.HasField("popularity") else None
        filters = self.filters(request.filters)
        seed, resolved = self._seed(request)
        # A film seed of a release with a learned blend, when the request leaves popularity to us:
        # the blend the ratings chose. Otherwise the content defaults, at the popularity asked.
        blend = self.blend if seed is not None and asked is None and self.weights.learned_blend else None
        if blend is not None:
            popularity = blend.popularity
        elif asked is not None:
            popularity = asked
        else:
            popularity = self.weights.popularity if seed is not None else self.weights.text_popularity
        vector = self.vectors[seed] if seed is not None else self.embed(request.text)
        liked = self._seed_viewers(seed)  # read once: the candidates and the ranking both use it
        candidates, matched = self._candidates(vector, seed, filters, limit, liked, blend is not None)
        response = pb.RecommendResponse(seed=resolved, matched=matched, popularity=popularity)
        response.recommendations.extend(self._rank(candidates, vector, seed, limit, popularity, liked, blend))
        return response

    def _seed(self, request: pb.RecommendRequest) -> tuple[int | None, pb.ResolvedSeed]:
        kind = request.WhichOneof("seed")
        if kind == "movie_id":
            if request.movie_id <= 0:
                raise InvalidQuery(f"movie_id must be a positive integer, got {request.movie_id}")
            item = self.item_by_id.get(request.movie_id)
            if item is None:
                raise NotFound(f"no movie with id {request.movie_id}")
            return item, pb.ResolvedSeed(kind=pb.ResolvedSeed.KIND_MOVIE_ID, movie=self.ref(item))
        if kind == "title":
            year = request.title.year if request.title.HasField("year") else None
            item, others = self.title_index.resolve(request.title.title, year)
            return item, pb.ResolvedSeed(kind=pb.ResolvedSeed.KIND_TITLE, movie=self.ref(item),
                                         same_title=[self.ref(i) for i in others])  # fmt: skip
        if kind == "text":
            require_text(request.text, "text")
            return None, pb.ResolvedSeed(kind=pb.ResolvedSeed.KIND_TEXT, text=request.text.strip())
        raise InvalidQuery("give a seed: movie_id, title or text")

    def _collection_mates(self, seed: int) -> np.ndarray:
        coll = self.collection[seed]
        if coll < 0:
            return np.empty(0, dtype=np.int64)
        start, end = np.searchsorted(self._collection_keys, [coll, coll + 1])
        return self._collection_order[start:end]

    def _candidates(self, vector: np.ndarray, seed: int | None, filters: Filters, limit: int,
                    liked: Liked | None = None, most_voted: bool = False) -> tuple[np.ndarray, int]:  # fmt: skip
        """(films to score, how many passed the filters): index neighbours widened until enough pass,
        or, when the filters leave few films, every one of them. A film seed adds its collection and
        its viewers' list, and (`most_voted`, for a learned blend) the release's most-voted films."""
        total = len(self.items)
        if filters.narrowing:
            passing = np.flatnonzero(self._mask(None, filters))
            if seed is not None:
                passing = passing[passing != seed]
            if len(passing) <= max(EXACT_SHARE * total, limit * 20):
                return passing, len(passing)
        width = max(self.base_width, limit * 20) * (5 if filters.narrowing else 1)
        query = vector.tolist()
        while True:
            width = min(width, total)
            search_k = max(self.search_k, 4 * width)
            found: np.ndarray | list[int]
            if seed is not None and self.neighbours is not None and min(width, total - 1) <= self.neighbours.shape[1]:
                found = self.neighbours[seed, :width]  # seed left out already
            elif seed is not None:
                found = self.index.get_nns_by_item(seed, width + 1, search_k=search_k)
            else:
                found = self.index.get_nns_by_vector(query, width, search_k=search_k)
            pool = np.asarray(found, dtype=np.int64)
            if seed is not None:
                extra = [self._collection_mates(seed)] + ([liked[0]] if liked is not None else [])
                extra += [self.most_voted] if most_voted else []
                pool = np.unique(np.concatenate((pool, *extra)))
                pool = pool[pool != seed]
            pool = pool[self._mask(pool, filters)]
            if len(pool) >= limit * 2 or width >= total:
                return pool, len(pool)
            width *= 4

    def _rank(self, cand: np.ndarray, vector: np.ndarray, seed: int | None, limit: int, popularity: float,
              liked: Liked | None = None, blend: viewers_model.Blend | None = None
              ) -> list[pb.Recommendation]:  # fmt: skip
        """Score: similarity weight x (cosine + genre and director terms) + collection weight x same
        collection + popularity x prior + viewers' weight x viewers' similarity; the weights are
        the learned blend's when given, else the settings' (similarity 1)."""
        if len(cand) == 0:
            return []
        w = self.weights
        text_weight = 1.0 if blend is None else blend.similarity
        collection_weight = w.collection if blend is None else blend.collection
        viewers_weight = w.viewers if blend is None else blend.viewers
        similarity = self.vectors[cand] @ vector
        content = similarity.astype(np.float64)
        score = popularity * self.prior[cand].astype(np.float64)
        same_viewers = None
        if liked is not None:
            order = np.argsort(liked[0])
            listed, listed_scores, liked_both = liked[0][order], liked[1][order], liked[2][order]
            at = np.minimum(np.searchsorted(listed, cand), len(listed) - 1)
            found = listed[at] == cand
            score += viewers_weight * np.where(found, listed_scores[at], 0.0)
            same_viewers = found & (liked_both[at] >= viewers_model.SHARED_REASON)
        if seed is not None:
            seed_bits = self.genre_bits[seed]
            both = np.bitwise_count(self.genre_bits[cand] & seed_bits)
            either = np.bitwise_count(self.genre_bits[cand] | seed_bits)
            content += w.genre * np.divide(both, either, out=np.zeros(len(cand)), where=either > 0)
            same_collection = (self.collection[cand] == self.collection[seed]) & (self.collection[seed] >= 0)
            score += collection_weight * same_collection
            same_director = None
            for director in self.directors[seed][self.directors[seed] >= 0].tolist():  # one or two
                found = (self.directors[cand] == director).any(axis=1)
                same_director = found if same_director is None else same_director | found
            if same_director is not None:
                content += w.director * same_director
        score += text_weight * content
        top = np.argsort(-score, kind="stable")[:limit]
        out = []
        for n in top.tolist():
            item = int(cand[n])
            genres = self._genres(int(self.genre_bits[item]))
            reasons = [TEXT_SIMILARITY] if similarity[n] >= w.similarity_reason else []
            shared: list[str] = []
            if seed is not None:
                shared = self._genres(int(self.genre_bits[item] & self.genre_bits[seed]))
                if shared:
                    reasons.append(SHARED_GENRES)
                if same_collection[n]:
                    reasons.append(SAME_COLLECTION)
                if same_director is not None and same_director[n]:
                    reasons.append(SAME_DIRECTOR)
                if same_viewers is not None and same_viewers[n]:
                    reasons.append(SAME_VIEWERS)
            out.append(pb.Recommendation(movie=self.ref(item), genres=genres, score=float(score[n]),
                                         similarity=float(similarity[n]), reasons=reasons,
                                         shared_genres=shared))  # fmt: skip
        return out

    def _genres(self, bits: int) -> list[str]:
        names = self._genre_names.get(bits)
        if names is None:  # at most one entry per genre combination in the data
            names = self._genre_names[bits] = [name for i, name in enumerate(self.genre_list) if bits >> i & 1]
        return names

    def model_info(self) -> pb.GetModelInfoResponse:
        m = self.model
        parameters = {**m.get("parameters", {}), "search_k": m["search_k"], "terms": m.get("terms", ""),
                      "popularity_default": self.weights.popularity,
                      "text_popularity_default": self.weights.text_popularity}  # fmt: skip
        if self.viewers:
            parameters.update({f"viewers_{k}": v for k, v in (self.viewers.get("parameters") or {}).items()})
            parameters.update(viewers_weight=self.weights.viewers, viewers_users=self.viewers.get("users", ""),
                              viewers_films_with_list=self.viewers.get("films_with_list", ""))  # fmt: skip
            if self.blend is not None:
                parameters.update({f"blend_{k}": v for k, v in self.blend.recorded().items()})
        return pb.GetModelInfoResponse(
            release_version=str(self.manifest.get("version", "")),
            built_at=str(self.manifest.get("created_at", "")),
            items=int(m["items"]),
            dimensions=int(m["dimensions"]),
            trees=int(m["trees"]),
            metric=str(m["metric"]),
            recall_at_10=float(m["recall_at_10"]),
            build_seconds=float(m.get("build_seconds", 0.0)),
            parameters={k: str(v) for k, v in parameters.items()},
        )
