"""The hybrid recommender (content + what the same viewers liked): held-out quality and scale.

    python -m bench.bench_viewers [--sample DIR] [--no-scale] [--no-full] [--data DIR]

Why: issue 14, part 2. When the raw folder holds MovieLens ratings, the pipeline builds a viewers'
model and the recommender blends it with the content neighbours. Three questions, one run:

1. Quality, on held-out viewers (`--sample`, default ../shared/data: the real 5,000 films and
   SYNTHETIC ratings_small.csv with planted tastes, for plumbing and direction, not facts).
   The viewers are split as the pipeline splits them (marquee_etl.viewers.split_viewers over the
   viewers with a liked film of the release, share and seed of ViewersParams): the test viewers'
   rows are left out of the raw folder, a release is built from the rest by the real pipeline,
   and the served code (`Recommender.recommend`, what the gRPC servicer runs) answers for every
   film a test viewer liked. Hit rate at 10: for each test viewer with >= 2 liked films (rated
   >= 4) in the release, the share of those films whose top 10 holds another film they liked;
   the mean over viewers. Lists: the hybrid as served (the blend the pipeline learned from the
   training viewers; then the settings' weights, as a request that sets popularity gets them);
   content as served (a release built from the same films without ratings); content by
   similarity alone (popularity 0); the 10 most-voted films; the viewers' own lists (padded with
   content). Target: the hybrid beats content and
   most-voted.
2. Scale: the pipeline (a subprocess, its process tree's RSS sampled every 20 ms) on the sample
   films without ratings, with the 1x ratings (ratings_small.csv) and with 10x
   (`synth_tmdb.py ratings --users 6710`, made once into /tmp/marquee-ratings-10x): wall time,
   peak RSS, the ratings' and viewers' own seconds, and the 10x / 1x ratios.
3. Served memory at full size (45,466 films, `--data`, default /tmp/marquee-full, made when
   missing; its ratings made once by `synth_tmdb.py ratings --users 671`): the recommender
   process serving a release with the viewers' model against one without, after the same
   2,000 requests by film. Target: the viewers' model adds at most 100 MB of RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import polars as pl

from bench.bench_pipeline import _run_polled
from bench.quality_recommender import WIDTH
from bench.support import FULL_DATA, MB, BenchError, ensure_data, exit_status, machine, timed_release, verdict
from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc
from marquee_common import viewers as shared
from marquee_etl.params import ViewersParams
from marquee_etl.ratings import find_ratings, read_ratings
from marquee_etl.viewers import likes, split_viewers
from marquee_recommender.index import Recommender, Weights
from tests.harness import ROOT, SHARED, RunningService

PACKAGES = ("numpy", "polars", "scipy", "annoy")
SYNTH = SHARED / "tools" / "synth_tmdb.py"
TEN_X = Path("/tmp/marquee-ratings-10x")
FULL_RATINGS = Path("/tmp/marquee-full-ratings")
RSS_TARGET_MB = 100.0
REQUESTS = 2000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--sample", type=Path, default=SHARED / "data",
                        help="films, credits and ratings_small/links_small (default ../shared/data)")  # fmt: skip
    parser.add_argument("--data", type=Path, default=FULL_DATA, help="full-size data (default /tmp/marquee-full)")
    parser.add_argument("--no-scale", action="store_true", help="skip the 1x / 10x pipeline runs")
    parser.add_argument("--no-full", action="store_true", help="skip the served memory at full size")
    return parser.parse_args(argv)


def raw_folder(folder: Path, films: Path, ratings: Path | None, keep_users: set[int] | None = None) -> Path:
    """A raw folder: the films' movies and credits linked, and the ratings (only `keep_users`' rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("movies_metadata.csv", "credits.csv"):
        (folder / name).symlink_to((films / name).resolve())
    if ratings is not None:
        (folder / "links_small.csv").symlink_to((ratings / "links_small.csv").resolve())
        if keep_users is None:
            (folder / "ratings_small.csv").symlink_to((ratings / "ratings_small.csv").resolve())
        else:
            rows = pl.read_csv(ratings / "ratings_small.csv", infer_schema=False)
            user = pl.col("userId").cast(pl.Int64, strict=False)
            rows.filter(user.is_in(sorted(keep_users))).write_csv(folder / "ratings_small.csv")
    return folder


# -- 1. quality on held-out viewers -----------------------------------------------------------


@dataclass
class Viewers:
    """The test viewers' liked films, as items of the served model."""

    liked: list[np.ndarray]
    test_users: set[int]
    train_users: set[int]
    ratings_users: int


def held_out(sample: Path, ids: np.ndarray) -> Viewers:
    """Split the viewers as the pipeline does (over those with a liked film among `ids`, the
    release's films in item order): the test and the training viewers."""
    found = find_ratings(sample, "small")
    if found is None:
        raise BenchError(f"{sample} holds no ratings_small.csv and links_small.csv")
    ratings = read_ratings(found, pl.Series(ids.tolist()))
    matrix, users = likes(ratings.kept, ids)
    params = ViewersParams()
    test = split_viewers(matrix.shape[0], params.holdout, params.seed)
    everyone = set(pl.read_csv(found.ratings.path, columns=["userId"])["userId"].to_list())
    test_users = {int(u) for u in users[test]}
    return Viewers([], test_users, everyone - test_users, len(everyone))


def liked_items(viewers: Viewers, sample: Path, rec: Recommender) -> list[np.ndarray]:
    """Each test viewer's liked films (kept ratings >= LIKED) as the model's items; >= 2 of them."""
    found = find_ratings(sample, "small")
    assert found is not None
    ratings = read_ratings(found, pl.Series(rec.items.tolist()))
    item = pl.DataFrame({"film_id": rec.items, "item": np.arange(len(rec.items))})
    liked = (
        ratings.kept.filter(pl.col("user_id").is_in(sorted(viewers.test_users)) & (pl.col("rating") >= shared.LIKED))
        .join(item, on="film_id")
        .group_by("user_id")
        .agg(pl.col("item").unique())
    )
    return [np.asarray(x, dtype=np.int64) for x in liked["item"].to_list() if len(x) >= 2]


def hit_rate(liked: list[np.ndarray], top: dict[int, set[int]]) -> float:
    shares = []
    for films in liked:
        mine = set(films.tolist())
        shares.append(float(np.mean([bool(top[f] & (mine - {f})) for f in mine])))
    return float(np.mean(shares))


def served_tops(rec: Recommender, films: set[int], **request: Any) -> dict[int, set[int]]:
    item_of = {int(m): i for i, m in enumerate(rec.items.tolist())}
    out = {}
    for f in films:
        answer = rec.recommend(pb.RecommendRequest(movie_id=int(rec.items[f]), limit=shared.HIT_K, **request))
        out[f] = {item_of[r.movie.id] for r in answer.recommendations}
    return out


def quality(args: argparse.Namespace, work: Path, ratings_dir: Path, label: str) -> tuple[list[str], bool]:
    plain = (work / "data-plain" / "current").resolve()
    if not plain.exists():
        plain, _ = timed_release(raw_folder(work / "raw-plain", args.sample, None), work / "data-plain")
    content_rec = Recommender(plain, Weights(), WIDTH)  # a release without ratings, as served
    viewers = held_out(ratings_dir, content_rec.items)
    raw = raw_folder(work / f"raw-train-{label}", args.sample, ratings_dir, viewers.train_users)
    release, seconds = timed_release(raw, work / f"data-train-{label}")
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    rec = Recommender(release, Weights(), WIDTH)
    if not np.array_equal(rec.items, content_rec.items):
        raise BenchError("the releases with and without ratings hold different films")
    if rec.viewer_lists is None:
        raise BenchError("the release built with ratings has no viewers' model")
    liked = liked_items(viewers, ratings_dir, rec)
    films = set().union(*(set(x.tolist()) for x in liked))
    print(f"held-out: {len(liked)} test viewers, {len(films):,} films they liked; lists as served ...", flush=True)
    rows: list[tuple[str, float]] = []
    assert rec.blend is not None
    blend = rec.blend
    rows.append(("hybrid as served (learned blend)", hit_rate(liked, served_tops(rec, films))))
    settings = Weights()
    rows.append((f"  hybrid, settings' weights (popularity {settings.popularity:g}, viewers {settings.viewers:g})",
                 hit_rate(liked, served_tops(rec, films, popularity=settings.popularity))))  # fmt: skip
    rows.append(("  hybrid, settings' weights, popularity 0", hit_rate(liked, served_tops(rec, films, popularity=0.0))))
    content = hit_rate(liked, served_tops(content_rec, films))
    rows.append(("content as served (no ratings)", content))
    rows.append(("  content, popularity 0", hit_rate(liked, served_tops(content_rec, films, popularity=0.0))))
    most = np.argsort(-rec.votes, kind="stable")[: shared.HIT_K + 1].tolist()
    rows.append(
        ("most-voted 10", hit_rate(liked, {f: set([m for m in most if m != f][: shared.HIT_K]) for f in films}))
    )
    assert rec.viewer_lists is not None and rec.viewer_scores is not None
    own = {}
    for f in films:
        listed = [int(i) for i in rec.viewer_lists[f] if i >= 0][: shared.HIT_K]
        pad = [int(i) for i in rec.neighbours[f]] if rec.neighbours is not None else []
        own[f] = set((listed + [i for i in pad if i not in listed])[: shared.HIT_K])
    rows.append(("viewers' lists alone", hit_rate(liked, own)))
    hybrid = rows[0][1]
    best_other = max(content, rows[[r[0] for r in rows].index("most-voted 10")][1])
    ok = hybrid > best_other
    gate = manifest["model"].get("viewers", {}).get("holdout", {})
    lines = [
        f"1. held-out viewers' hit rate at 10, lists as served; {label} ratings ({ratings_dir}; SYNTHETIC: "
        "plumbing and direction)",
        f"   {len(viewers.test_users)} of {viewers.ratings_users} viewers held out by the pipeline's split "
        f"(share {ViewersParams().holdout}, seed {ViewersParams().seed}); {len(liked)} of them have >= 2 liked "
        f"films of the release; release built from the others in {seconds:.1f} s",
        f"   blend learned by the pipeline: similarity {blend.similarity:g}, collection {blend.collection:g}, "
        f"popularity {blend.popularity:g}, viewers {blend.viewers:g} (chosen in {gate.get('folds')} folds: "
        f"{gate.get('fold_hit_rate_at_10')}; best {gate.get('best_fold_hit_rate_at_10')} "
        f"+- {gate.get('standard_error')})",
        *(f"   {name:<58}{value:>7.3f}" for name, value in rows),
        f"   {verdict(ok)}  the hybrid as served ({hybrid:.3f}) beats content as served ({content:.3f}) and the "
        f"most-voted 10 ({rows[[r[0] for r in rows].index('most-voted 10')][1]:.3f})",
        "   (the pipeline's own figure for this release, on its inner split of the training viewers: hybrid "
        f"{gate.get('hybrid', {}).get('mean')}, content {gate.get('content', {}).get('mean')}, most-voted "
        f"{gate.get('most_voted', {}).get('mean')})",
    ]
    return lines, ok


# -- 2. scale: 1x and 10x ratings ------------------------------------------------------------


def synth_ratings(movies: Path, out: Path, users: int) -> Path:
    if (out / "ratings_small.csv").is_file() and (out / "links_small.csv").is_file():
        return out
    print(f"making {users:,} viewers' ratings for {movies} into {out} ...", end=" ", flush=True)
    started = time.perf_counter()
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    done = subprocess.run([sys.executable, str(SYNTH), "ratings", "--movies", str(movies), "--users", str(users),
                           "--out-dir", str(staging)], capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"synth_tmdb.py ratings failed: {done.stderr.strip()[-2000:]}")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(staging, out)
    print(f"{time.perf_counter() - started:.0f} s", flush=True)
    return out


@dataclass
class Build:
    label: str
    rows: int
    seconds: float
    peak_mb: float
    ratings_s: float | None
    viewers_s: float | None


def pipeline(label: str, raw: Path, out: Path, work: Path) -> Build:
    cmd = [sys.executable, "-m", "marquee_etl", "--raw", str(raw), "--out", str(out), "--skip-report"]
    env_log = work / f"{label}.log"
    started = time.perf_counter()
    with env_log.open("w", encoding="utf-8") as log:
        code, peak = _run_polled(cmd, log, log)
    seconds = time.perf_counter() - started
    if code != 0:
        raise BenchError(f"the pipeline failed on {raw} ({code}): {env_log.read_text()[-2000:]}")
    manifest = json.loads((out / "current" / "manifest.json").read_text(encoding="utf-8"))
    ratings = manifest.get("ratings") or {}
    viewers = (manifest.get("model") or {}).get("viewers") or {}
    return Build(label, int(ratings.get("rows_in", 0)), seconds, peak, ratings.get("seconds"),
                 viewers.get("build_seconds"))  # fmt: skip


def scale(args: argparse.Namespace, work: Path) -> list[str]:
    ten = synth_ratings(args.sample / "movies_metadata.csv", TEN_X, 6710)
    builds = [
        pipeline("none", raw_folder(work / "raw-none", args.sample, None), work / "out-none", work),
        pipeline("1x", raw_folder(work / "raw-1x", args.sample, args.sample), work / "out-1x", work),
        pipeline("10x", raw_folder(work / "raw-10x", args.sample, ten), work / "out-10x", work),
    ]

    def show(value: float | None, unit: str = " s") -> str:
        return "-" if value is None else f"{value:.2f}{unit}"

    lines = [
        "2. scale: the pipeline on the 5,000 sample films (subprocess, --skip-report, tree RSS sampled)",
        f"   {'ratings':<8}{'rows':>11}{'wall':>10}{'peak RSS':>11}{'ratings':>10}{'viewers':>10}",
    ]
    for b in builds:
        lines.append(f"   {b.label:<8}{b.rows:>11,}{b.seconds:>9.1f}s{b.peak_mb:>8.0f} MB{show(b.ratings_s):>10}"
                     f"{show(b.viewers_s):>10}")  # fmt: skip
    none, one, ten_b = builds
    lines.append(
        f"   10x / 1x: rows {ten_b.rows / max(one.rows, 1):.1f}x, wall {ten_b.seconds / one.seconds:.2f}x, "
        f"peak RSS {ten_b.peak_mb / one.peak_mb:.2f}x; over no ratings: 1x +{one.seconds - none.seconds:.1f} s "
        f"+{one.peak_mb - none.peak_mb:.0f} MB, 10x +{ten_b.seconds - none.seconds:.1f} s "
        f"+{ten_b.peak_mb - none.peak_mb:.0f} MB"
    )
    return lines


# -- 3. served memory at full size ---------------------------------------------------------------


def served_rss(data_dir: Path, log: Path, ids: list[int]) -> tuple[float, float]:
    """(RSS at SERVING, RSS after REQUESTS recommendations by film) of a recommender process."""
    service = RunningService("marquee_recommender", "RECOMMENDER", data_dir, "marquee.v1.RecommenderService", log,
                             WORKERS="1")  # fmt: skip
    try:
        at_start = service.rss_mb()
        with grpc.insecure_channel(service.target) as channel:
            stub = recommender_pb2_grpc.RecommenderServiceStub(channel)
            for movie_id in ids:
                stub.Recommend(pb.RecommendRequest(movie_id=movie_id, limit=10), timeout=10)
        return at_start, service.rss_mb()
    finally:
        service.stop()


def full(args: argparse.Namespace, work: Path) -> tuple[list[str], bool]:
    data = ensure_data(args.data, SYNTH, args.sample)
    ratings = synth_ratings(data / "movies_metadata.csv", FULL_RATINGS, 671)
    without = pipeline("full-none", raw_folder(work / "raw-full-none", data, None), work / "full-none", work)
    with_ = pipeline("full-1x", raw_folder(work / "raw-full-1x", data, ratings), work / "full-1x", work)
    items = np.load(work / "full-1x" / "current" / "model" / "items.npy")
    ids = np.random.default_rng(5).choice(items, size=min(REQUESTS, len(items)), replace=False).tolist()
    base = served_rss(work / "full-none", work / "rec-none.log", ids)
    hybrid = served_rss(work / "full-1x", work / "rec-1x.log", ids)
    files = sum((work / "full-1x" / "current" / "model" / name).stat().st_size for name in shared.FILES)
    extra = hybrid[1] - base[1]
    ok = extra <= RSS_TARGET_MB
    lines = [
        f"3. served memory at full size: {len(items):,} films; recommender, 1 worker, after {len(ids):,} "
        "requests by film (limit 10)",
        f"   without ratings: RSS {base[0]:.0f} MB at SERVING, {base[1]:.0f} MB after (build {without.seconds:.0f} s, "
        f"peak {without.peak_mb:.0f} MB)",
        f"   with the viewers' model ({with_.rows:,} ratings; files {files / MB:.1f} MB, memory-mapped): RSS "
        f"{hybrid[0]:.0f} MB at SERVING, {hybrid[1]:.0f} MB after (build {with_.seconds:.0f} s, peak "
        f"{with_.peak_mb:.0f} MB, viewers step {with_.viewers_s} s)",
        f"   {verdict(ok)}  the viewers' model adds {extra:+.0f} MB of RSS (target <= {RSS_TARGET_MB:.0f} MB)",
    ]
    return lines, ok


def run(args: argparse.Namespace, work: Path) -> bool:
    lines = ["", "=" * 100, "The hybrid recommender: held-out viewers, scale, served memory", *machine(PACKAGES), ""]
    found, ok = quality(args, work, args.sample, "1x")
    print("\n".join(lines + found), flush=True)
    ten = synth_ratings(args.sample / "movies_metadata.csv", TEN_X, 6710)
    found, ok_10x = quality(args, work, ten, "10x")
    print("\n".join(["", *found]), flush=True)
    ok = ok and ok_10x
    if not args.no_scale:
        print("\n".join(["", *scale(args, work)]), flush=True)
    if not args.no_full:
        found, full_ok = full(args, work)
        ok = ok and full_ok
        print("\n".join(["", *found]), flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(ROOT)
    return exit_status("bench_viewers", lambda work: run(args, work))


if __name__ == "__main__":
    raise SystemExit(main())
