"""Measure the recommender: quality on the real sample, speed and size on full-size data.

    python bench/bench_recommender.py [--quality-only | --speed-only] [--data DIR] [--sample DIR]

Why: issue 3 promises that Marquee's recommendations beat "the notebook way" (TF-IDF on the
title alone, exact cosine over a full n x n matrix) on every measure, and sets targets for
quality, speed and memory. Unit tests cannot tell; this script checks them on the machine
it runs on, in one run, side by side.

A. Quality, on the bundled real sample (`--sample`, default ../shared/data, 5,000 films):

* A release is built by the real pipeline (`python -m marquee_etl`, default model settings,
  no MARQUEE_* variable leaking in) into a temp folder.
* Marquee as served: `Recommender(release, Weights(), width).recommend(request)` for every
  film, by movie id, limit 10, in this process. That is exactly the code the gRPC servicer
  runs (servicer.Recommend only hands the request over), with the service's default
  weights and width (RecommenderSettings' defaults).
* The notebook way, on the same films: sklearn's TfidfVectorizer(stop_words="english") on
  the title alone, cosine_similarity over the full n x n float64 matrix, the film itself
  left out, ties broken by movie id. Many titles share no word with most others, so its
  top 10 is partly a pick among zero-similarity ties: it is also measured with ties broken
  in a few random orders, to show how much its figures depend on that.
* Metrics. Collection and genre facts are read from the release's Parquet tables, not
  from the service.
  - collection_hit@5: of the films in a collection with at least two members in the data,
    the share whose top 5 holds another member of that collection.
  - genre_jaccard@10: over the films with at least one genre, the mean over the film's
    top 10 of the Jaccard overlap of genre sets (a recommendation without genres counts 0).
  - recall@10: for every film (>= 1,000 queries), the share of its exact top 10 (cosine
    over the model's vectors.npy, the film left out) that the served Annoy index returns
    with the manifest's search_k (`get_nns_by_item`, as the build measures it). Shown
    beside it, for information: the share of the exact top 10 among the `width`
    candidates the server actually re-ranks (get_nns_by_vector with its search_k).
* Hand-read examples: top 5 of Toy Story, Heat, GoldenEye and Jumanji, both ways.
* Sweeps (skip with --no-sweep), on a fixed subset of films (every film of a multi-film
  collection plus random others, --sweep-films): the re-ranking weights (genre x
  collection x quality), then the model's dimensions x Annoy trees (a release rebuilt for
  each, MARQUEE_MODEL_MIN_RECALL=0 so that low-recall settings are shown, not refused).
  Beside the two targets each row shows sim@10 (mean cosine of the top 10 to the seed: how
  much of the model's text similarity the re-ranking keeps) and obscure@10 (share of
  recommendations with fewer than 10 votes).

B. Speed and size, on full-size data (`--data`, default /tmp/marquee-full; made with the
shared generator `synth_tmdb.py scale` when missing, as bench_pipeline.py does):

* Model build: a release is built by `python -m marquee_etl`; the target is on the
  manifest's model.build_seconds (documents, TF-IDF, SVD, index, recall check), whose
  per-step timings are shown; the pipeline's whole wall time beside it.
* Start-up: `python -m marquee_recommender` is started `--starts` times (a fresh process
  each, RECOMMENDER_HOST=127.0.0.1, a free port, MARQUEE_DATA_DIR); health Check of
  "marquee.v1.RecommenderService" is polled every 10 ms (the channel reconnects every
  10-20 ms instead of gRPC's 1 s back-off); the time from Popen to SERVING. Target on
  the median. The last server stays up for the load.
* Load: `--clients` threads (one channel and connection each, same machine) call
  Recommend in phases, each with a warm-up then a measured window: (1) by movie id (half
  from the 2,000 most-voted films, half uniform; limit unset (5) 60 %, 10 25 %, 20 15 %),
  (2) free text (4-12 consecutive words of a random film's overview or tagline), (3) for
  information, no target: titles and every seed kind with filters.
* Latency "at the server" is the `duration_ms` of the server's JSON call log (one line per
  call on its stdout) inside each phase's window; nearest-rank percentiles. The server
  log does not say which seed a call had, hence one phase per kind. Client round trips
  are shown beside it. The same id requests are also timed in this process on the same
  release (no gRPC) as a reference.
* Memory: the server's RSS at SERVING and after the load (psutil; also USS and PSS: the
  model files are memory-mapped, so part of the RSS is shared page cache), and its peak
  VmHWM (/proc). The notebook way's n x n float64 matrix at n = the release's films is
  computed (n * n * 8 bytes), not allocated. 1 MB is 2**20 bytes, 1 GB 10**9 bytes.
* Finally the server gets SIGTERM and must exit 0.

Exit status: 0 when every target passes, 1 when one fails, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import ceil
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import polars as pl
import psutil
from annoy import AnnoyIndex
from bench_pipeline import SHARED, ensure_data
from bench_pipeline import BenchError as DataError
from bench_pipeline import machine as shared_machine
from grpc_health.v1 import health_pb2, health_pb2_grpc

from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc
from marquee_common.errors import InvalidQuery
from marquee_recommender.config import RecommenderSettings
from marquee_recommender.index import Recommender, Weights

REPO = Path(__file__).resolve().parents[1]
FILES = ("movies_metadata.csv", "credits.csv")
ENV_PREFIXES = ("MARQUEE_", "CATALOG_", "RECOMMENDER_", "GATEWAY_")
SERVICE = "marquee.v1.RecommenderService"
MB = 1024 * 1024
GB = 10**9

# Targets of issue 3.
COLLECTION_TARGET = 0.97
GENRE_TARGET = 0.45
RECALL_TARGET = 0.95
BUILD_TARGET_S = 60.0
STARTUP_TARGET_S = 2.0
ID_P50_TARGET_MS = 2.0
ID_P99_TARGET_MS = 10.0
TEXT_P99_TARGET_MS = 20.0
RSS_TARGET_MB = 300.0

EXAMPLES = {862: "Toy Story", 949: "Heat", 710: "GoldenEye", 8844: "Jumanji"}
SWEEP_GENRE = (0.15, 0.25, 0.4)
SWEEP_COLLECTION = (0.2, 0.35, 0.5)
SWEEP_QUALITY = (0.0, 0.08, 0.15)
SWEEP_DIMENSIONS = (96, 128, 160)
SWEEP_TREES = (20, 40, 60)
OBSCURE_VOTES = 10
TIE_ORDERS = 5  # random tie orders the notebook way is also measured with

POLL_SECONDS = 0.010
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
CALL_TIMEOUT_S = 10.0
POOL = 3000
POPULAR = 2000
FAST_RECONNECT = [
    ("grpc.initial_reconnect_backoff_ms", 10),
    ("grpc.min_reconnect_backoff_ms", 10),
    ("grpc.max_reconnect_backoff_ms", 20),
]


class BenchError(DataError):
    """A run or the set-up failed; the message says which and why."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--quality-only", action="store_true", help="run part A (quality, on the sample) only")
    only.add_argument("--speed-only", action="store_true", help="run part B (speed and size, full size) only")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("/tmp/marquee-full"),
        help="folder with the full-size raw CSVs; made when missing (default /tmp/marquee-full)",
    )
    parser.add_argument(
        "--sample",
        type=Path,
        default=SHARED / "data",
        help="folder with the real 5,000-film sample the quality is measured on (default ../shared/data)",
    )
    parser.add_argument("--no-sweep", action="store_true", help="skip the weight and model sweeps of part A")
    parser.add_argument(
        "--sweep-films", type=int, default=2000, help="films each sweep row is measured on; 0 = all (default 2000)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window of each load phase (default 15)")
    parser.add_argument("--warmup", type=float, default=2.0, help="load before each window, not measured (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--starts", type=int, default=3, help="fresh server starts timed to SERVING (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of inputs, subsets and mix (default 1)")
    parser.add_argument(
        "--synth",
        type=Path,
        default=SHARED / "tools" / "synth_tmdb.py",
        help="the synth_tmdb.py generator, used when --data lacks the files",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0:
        parser.error("--seconds must be positive and --warmup not negative")
    if args.clients < 1 or args.starts < 1 or args.sweep_films < 0:
        parser.error("--clients and --starts must be at least 1, --sweep-films not negative")
    return args


# -- shared helpers ---------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, ceil(p / 100 * len(ordered)) - 1)]


def machine() -> list[str]:
    return shared_machine(("scikit-learn", "annoy", "numpy", "polars", "grpcio", "protobuf"))


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This shell's environment without any Marquee setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    env.update(extra or {})
    return env


@dataclass
class Build:
    release: Path  # the `current` folder, resolved
    wall_s: float
    model: dict[str, Any]  # the manifest's "model"


def build_release(raw: Path, out: Path, env: dict[str, str] | None = None, quiet: bool = False) -> Build:
    """Run the pipeline as a user would, with default settings plus `env`."""
    if not quiet:
        print(f"building a release from {raw} ...", end=" ", flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "marquee_etl", "--raw", str(raw), "--out", str(out)],
        capture_output=True,
        text=True,
        env=clean_env(env),
        cwd=REPO,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"marquee_etl exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    release = (out / "current").resolve()
    model = json.loads((release / "manifest.json").read_text(encoding="utf-8")).get("model")
    if not model:
        raise BenchError(f"the release in {release} has no model in its manifest")
    if not quiet:
        print(f"{wall:.1f} s", flush=True)
    return Build(release, wall, model)


def served_width() -> int:
    """The service's default candidate width (RECOMMENDER_WIDTH unset)."""
    return int(RecommenderSettings.model_fields["width"].default)


# -- part A: quality -------------------------------------------------------------------------


@dataclass
class Films:
    """The release's films in the model's item order, with the facts the metrics need."""

    ids: list[int]
    titles: list[str]
    years: list[int | None]
    votes: np.ndarray
    collection: np.ndarray  # -1 when none
    collection_names: dict[int, str]
    genres: list[frozenset[str]]
    eligible: set[int]  # items in a collection with at least two members in the data

    @classmethod
    def read(cls, release: Path) -> Films:
        items = np.load(release / "model" / "items.npy", allow_pickle=False)
        order = pl.DataFrame({"id": items, "item": np.arange(len(items))})
        movies = order.join(
            pl.read_parquet(
                release / "movies.parquet", columns=["id", "title", "release_year", "vote_count", "collection_id"]
            ),
            on="id",
            how="left",
        ).sort("item")
        genres = pl.read_parquet(release / "genres.parquet", columns=["movie_id", "name"])
        by_movie: dict[int, set[str]] = {}
        for movie_id, name in genres.iter_rows():
            by_movie.setdefault(movie_id, set()).add(name)
        collections = pl.read_parquet(release / "collections.parquet", columns=["collection_id", "name"])
        collection = movies["collection_id"].fill_null(-1).to_numpy()
        sizes = Counter(collection[collection >= 0].tolist())
        ids = movies["id"].to_list()
        return cls(
            ids=ids,
            titles=movies["title"].fill_null("").to_list(),
            years=movies["release_year"].to_list(),
            votes=movies["vote_count"].fill_null(0).to_numpy(),
            collection=collection,
            collection_names=dict(collections.iter_rows()),
            genres=[frozenset(by_movie.get(m, ())) for m in ids],
            eligible={i for i, c in enumerate(collection.tolist()) if c >= 0 and sizes[c] >= 2},
        )

    def label(self, item: int) -> str:
        year = self.years[item]
        return f"{self.titles[item]} ({year if year is not None else '?'})"


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def collection_hit(tops: dict[int, list[int]], films: Films, k: int = 5) -> tuple[float, int]:
    """(share of eligible seeds whose top k holds another member of their collection, seeds)."""
    seeds = [i for i in tops if i in films.eligible]
    if not seeds:
        return float("nan"), 0
    hits = sum(any(films.collection[j] == films.collection[i] for j in tops[i][:k]) for i in seeds)
    return hits / len(seeds), len(seeds)


def genre_jaccard(tops: dict[int, list[int]], films: Films, k: int = 10) -> tuple[float, int]:
    """(mean over seeds with genres of the mean Jaccard overlap with their top k, seeds)."""
    means = []
    for i, top in tops.items():
        if films.genres[i]:
            picks = top[:k]
            means.append(sum(jaccard(films.genres[i], films.genres[j]) for j in picks) / len(picks) if picks else 0.0)
    return (float(np.mean(means)) if means else float("nan")), len(means)


@dataclass
class Served:
    tops: dict[int, list[int]]
    sims: dict[int, list[float]]
    seconds: float
    problems: list[str]


def served_lists(rec: Recommender, films: Films, items: list[int], limit: int = 10) -> Served:
    """Recommend by id for each item, as the service does; checks the rules on the way."""
    item_of = {m: i for i, m in enumerate(films.ids)}
    tops: dict[int, list[int]] = {}
    sims: dict[int, list[float]] = {}
    problems: list[str] = []
    started = time.perf_counter()
    for item in items:
        response = rec.recommend(pb.RecommendRequest(movie_id=films.ids[item], limit=limit))
        top = [item_of[r.movie.id] for r in response.recommendations]
        if item in top or len(set(top)) != len(top) or len(top) != limit:
            problems.append(f"{films.ids[item]}: {len(top)} answers, seed in them: {item in top}")
        tops[item] = top
        sims[item] = [r.similarity for r in response.recommendations]
    return Served(tops, sims, time.perf_counter() - started, problems)


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """The exact top k by cosine (unit vectors: dot product), each query left out."""
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), 512):
        batch = queries[start : start + 512]
        scores = vectors[batch] @ vectors.T
        scores[np.arange(len(batch)), batch] = -np.inf
        out[start : start + len(batch)] = np.argpartition(-scores, k, axis=1)[:, :k]
    return out


@dataclass
class Recall:
    queries: int
    search_k: int
    at_10: float  # get_nns_by_item with the manifest's search_k, as the build measures it
    candidates: float  # exact top 10 among the `width` candidates the server re-ranks
    width: int
    served_search_k: int


def measure_recall(release: Path, model: dict[str, Any], width: int, k: int = 10, pool: bool = True) -> Recall:
    root = release / "model"
    vectors = np.load(root / "vectors.npy", allow_pickle=False)
    index = AnnoyIndex(int(model["dimensions"]), "angular")
    if not index.load(str(root / "index.ann")):
        raise BenchError(f"cannot load {root / 'index.ann'}")
    search_k = int(model["search_k"])
    served_search_k = max(search_k, width * 20)  # as Recommender._candidates asks Annoy
    queries = np.arange(len(vectors))
    truth = exact_top(vectors, queries, k)
    found = in_candidates = 0
    for item, exact in zip(queries.tolist(), truth.tolist(), strict=True):
        approx = [i for i in index.get_nns_by_item(item, k + 1, search_k=search_k) if i != item][:k]
        found += len(set(exact).intersection(approx))
        if pool:
            candidates = index.get_nns_by_vector(vectors[item].tolist(), width, search_k=served_search_k)
            in_candidates += len(set(exact).intersection(candidates))
    total = k * len(queries)
    return Recall(
        len(queries), search_k, found / total, in_candidates / total if pool else float("nan"), width, served_search_k
    )


@dataclass
class Notebook:
    tops: dict[int, list[int]]
    sims: dict[int, list[float]]
    seconds: float
    matrix_bytes: int
    zero_titles: int  # titles with no word left after stop words
    tied_seeds: int  # seeds whose top 10 reaches zero-similarity films (an arbitrary pick)
    tie_orders: list[tuple[float, float]]  # (collection_hit@5, genre_jaccard@10) under random tie orders


def notebook_way(films: Films, seed: int, k: int = 10) -> Notebook:
    """TF-IDF on the title alone, exact cosine over the full n x n matrix, the film left out."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    started = time.perf_counter()
    tfidf = TfidfVectorizer(stop_words="english").fit_transform(films.titles)
    cosine = cosine_similarity(tfidf)  # dense n x n float64, as the notebook keeps it
    np.fill_diagonal(cosine, -np.inf)
    n = cosine.shape[0]

    def ranked(columns: np.ndarray | None) -> np.ndarray:
        """Top k per row, stable: ties go to the lower column (in `columns` order when given)."""
        out = np.empty((n, k), dtype=np.int64)
        for start in range(0, n, 500):
            rows = cosine[start : start + 500]
            if columns is not None:
                rows = rows[:, columns]
            top = np.argsort(-rows, axis=1, kind="stable")[:, :k]
            out[start : start + 500] = top if columns is None else columns[top]
        return out

    top = ranked(None)
    seconds = time.perf_counter() - started
    picked = np.take_along_axis(cosine, top, axis=1)
    tops = {i: top[i].tolist() for i in range(n)}
    result = Notebook(
        tops=tops,
        sims={i: picked[i].tolist() for i in range(n)},
        seconds=seconds,
        matrix_bytes=cosine.nbytes,
        zero_titles=int((tfidf.getnnz(axis=1) == 0).sum()),
        tied_seeds=int((picked[:, -1] <= 0).sum()),
        tie_orders=[],
    )
    rng = np.random.default_rng(seed)
    for _ in range(TIE_ORDERS):
        shuffled = ranked(rng.permutation(n))
        other = {i: shuffled[i].tolist() for i in range(n)}
        result.tie_orders.append((collection_hit(other, films)[0], genre_jaccard(other, films)[0]))
    return result


def mean_sim(sims: dict[int, list[float]], items: list[int], k: int = 10) -> float:
    values = [s for i in items for s in sims[i][:k]]
    return float(np.mean(values)) if values else float("nan")


def obscure_share(tops: dict[int, list[int]], films: Films, k: int = 10) -> float:
    picks = [j for top in tops.values() for j in top[:k]]
    return float(np.mean(films.votes[picks] < OBSCURE_VOTES)) if picks else float("nan")


def example_cell(films: Films, seed: int, rank: int, item: int, sim: float) -> str:
    coll = int(films.collection[seed])
    mark = "C" if coll >= 0 and films.collection[item] == coll else " "
    label = films.label(item)
    label = label if len(label) <= 36 else label[:35] + "~"
    return f"{rank}. {label:<36} {mark} j{jaccard(films.genres[seed], films.genres[item]):.2f} s{sim:.2f}"


def example_lines(films: Films, served: Served, notebook: Notebook) -> list[str]:
    item_of = {m: i for i, m in enumerate(films.ids)}
    lines = [
        "hand-read examples, top 5 (C = same collection as the seed, j = genre Jaccard with the seed,",
        "s = cosine: Marquee's model vectors / the notebook's title TF-IDF):",
    ]
    width = 60
    for movie_id, name in EXAMPLES.items():
        item = item_of.get(movie_id)
        if item is None:
            lines += ["", f"{name} (id {movie_id}): not in this release"]
            continue
        coll = int(films.collection[item])
        coll_name = films.collection_names.get(coll, "") if coll >= 0 else ""
        lines += [
            "",
            f"{films.label(item)}, id {movie_id}; genres: {', '.join(sorted(films.genres[item])) or '-'}"
            + (f"; {coll_name}" if coll_name else ""),
            f"  {'Marquee (as served)':<{width}}  notebook (title TF-IDF)",
        ]

        for rank in range(5):
            left = (
                example_cell(films, item, rank + 1, served.tops[item][rank], served.sims[item][rank])
                if rank < len(served.tops[item])
                else ""
            )
            right = example_cell(films, item, rank + 1, notebook.tops[item][rank], notebook.sims[item][rank])
            lines.append(f"  {left:<{width}}  {right}")
    return lines


@dataclass
class SweepRow:
    label: str
    coll: float
    genre: float
    sim: float
    obscure: float
    ms: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passes(self) -> bool:
        return self.coll >= COLLECTION_TARGET and self.genre >= GENRE_TARGET


def sweep_subset(films: Films, size: int, seed: int) -> list[int]:
    """Every film of a multi-film collection, then random others up to `size` (0: all films)."""
    everyone = list(range(len(films.ids)))
    if size == 0 or size >= len(everyone):
        return everyone
    chosen = set(films.eligible)
    others = [i for i in everyone if i not in chosen]
    random.Random(seed).shuffle(others)
    chosen.update(others[: max(0, size - len(chosen))])
    return sorted(chosen)


def evaluate(rec: Recommender, films: Films, items: list[int], label: str) -> SweepRow:
    served = served_lists(rec, films, items)
    return SweepRow(
        label=label,
        coll=collection_hit(served.tops, films)[0],
        genre=genre_jaccard(served.tops, films)[0],
        sim=mean_sim(served.sims, items),
        obscure=obscure_share(served.tops, films),
        ms=served.seconds / len(items) * 1000,
    )


def weight_sweep(release: Path, films: Films, items: list[int], width: int) -> list[SweepRow]:
    rows = []
    default = Weights()
    grid = list(itertools.product(SWEEP_GENRE, SWEEP_COLLECTION, SWEEP_QUALITY))
    print(f"weight sweep: {len(grid)} settings x {len(items):,} films ...", end=" ", flush=True)
    started = time.perf_counter()
    for genre, collection, quality in grid:
        weights = Weights(genre=genre, collection=collection, director=default.director, quality=quality)
        mark = "*" if (genre, collection, quality) == (default.genre, default.collection, default.quality) else " "
        rows.append(
            evaluate(Recommender(release, weights, width), films, items, f"{genre:<7}{collection:<7}{quality:<7}{mark}")
        )
    # reference: the model's vectors alone, no re-ranking (collection-mates still join the candidates)
    rows.append(
        evaluate(Recommender(release, Weights(0, 0, 0, 0), width), films, items, "vectors only (all weights 0)")
    )
    print(f"{time.perf_counter() - started:.0f} s", flush=True)
    return rows


def model_sweep(sample: Path, work: Path, ids: list[int], width: int) -> list[SweepRow]:
    """One release per (dimensions, trees), each measured on the films `ids`."""
    rows = []
    grid = list(itertools.product(SWEEP_DIMENSIONS, SWEEP_TREES))
    print(f"model sweep: {len(grid)} releases, each measured on {len(ids):,} films ...", end=" ", flush=True)
    started = time.perf_counter()
    default = model_defaults()
    for dimensions, trees in grid:
        out = work / f"sweep-{dimensions}-{trees}"
        mark = "*" if (dimensions, trees) == default else " "
        label = f"{dimensions:<6}{trees:<6}{mark}"
        settings = {
            "MARQUEE_MODEL_DIMENSIONS": str(dimensions),
            "MARQUEE_MODEL_TREES": str(trees),
            "MARQUEE_MODEL_MIN_RECALL": "0",
        }
        try:
            build = build_release(sample, out, settings, quiet=True)
        except BenchError as exc:  # one setting failing must not hide the others
            nan = float("nan")
            rows.append(SweepRow(label, nan, nan, nan, nan, nan, {"error": " ".join(str(exc).split())}))
            continue
        films = Films.read(build.release)
        item_of = {m: i for i, m in enumerate(films.ids)}
        items = [item_of[m] for m in ids]
        recall = measure_recall(build.release, build.model, width, pool=False)
        row = evaluate(Recommender(build.release, Weights(), width), films, items, label)
        row.extra = {
            "build_s": float(build.model["build_seconds"]),
            "index_mb": (build.release / "model" / "index.ann").stat().st_size / MB,
            "recall": recall.at_10,
            "variance": float(build.model.get("explained_variance", float("nan"))),
        }
        rows.append(row)
        shutil.rmtree(out, ignore_errors=True)
    print(f"{time.perf_counter() - started:.0f} s", flush=True)
    return rows


def model_defaults() -> tuple[int, int]:
    """The pipeline's default (dimensions, trees)."""
    from marquee_etl.model import ModelParams

    params = ModelParams()
    return params.dimensions, params.trees


def weight_table(rows: list[SweepRow], films: Films, subset: list[int], width: int) -> list[str]:
    d = Weights()
    lines = [
        f"weight sweep (director {d.director}, width {width}; * = current default); "
        f"measured on {len(subset):,} films: all {len(films.eligible)} collection seeds + random others",
        f"  {'genre  coll   qual':<29}{'coll@5':>8}{'genre_j@10':>11}{'sim@10':>8}{'obscure':>9}{'ms/call':>9}"
        "  targets",
    ]
    for row in rows:
        lines.append(
            f"  {row.label:<29}{row.coll:>8.3f}{row.genre:>11.3f}{row.sim:>8.3f}{row.obscure:>9.3f}"
            f"{row.ms:>9.2f}  {'both' if row.passes else '-'}"
        )
    passing = [r for r in rows[:-1] if r.passes]
    if passing:
        best = max(passing, key=lambda r: r.sim)
        lines.append(
            f"  passing both targets and keeping the most text similarity (sim@10): {best.label.strip()} "
            "(genre collection quality)"
        )
    return lines


def model_table(rows: list[SweepRow], width: int) -> list[str]:
    lines = [
        f"model sweep (default weights, width {width}; * = current default; search_k = trees x 100; "
        "recall@10 over every film;",
        "  sim@10 is not comparable across dimensions: cosines shrink as dimensions grow)",
        f"  {'dims  trees':<14}{'build s':>8}{'index MB':>9}{'var':>7}{'recall':>8}"
        f"{'coll@5':>8}{'genre_j':>8}{'sim@10':>8}{'ms/call':>8}  targets",
    ]
    for row in rows:
        x = row.extra
        if "error" in x:
            lines.append(f"  {row.label:<14}build failed: {x['error'][-300:]}")
            continue
        ok = row.passes and x["recall"] >= RECALL_TARGET
        lines.append(
            f"  {row.label:<14}{x['build_s']:>8.2f}{x['index_mb']:>9.1f}{x['variance']:>7.3f}{x['recall']:>8.4f}"
            f"{row.coll:>8.3f}{row.genre:>8.3f}{row.sim:>8.3f}{row.ms:>8.2f}  {'all' if ok else '-'}"
        )
    return lines


def quality(args: argparse.Namespace, work: Path) -> bool:
    width = served_width()
    build = build_release(args.sample.resolve(), work / "sample")
    release = build.release
    films = Films.read(release)
    print(f"Marquee as served: Recommend by id, limit 10, for {len(films.ids):,} films ...", end=" ", flush=True)
    rec = Recommender(release, Weights(), width)
    items = list(range(len(films.ids)))
    served = served_lists(rec, films, items)
    print(f"{served.seconds:.1f} s", flush=True)
    print("recall@10 of the served index against exact search, every film ...", end=" ", flush=True)
    started = time.perf_counter()
    recall = measure_recall(release, build.model, width)
    print(f"{time.perf_counter() - started:.1f} s", flush=True)
    print("the notebook way: title TF-IDF, full n x n cosine ...", end=" ", flush=True)
    notebook = notebook_way(films, args.seed)
    print(f"{notebook.seconds:.1f} s (+ {TIE_ORDERS} random tie orders)", flush=True)
    m_coll, n_coll = collection_hit(served.tops, films)
    m_genre, n_genre = genre_jaccard(served.tops, films)
    b_coll, _ = collection_hit(notebook.tops, films)
    b_genre, _ = genre_jaccard(notebook.tops, films)
    weights = Weights()
    m = build.model
    spread = [b_genre, *(g for _, g in notebook.tie_orders)]
    lines = [
        "",
        "=" * 100,
        "A. Quality on the real sample: Marquee as served vs the notebook way",
        *machine(),
        f"sample:   {args.sample} -> release {release.parent.name}/{release.name}: {len(films.ids):,} films, "
        f"{len(films.eligible):,} in a collection with >= 2 members, {n_genre:,} with genres",
        f"model:    {m['dimensions']} dimensions, {m['terms']:,} terms, {m['trees']} trees, search_k {m['search_k']}, "
        f"explained variance {m.get('explained_variance')}, built in {m['build_seconds']} s",
        f"Marquee:  Recommender.recommend(movie_id, limit=10) in this process: the very code servicer.Recommend runs;"
        f" service defaults width {width}, Weights(genre={weights.genre}, collection={weights.collection}, "
        f"director={weights.director}, quality={weights.quality}); {served.seconds / len(items) * 1000:.2f} ms/call",
        f"notebook: TfidfVectorizer(stop_words='english') on titles, cosine_similarity n x n float64 "
        f"({notebook.matrix_bytes / MB:,.0f} MB at n = {len(films.ids):,}), self left out, ties by movie id; "
        f"{notebook.seconds:.1f} s",
        "",
        f"  {'metric':<22}{'Marquee':>10}{'notebook':>10}{'issue says':>12}{'target':>10}   verdict (Marquee)",
        f"  {'collection_hit@5':<22}{m_coll:>10.3f}{b_coll:>10.3f}{0.815:>12.3f}{'>= 0.97':>10}   "
        f"{verdict(m_coll >= COLLECTION_TARGET)}  ({n_coll} seeds)",
        f"  {'genre_jaccard@10':<22}{m_genre:>10.3f}{b_genre:>10.3f}{0.237:>12.3f}{'>= 0.45':>10}   "
        f"{verdict(m_genre >= GENRE_TARGET)}  ({n_genre:,} seeds)",
        f"  {'recall@10 (index)':<22}{recall.at_10:>10.4f}{'exact':>10}{'':>12}{'>= 0.95':>10}   "
        f"{verdict(recall.at_10 >= RECALL_TARGET)}  ({recall.queries:,} queries, get_nns_by_item, "
        f"search_k {recall.search_k}; manifest's own: {m['recall_at_10']} on {m['recall_queries']})",
        f"  {'  in served pool':<22}{recall.candidates:>10.4f}{'':>10}{'':>12}{'info':>10}   "
        f"(exact top 10 among the {recall.width} get_nns_by_vector candidates, search_k {recall.served_search_k})",
        f"  {'sim@10 (own space)':<22}{mean_sim(served.sims, items):>10.3f}"
        f"{mean_sim(notebook.sims, items):>10.3f}{'':>12}{'info':>10}   (mean cosine to the seed, own space)",
        f"  {'obscure@10':<22}{obscure_share(served.tops, films):>10.3f}{obscure_share(notebook.tops, films):>10.3f}"
        f"{'':>12}{'info':>10}   (share of picks with < {OBSCURE_VOTES} votes)",
        "",
        f"notebook way, how much rests on ties: {notebook.zero_titles} titles have no word left after stop words; "
        f"{notebook.tied_seeds:,} of {len(items):,} seeds",
        f"  have a zero-similarity (arbitrary) pick in their top 10. With ties in {TIE_ORDERS} random orders instead "
        f"of by id: collection_hit@5 {min(c for c, _ in notebook.tie_orders):.3f}-"
        f"{max(c for c, _ in notebook.tie_orders):.3f}, genre_jaccard@10 {min(g for _, g in notebook.tie_orders):.3f}-"
        f"{max(g for _, g in notebook.tie_orders):.3f}",
        f"  issue's figures (0.815, 0.237) vs here ({b_coll:.3f}, {b_genre:.3f}): "
        + (
            "collection_hit@5 matches within 0.01; "
            if abs(b_coll - 0.815) <= 0.01
            else f"collection_hit@5 differs by {b_coll - 0.815:+.3f}; "
        )
        + (
            "genre_jaccard@10 matches within 0.01"
            if abs(b_genre - 0.237) <= 0.01
            else f"genre_jaccard@10 differs by {b_genre - 0.237:+.3f}; with ties by id and in random orders it "
            f"spans {min(spread):.3f}-{max(spread):.3f}, so 0.237 is "
            f"{'inside' if min(spread) - 0.005 <= 0.237 <= max(spread) + 0.005 else 'outside'} that spread (+-0.005)"
        ),
    ]
    if served.problems:
        lines += [f"RULE BROKEN in {len(served.problems)} answers, e.g. {served.problems[:3]}"]
    lines += ["", *example_lines(films, served, notebook)]
    print("\n".join(lines), flush=True)
    if not args.no_sweep:
        subset = sweep_subset(films, args.sweep_films, args.seed)
        print()
        weight_rows = weight_sweep(release, films, subset, width)
        print("\n".join(weight_table(weight_rows, films, subset, width)), flush=True)
        print()
        model_rows = model_sweep(args.sample.resolve(), work, [films.ids[i] for i in subset], width)
        print("\n".join(model_table(model_rows, width)), flush=True)
    ok = m_coll >= COLLECTION_TARGET and m_genre >= GENRE_TARGET and recall.at_10 >= RECALL_TARGET
    ok = ok and not served.problems
    lines = [
        "",
        "quality targets:",
        f"  {verdict(m_coll >= COLLECTION_TARGET)}  collection_hit@5 >= {COLLECTION_TARGET}   {m_coll:.3f} "
        f"(notebook {b_coll:.3f})",
        f"  {verdict(m_genre >= GENRE_TARGET)}  genre_jaccard@10 >= {GENRE_TARGET}   {m_genre:.3f} "
        f"(notebook {b_genre:.3f})",
        f"  {verdict(recall.at_10 >= RECALL_TARGET)}  recall@10 >= {RECALL_TARGET}          {recall.at_10:.4f}",
        f"  {verdict(not served.problems)}  rules: no seed, no duplicate, limit answers   "
        f"{len(served.problems)} answers broke one",
    ]
    print("\n".join(lines), flush=True)
    return ok


# -- part B: speed and size ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def vm_hwm_mb(pid: int) -> float:
    """The process's peak resident set size so far, from the kernel."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MB
    raise BenchError(f"no VmHWM in /proc/{pid}/status")


def log_entries(log: Path) -> Iterator[dict[str, Any]]:
    with log.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("{"):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def epoch(ts: str) -> float:
    """'2026-11-26T05:50:48.424Z' -> seconds since the epoch."""
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    target: str
    log: Path
    first_answer_s: float = 0.0
    serving_s: float = 0.0
    rss_at_serving_mb: float = 0.0
    exit_code: int | None = None

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self.exit_code = None
        return self.exit_code

    def loaded_s(self) -> float | None:
        """The server's own "loaded" duration (its log, complete once it has exited)."""
        for entry in log_entries(self.log):
            if entry.get("msg") == "loaded" and entry.get("grpc_service") == SERVICE:
                return float(entry["duration_ms"]) / 1000
        return None

    def calls(self, start: float, end: float) -> list[tuple[str, str, float]]:
        """(method, code, duration_ms) of each call the server logged inside [start, end]."""
        out = []
        for entry in log_entries(self.log):
            if entry.get("msg") == "call" and start <= epoch(entry["ts"]) <= end:
                out.append((entry["method"], entry["code"], float(entry["duration_ms"])))
        return out


def start_server(data_dir: Path, log_dir: Path, n: int) -> Server:
    """Start a fresh recommender and wait for its service to be SERVING, timed from Popen."""
    port = free_port()
    target = f"127.0.0.1:{port}"
    env = clean_env(
        {
            "RECOMMENDER_HOST": "127.0.0.1",
            "RECOMMENDER_PORT": str(port),
            "MARQUEE_DATA_DIR": str(data_dir),
            "RECOMMENDER_LOG_LEVEL": "info",  # the call log is at info
            "RECOMMENDER_WORKERS": "1",
        }
    )
    log = log_dir / f"recommender-{n}.log"
    errors = log_dir / f"recommender-{n}.stderr"
    with log.open("wb") as out, errors.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "marquee_recommender"], env=env, stdout=out, stderr=err, cwd=REPO
        )
    server = Server(process, target, log)
    with grpc.insecure_channel(target, options=FAST_RECONNECT) as channel:
        check = health_pb2_grpc.HealthStub(channel).Check
        while True:
            if time.perf_counter() - started > STARTUP_TIMEOUT_S:
                server.stop()
                raise BenchError(f"the recommender was not SERVING {STARTUP_TIMEOUT_S:.0f} s after start")
            if process.poll() is not None:
                raise BenchError(
                    f"the recommender exited with {process.returncode} while starting: "
                    f"{errors.read_text()[-2000:]}{log.read_text()[-2000:]}"
                )
            try:
                status = check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=1).status
            except grpc.RpcError:
                status = None
            if status is not None and not server.first_answer_s:
                server.first_answer_s = time.perf_counter() - started
            if status == health_pb2.HealthCheckResponse.SERVING:
                server.serving_s = time.perf_counter() - started
                break
            time.sleep(POLL_SECONDS)
    server.rss_at_serving_mb = psutil.Process(process.pid).memory_info().rss / MB
    return server


def overview_spans(release: Path, rng: random.Random, known: Callable[[str], object]) -> list[str]:
    """Free-text queries: 4-12 consecutive words of a random film's overview or tagline.

    Spans with no word the model knows (`known` raises InvalidQuery) are left out.
    """
    movies = pl.read_parquet(release / "movies.parquet", columns=["overview", "tagline"])
    texts = [t for t in [*movies["overview"].to_list(), *movies["tagline"].to_list()] if t and len(t.split()) >= 4]
    out = []
    for _ in range(POOL * 10):
        if len(out) >= POOL:
            break
        words = rng.choice(texts).split()
        size = rng.randint(4, 12)
        start = rng.randrange(max(1, len(words) - size + 1))
        text = " ".join(words[start : start + size])[:190]
        try:
            known(text)
        except InvalidQuery:  # no word the model knows: the service rightly answers INVALID_ARGUMENT
            continue
        out.append(text)
    return out


@dataclass
class Inputs:
    by_id: list[pb.RecommendRequest]
    text: list[pb.RecommendRequest]
    mixed: list[pb.RecommendRequest]
    films: int


def random_limit(rng: random.Random) -> int:
    roll = rng.random()
    return 0 if roll < 0.6 else 10 if roll < 0.85 else 20  # 0: unset, the default 5


def build_inputs(release: Path, rec: Recommender, seed: int) -> Inputs:
    rng = random.Random(seed)
    movies = pl.read_parquet(release / "movies.parquet", columns=["id", "title", "release_year", "vote_count"])
    popular = movies.sort("vote_count", descending=True).head(POPULAR)
    everyone = list(movies.select("id", "title", "release_year").iter_rows())
    top = list(popular.select("id", "title", "release_year").iter_rows())

    def film() -> tuple[int, str, int]:
        return rng.choice(top if rng.random() < 0.5 else everyone)

    genres = pl.read_parquet(release / "genres.parquet", columns=["name"])["name"].unique().sort().to_list()
    by_id = [pb.RecommendRequest(movie_id=film()[0], limit=random_limit(rng)) for _ in range(POOL)]
    texts = overview_spans(release, rng, rec.embed)
    text = [pb.RecommendRequest(text=t, limit=random_limit(rng)) for t in texts]

    def some_filters() -> pb.RecommendFilters:
        filters = pb.RecommendFilters()
        roll = rng.random()
        if roll < 0.4:
            filters.genres.extend(rng.sample(genres, rng.randint(1, 2)))
        if 0.2 < roll < 0.6:
            low = rng.randrange(1930, 2015)
            filters.year_min = low
            filters.year_max = low + rng.choice((5, 10, 20))
        if roll > 0.5:
            filters.min_votes = rng.choice((10, 100, 1000))
        return filters

    mixed = []
    for n in range(POOL):
        movie_id, title, year = film()
        kind = n % 4
        if kind == 0:  # by title, no filter
            seed_title = pb.TitleSeed(title=title)
            if rng.random() < 0.2 and year is not None:
                seed_title.year = year
            mixed.append(pb.RecommendRequest(title=seed_title, limit=random_limit(rng)))
        elif kind == 1:
            mixed.append(pb.RecommendRequest(movie_id=movie_id, limit=random_limit(rng), filters=some_filters()))
        elif kind == 2:
            mixed.append(pb.RecommendRequest(text=rng.choice(texts), limit=random_limit(rng), filters=some_filters()))
        else:
            mixed.append(
                pb.RecommendRequest(title=pb.TitleSeed(title=title), limit=random_limit(rng), filters=some_filters())
            )
    return Inputs(by_id, text, mixed, movies.height)


@dataclass
class Call:
    started: float  # time.time()
    ended: float
    code: str
    ms: float
    request: pb.RecommendRequest


def client(target: str, pool: list[pb.RecommendRequest], seed: int, stop: threading.Event, calls: list[Call]) -> None:
    rng = random.Random(seed)
    with grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
        recommend = recommender_pb2_grpc.RecommenderServiceStub(channel).Recommend
        while not stop.is_set():
            request = rng.choice(pool)
            wall = time.time()
            begun = time.perf_counter()
            try:
                recommend(request, timeout=CALL_TIMEOUT_S)
                code = "OK"
            except grpc.RpcError as exc:
                code = exc.code().name  # type: ignore[attr-defined]
            ms = (time.perf_counter() - begun) * 1000
            calls.append(Call(wall, wall + ms / 1000, code, ms, request))


@dataclass
class Phase:
    name: str
    calls: list[Call]
    window: tuple[float, float]
    logged: list[tuple[str, str, float]] = field(default_factory=list)

    def server_ms(self, code: str = "OK") -> list[float]:
        return [ms for method, got, ms in self.logged if method == "Recommend" and got == code]


def run_phase(
    name: str, target: str, pool: list[pb.RecommendRequest], clients: int, warmup: float, seconds: float, seed: int
) -> Phase:
    stop = threading.Event()
    per_client: list[list[Call]] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(target=client, args=(target, pool, seed * 1000 + i, stop, per_client[i]), daemon=True)
        for i in range(clients)
    ]
    print(f"load {name}: {clients} clients, {warmup:g} s warm-up + {seconds:g} s measured ...", end=" ", flush=True)
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    start = time.time()
    time.sleep(seconds)
    end = time.time()
    stop.set()
    for thread in threads:
        thread.join(CALL_TIMEOUT_S + 5)
    window = [c for calls in per_client for c in calls if c.started >= start and c.ended <= end]
    print(f"{len(window):,} calls", flush=True)
    time.sleep(0.3)  # lets the phase's last calls end before the next phase starts
    return Phase(name, window, (start, end))


def in_process_ms(rec: Recommender, requests: list[pb.RecommendRequest]) -> list[float]:
    """The same requests through Recommender.recommend in this process: the servicer's work without gRPC."""
    out = []
    for request in requests:
        begun = time.perf_counter()
        rec.recommend(request)
        out.append((time.perf_counter() - begun) * 1000)
    return out


def replay_slowest(target: str, phase: Phase, n: int = 5) -> list[tuple[float, str]]:
    """The slowest distinct OK requests of a phase, each replayed alone (best of 3 round trips)."""
    seen: dict[bytes, pb.RecommendRequest] = {}
    for call in sorted((c for c in phase.calls if c.code == "OK"), key=lambda c: -c.ms):
        seen.setdefault(call.request.SerializeToString(), call.request)
        if len(seen) >= 4 * n:
            break
    timed = []
    with grpc.insecure_channel(target) as channel:
        recommend = recommender_pb2_grpc.RecommenderServiceStub(channel).Recommend
        for request in seen.values():
            best = float("inf")
            for _ in range(3):
                begun = time.perf_counter()
                try:
                    recommend(request, timeout=CALL_TIMEOUT_S)
                except grpc.RpcError:
                    break
                best = min(best, (time.perf_counter() - begun) * 1000)
            described = " ".join(str(request).split())
            timed.append((best, described[:150]))
    return sorted(timed, key=lambda t: -t[0])[:n]


def near_copies(release: Path, queries: int = 500, seed: int = 0) -> float:
    """Mean number of other films whose vector is nearly the same (cosine > 0.99) as a random film's."""
    vectors = np.load(release / "model" / "vectors.npy", mmap_mode="r", allow_pickle=False)
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(vectors), size=min(queries, len(vectors)), replace=False)
    scores = np.asarray(vectors[picked]) @ np.asarray(vectors).T
    scores[np.arange(len(picked)), picked] = -1
    return float((scores > 0.99).sum(axis=1).mean())


def speed(args: argparse.Namespace, work: Path) -> bool:
    data = ensure_data(args.data.resolve(), args.synth, args.sample.resolve())
    build = build_release(data, work / "full")
    release = build.release
    print("drawing inputs from the release ...", end=" ", flush=True)
    rec = Recommender(release, Weights(), served_width())
    inputs = build_inputs(release, rec, args.seed)
    print(f"{len(inputs.by_id):,} by id, {len(inputs.text):,} free text, {len(inputs.mixed):,} mixed", flush=True)
    starts: list[Server] = []
    phases: list[Phase] = []
    try:
        for n in range(1, args.starts + 1):
            server = start_server(work / "full", work, n)
            starts.append(server)
            print(f"start {n}/{args.starts}: SERVING after {server.serving_s:.3f} s", flush=True)
            if n < args.starts:
                server.stop()
        server = starts[-1]
        for i, (name, pool) in enumerate(
            (("by id", inputs.by_id), ("free text", inputs.text), ("titles + filters", inputs.mixed))
        ):
            phases.append(run_phase(name, server.target, pool, args.clients, args.warmup, args.seconds, args.seed + i))
        proc = psutil.Process(server.process.pid)
        rss_after = proc.memory_info().rss / MB
        full = proc.memory_full_info()
        uss, pss = full.uss / MB, getattr(full, "pss", float("nan")) / MB
        peak = vm_hwm_mb(server.process.pid)
        slowest = replay_slowest(server.target, phases[2])
    finally:
        for s in starts:
            if s.process.poll() is None:
                s.stop()
    for phase in phases:
        phase.logged = server.calls(*phase.window)
    print("the same id requests in this process (no gRPC) ...", end=" ", flush=True)
    local = in_process_ms(rec, inputs.by_id[:2000])
    print("done", flush=True)

    m = build.model
    items = int(m["items"])
    copies = near_copies(release)
    model_mb = sum(f["bytes"] for f in m["files"].values()) / MB
    sizes = ", ".join(f"{n} {(data / n).stat().st_size / MB:.1f} MB" for n in FILES)
    lines = [
        "",
        "=" * 100,
        "B. Speed and size on full-size data: python -m marquee_recommender",
        *machine(),
        f"data:     {data} ({sizes})",
        f"release:  {release.name}, {inputs.films:,} films; pipeline wall time {build.wall_s:.1f} s",
        "",
        f"model build (manifest model.build_seconds): {m['build_seconds']:.2f} s; items {items:,}, "
        f"dimensions {m['dimensions']}, terms {m['terms']:,}, trees {m['trees']}, search_k {m['search_k']}, "
        f"recall@10 {m['recall_at_10']} ({m['recall_queries']} queries)",
        "  steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in m.get("timings", {}).items()),
        f"  note: a film here has on average {copies:.1f} near-copies (cosine > 0.99; the generator repeats the real",
        "  rows under new ids), so most of its exact top 10 are copies and this recall is inflated: judge recall on",
        "  the real sample (part A). Collections are as inflated, which makes by-id candidate pools larger.",
        "",
        f'start-up: Popen -> health Check "{SERVICE}" = SERVING, polled every {POLL_SECONDS * 1000:.0f} ms, '
        f"{len(starts)} fresh processes",
        f"  {'start':<8}{'1st answer s':>14}{'SERVING s':>12}{'load s (log)':>14}{'RSS MB':>9}{'exit':>6}",
    ]
    for i, s in enumerate(starts, 1):
        loaded = s.loaded_s()
        lines.append(
            f"  {i:<8}{s.first_answer_s:>14.3f}{s.serving_s:>12.3f}{'-' if loaded is None else f'{loaded:.3f}':>14}"
            f"{s.rss_at_serving_mb:>9.0f}{'killed' if s.exit_code is None else s.exit_code:>6}"
        )
    serving = [s.serving_s for s in starts]
    startup = statistics.median(serving)
    lines += [f"  median {startup:.3f} s, max {max(serving):.3f} s", ""]
    lines += [
        f"latency at the server (duration_ms of its call log), Recommend, {args.clients} clients, "
        f"{args.seconds:g} s per phase",
        f"  {'phase':<20}{'calls':>7}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'client p50':>12}"
        f"{'client p99':>12}{'calls/s':>9}  codes",
    ]
    for phase in phases:
        ms = phase.server_ms()
        client_ms = [c.ms for c in phase.calls if c.code == "OK"]
        codes = Counter(code for _, code, _ in phase.logged)
        seconds = phase.window[1] - phase.window[0]
        if ms:
            lines.append(
                f"  {phase.name:<20}{len(ms):>7}{pct(ms, 50):>9.3f}{pct(ms, 90):>9.3f}{pct(ms, 99):>9.3f}"
                f"{max(ms):>9.3f}{pct(client_ms, 50) if client_ms else float('nan'):>12.2f}"
                f"{pct(client_ms, 99) if client_ms else float('nan'):>12.2f}{len(phase.calls) / seconds:>9.0f}  "
                + ", ".join(f"{k} {v}" for k, v in codes.most_common())
            )
        else:
            lines.append(f"  {phase.name:<20}      0  (no OK call logged)")
    lines.append(
        f"  {'by id, in-process':<20}{len(local):>7}{pct(local, 50):>9.3f}{pct(local, 90):>9.3f}{pct(local, 99):>9.3f}"
        f"{max(local):>9.3f}   (Recommender.recommend here, one at a time, no gRPC)"
    )
    lines += ["", "slowest requests of the titles + filters phase, replayed alone (best of 3 round trips):"]
    lines += [f"  {ms:>8.2f} ms  {described}" for ms, described in slowest]
    notebook_bytes = items * items * 8
    lines += [
        "",
        f"memory (server process {server.process.pid}): RSS at SERVING {server.rss_at_serving_mb:.0f} MB, "
        f"after the load {rss_after:.0f} MB (USS {uss:.0f} MB, PSS {pss:.0f} MB), peak VmHWM {peak:.0f} MB",
        f"  Marquee's model files: {model_mb:.1f} MB on disk, memory-mapped ("
        + ", ".join(f"{n} {f['bytes'] / MB:.1f}" for n, f in m["files"].items() if f["bytes"] >= MB)
        + " MB)",
        f"  the notebook way: one n x n float64 cosine matrix at n = {items:,}: {items:,}^2 x 8 B = "
        f"{notebook_bytes:,} B = {notebook_bytes / GB:.1f} GB ({notebook_bytes / 2**30:.1f} GiB); not allocated. "
        f"That is {notebook_bytes / MB / max(peak, 1):.0f} x Marquee's server peak.",
    ]
    id_ms = phases[0].server_ms()
    text_ms = phases[1].server_ms()
    exits = [s.exit_code for s in starts]
    id_p50 = pct(id_ms, 50) if id_ms else float("inf")
    id_p99 = pct(id_ms, 99) if id_ms else float("inf")
    text_p99 = pct(text_ms, 99) if text_ms else float("inf")
    unexpected = sum(1 for p in phases[:2] for c in p.calls if c.code != "OK")
    targets = [
        (
            "build",
            f"model.build_seconds <= {BUILD_TARGET_S:g} s",
            f"{m['build_seconds']:.2f} s",
            m["build_seconds"] <= BUILD_TARGET_S,
        ),
        (
            "start-up",
            f"median time to SERVING of {len(starts)} <= {STARTUP_TARGET_S:g} s",
            f"{startup:.3f} s",
            startup <= STARTUP_TARGET_S,
        ),
        ("by id p50", f"at the server <= {ID_P50_TARGET_MS:g} ms", f"{id_p50:.3f} ms", id_p50 <= ID_P50_TARGET_MS),
        ("by id p99", f"at the server <= {ID_P99_TARGET_MS:g} ms", f"{id_p99:.3f} ms", id_p99 <= ID_P99_TARGET_MS),
        (
            "text p99",
            f"at the server <= {TEXT_P99_TARGET_MS:g} ms",
            f"{text_p99:.3f} ms",
            text_p99 <= TEXT_P99_TARGET_MS,
        ),
        (
            "RSS",
            f"after load and peak VmHWM <= {RSS_TARGET_MB:.0f} MB",
            f"{rss_after:.0f} / {peak:.0f} MB",
            max(rss_after, peak) <= RSS_TARGET_MB,
        ),
        ("answers", "every id and text call OK (texts hold a known word)", f"{unexpected} not OK", unexpected == 0),
        ("shutdown", "SIGTERM -> exit 0, every start", f"exit codes {exits}", all(c == 0 for c in exits)),
    ]
    lines += ["", "speed and size targets:"]
    lines += [f"  {verdict(ok)}  {name:<10}{rule:<56}{seen}" for name, rule, seen, ok in targets]
    print("\n".join(lines), flush=True)
    return all(ok for *_, ok in targets)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench-recommender-") as tmp:
            work = Path(tmp)
            if not args.speed_only:
                ok = quality(args, work) and ok
            if not args.quality_only:
                ok = speed(args, work) and ok
    except BenchError as exc:
        print(f"\nbench_recommender: error: {exc}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
