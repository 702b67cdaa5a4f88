"""How much should recommendations favour well-known films? A sweep of the popularity weight.

    python -m bench.bench_popularity [--sample DIR] [--weights 0,0.1,...] [--no-examples]

Why: issue 14. Marquee's lists were the right kind of film but ranked as if every film were
equally known; the recommender now adds `popularity x prior` to each candidate's score, where
the prior says how well known a film is. This script measures, on the real 5,000-film sample
(`--sample`, default ../shared/data; the release is built by the real pipeline with
MARQUEE_RATINGS=none, so that the content model alone is measured), for each weight and each
prior:

* collection_hit@5 and genre_jaccard@10, as bench/quality_recommender.py measures them (the
  pipeline's definitions, marquee_etl.evaluate), over every film, on the lists as served
  (`Recommender.recommend(movie_id, limit=10, popularity=w)`: the code the gRPC servicer runs);
* the median vote count of the top 5 for the seeds with at least 1,000 votes (how well known
  the films offered for a well-known film are), and over all seeds;
* sim@10, the mean cosine of the top 10 to the seed (how much text similarity is kept);
* when the sample folder holds ratings_small.csv and links_small.csv: viewers' hit rate at 10
  (the share of a viewer's liked films, rated >= 4, whose top 10 holds another film that viewer
  liked; mean over viewers). The content model learns nothing from ratings, so every viewer is
  held out. ../shared/data's ratings are SYNTHETIC (planted tastes that include "popular films
  are seen more often"): the figure shows the direction, not a fact about real viewers.

The priors, each scaled to 0..1 over the release's films:
  log_votes        ln(1 + vote_count) / ln(1 + the largest vote_count)  (what the service uses)
  weighted_rating  IMDB's weighted rating (v / (v + m)) R + (m / (v + m)) C, with m the 90th
                   percentile of vote_count and C the mean vote_average, over 10
  both             the mean of the two

The default is the largest weight of the chosen prior whose collection_hit@5 stays >= 0.98 and
genre_jaccard@10 >= 0.70 (issue 14's bounds) with a margin of MARGIN on genre_jaccard@10, the
bound that binds, so that the next release's data keeps it too (one 0.1 step of the weight moves
it by about 0.02, collection_hit@5 by under 0.005);
the script prints which weight that is and whether the service's DEFAULT_POPULARITY is it.

Free text (`/describe`, `/v1/recommendations?text=`) has its own default: a text's cosines to the
films are lower than a film's to its neighbours, so the same prior weighs more. Measured as
describe@10: for TEXT_FILMS random films with an overview of at least 40 characters, the overview's
first 12 words as the text; the share whose own film is in the top 10. The text default is the
largest weight whose describe@10 is at most TEXT_LOSS below that of similarity alone.
Hand-read examples follow (top 5 at 0, the default and 1).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from bench.quality_recommender import WIDTH, Films, served_lists
from bench.support import exit_status, machine, timed_release, verdict
from marquee.v1 import recommender_pb2 as pb
from marquee_common.errors import NotFound
from marquee_recommender.index import DEFAULT_POPULARITY, DEFAULT_TEXT_POPULARITY, Recommender, Weights, vote_prior
from tests.harness import SHARED

PACKAGES = ("numpy", "polars", "annoy")
WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
PRIORS = ("log_votes", "weighted_rating", "both")
CHOSEN_PRIOR = "log_votes"
COLLECTION_BOUND = 0.98
GENRE_BOUND = 0.70
MARGIN = 0.02
TEXT_FILMS = 600
TEXT_LOSS = 0.01
TEXT_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0)
KNOWN_SEED_VOTES = 1000
LIKED = 4.0
EXAMPLES = {862: "Toy Story", 949: "Heat", 710: "GoldenEye", 8844: "Jumanji", 11: "Star Wars", 680: "Pulp Fiction"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--sample", type=Path, default=SHARED / "data",
                        help="the real 5,000-film sample (default ../shared/data)")  # fmt: skip
    parser.add_argument("--weights", default=",".join(map(str, WEIGHTS)), help="popularity weights to measure")
    parser.add_argument("--no-examples", action="store_true", help="skip the hand-read examples")
    args = parser.parse_args(argv)
    try:
        args.weights = sorted({float(w) for w in args.weights.split(",")})
    except ValueError:
        parser.error(f"--weights must be numbers separated by commas, got {args.weights!r}")
    if any(not 0 <= w <= 1 for w in args.weights):
        parser.error("--weights must each be between 0 and 1")
    return args


def priors(release: Path, films: Films) -> dict[str, np.ndarray]:
    """Each prior for the films in the model's item order, read from the release's movies table."""
    movies = pl.DataFrame({"id": films.ids}).join(
        pl.read_parquet(release / "movies.parquet", columns=["id", "vote_count", "vote_average"]), on="id", how="left"
    )
    votes = movies["vote_count"].fill_null(0).to_numpy().astype(np.float64)
    average = movies["vote_average"].fill_null(0.0).to_numpy().astype(np.float64)
    m = float(np.quantile(votes, 0.9))
    c = float(average[votes > 0].mean())
    weighted = (votes / (votes + m) * average + m / (votes + m) * c) / 10.0
    log_votes = vote_prior(films.votes.astype(np.int64))
    return {
        "log_votes": log_votes,
        "weighted_rating": weighted.astype(np.float32),
        "both": ((log_votes + weighted) / 2).astype(np.float32),
    }


@dataclass
class Viewers:
    """Liked films (rated >= 4) per viewer, as model items, from a MovieLens-shaped ratings file."""

    liked: list[np.ndarray]
    source: str

    @classmethod
    def read(cls, folder: Path, films: Films) -> Viewers | None:
        ratings, links = folder / "ratings_small.csv", folder / "links_small.csv"
        if not (ratings.is_file() and links.is_file()):
            return None
        item = pl.DataFrame({"tmdbId": films.ids, "item": np.arange(len(films.ids))})
        link = pl.read_csv(links, schema_overrides={"tmdbId": pl.Int64}, columns=["movieId", "tmdbId"])
        liked = (
            pl.read_csv(ratings, columns=["userId", "movieId", "rating"])
            .filter(pl.col("rating") >= LIKED)
            .join(link.drop_nulls(), on="movieId")
            .join(item, on="tmdbId")
            .unique(["userId", "item"])
            .group_by("userId")
            .agg(pl.col("item"))
        )
        lists = [np.asarray(x, dtype=np.int64) for x in liked["item"].to_list() if len(x) >= 2]
        return cls(lists, f"{ratings.name} ({len(lists)} viewers with >= 2 liked films of the release)")

    def hit_rate(self, tops: np.ndarray, k: int = 10) -> float:
        """Mean over viewers of the share of their liked films whose top k holds another they liked."""
        shares = []
        for liked in self.liked:
            mine = np.zeros(len(tops), dtype=bool)
            mine[liked] = True
            shares.append(float(mine[tops[liked, :k]].any(axis=1).mean()))
        return float(np.mean(shares))


@dataclass
class Row:
    prior: str
    weight: float
    coll: float
    genre: float
    median_known: float
    median_all: float
    sim: float
    hit: float | None

    @property
    def passes(self) -> bool:
        return self.coll >= COLLECTION_BOUND and self.genre >= GENRE_BOUND

    @property
    def passes_with_margin(self) -> bool:
        return self.coll >= COLLECTION_BOUND and self.genre >= GENRE_BOUND + MARGIN - 1e-9


def sweep(rec: Recommender, films: Films, prior: str, weights: list[float], viewers: Viewers | None) -> list[Row]:
    items = list(range(len(films.ids)))
    known = films.votes >= KNOWN_SEED_VOTES
    rows = []
    for weight in weights:
        rec.weights = Weights(popularity=weight)
        served = served_lists(rec, films, items)
        tops, _ = served.by_film(films)
        top5_votes = np.median(films.votes[tops[:, :5]], axis=1)
        rows.append(
            Row(
                prior=prior,
                weight=weight,
                coll=served.collection_hit(films),
                genre=served.genre_jaccard(films),
                median_known=float(np.median(films.votes[tops[known, :5]])) if known.any() else float("nan"),
                median_all=float(np.median(top5_votes)),
                sim=served.mean_sim(),
                hit=None if viewers is None else viewers.hit_rate(tops),
            )
        )
    return rows


def table(rows: list[Row], known: int) -> list[str]:
    lines = [
        f"  {'prior':<16}{'weight':>7}{'coll@5':>8}{'genre_j@10':>11}{'top5 votes':>11}{'(all)':>8}"
        f"{'sim@10':>8}{'hit@10':>8}  bounds",
        f"  {'':<16}{'':>7}{'':>8}{'':>11}{f'med, {known}':>11}{'median':>8}{'':>8}{'viewers':>8}",
    ]
    for r in rows:
        hit = "-" if r.hit is None else f"{r.hit:.3f}"
        mark = "*" if r.prior == CHOSEN_PRIOR and abs(r.weight - DEFAULT_POPULARITY) < 1e-9 else " "
        lines.append(
            f"  {r.prior:<16}{r.weight:>7.2f}{r.coll:>8.3f}{r.genre:>11.3f}{r.median_known:>11,.0f}"
            f"{r.median_all:>8,.0f}{r.sim:>8.3f}{hit:>8}  {'both' if r.passes else '-'}{mark}"
        )
    return lines


def describe_sweep(rec: Recommender, release: Path) -> list[tuple[float, float, int]]:
    """(weight, describe@10, texts asked) for each of TEXT_WEIGHTS."""
    movies = pl.read_parquet(release / "movies.parquet", columns=["id", "overview"])
    movies = (
        movies.filter(pl.col("overview").str.len_chars() >= 40)
        .sort("id")
        .sample(min(TEXT_FILMS, movies.height), seed=3)
    )
    texts = [(i, " ".join(o.split()[:12])[:190]) for i, o in movies.iter_rows()]
    rows = []
    for weight in TEXT_WEIGHTS:
        found = asked = 0
        for movie_id, text in texts:
            try:
                answer = rec.recommend(pb.RecommendRequest(text=text, limit=10, popularity=weight))
            except NotFound:  # no word of it known to the model
                continue
            asked += 1
            found += movie_id in [r.movie.id for r in answer.recommendations]
        rows.append((weight, found / asked if asked else float("nan"), asked))
    return rows


def examples(rec: Recommender, films: Films, weights: list[float]) -> list[str]:
    item_of = {m: i for i, m in enumerate(films.ids)}
    lines = ["hand-read examples: top 5 by popularity weight (votes in brackets; C = same collection as the seed)"]
    for movie_id, name in EXAMPLES.items():
        item = item_of.get(movie_id)
        if item is None:
            lines += ["", f"{name} (id {movie_id}): not in this release"]
            continue
        lines += ["", f"{films.label(item)}, {int(films.votes[item]):,} votes; genres "
                      f"{', '.join(sorted(films.genres[item])) or '-'}"]  # fmt: skip
        for weight in weights:
            answer = rec.recommend(pb.RecommendRequest(movie_id=movie_id, limit=5, popularity=weight))
            cells = []
            for r in answer.recommendations:
                other = item_of[r.movie.id]
                same = films.collection[item] >= 0 and films.collection[other] == films.collection[item]
                cells.append(f"{r.movie.title[:28]} [{int(films.votes[other]):,}]{' C' if same else ''}")
            lines.append(f"  {weight:.2f}: " + "; ".join(cells))
    return lines


def run(args: argparse.Namespace, work: Path) -> bool:
    release, _ = timed_release(args.sample.resolve(), work / "sample", MARQUEE_RATINGS="none")
    films = Films.read(release)
    rec = Recommender(release, Weights(), WIDTH)
    viewers = Viewers.read(args.sample, films)
    known = int((films.votes >= KNOWN_SEED_VOTES).sum())
    all_priors = priors(release, films)
    rows: list[Row] = []
    for name in PRIORS:
        print(f"sweeping {name}: {len(args.weights)} weights x {len(films.ids):,} films ...", flush=True)
        rec.prior = all_priors[name]
        rows += sweep(rec, films, name, args.weights, viewers)
    rec.prior = all_priors[CHOSEN_PRIOR]
    rec.weights = Weights()
    passing = [r for r in rows if r.prior == CHOSEN_PRIOR and r.passes_with_margin]
    best = max(passing, key=lambda r: r.weight) if passing else None
    lines = [
        "",
        "=" * 100,
        "Popularity-aware ranking on the real sample (content model alone, MARQUEE_RATINGS=none)",
        *machine(PACKAGES),
        f"release: {len(films.ids):,} films, {len(films.eligible):,} collection seeds, {known} seeds with >= "
        f"{KNOWN_SEED_VOTES:,} votes; served lists: Recommend(movie_id, limit=10, popularity=w), width {WIDTH}",
        f"viewers: {viewers.source if viewers else 'no ratings_small.csv in the sample folder: hit@10 not measured'}"
        + (" - SYNTHETIC viewers, the direction only" if viewers else ""),
        "",
        *table(rows, known),
        "",
        f"bounds: collection_hit@5 >= {COLLECTION_BOUND}, genre_jaccard@10 >= {GENRE_BOUND}; * = the service's "
        f"default ({CHOSEN_PRIOR}, {DEFAULT_POPULARITY})",
    ]
    ok = best is not None and abs(best.weight - DEFAULT_POPULARITY) < 1e-9
    if best is None:
        lines.append(f"  {verdict(False)}  no {CHOSEN_PRIOR} weight keeps both bounds with a margin of {MARGIN}")
    else:
        lines.append(
            f"  {verdict(ok)}  the largest {CHOSEN_PRIOR} weight within both bounds, genre_j@10 {MARGIN} inside, "
            f"is {best.weight} "
            f"(coll@5 {best.coll:.3f}, genre_j@10 {best.genre:.3f}, top-5 median votes {best.median_known:,.0f}); "
            f"the default is {DEFAULT_POPULARITY}"
        )
    print("\n".join(lines), flush=True)
    print(f"free text: describe@10 over {TEXT_FILMS} films' first 12 words of overview ...", flush=True)
    text_rows = describe_sweep(rec, release)
    base = text_rows[0][1]
    within = [w for w, value, _ in text_rows if value >= base - TEXT_LOSS - 1e-9]
    text_best = max(within) if within else 0.0
    text_ok = abs(text_best - DEFAULT_TEXT_POPULARITY) < 1e-9
    lines = [f"  {'weight':>8}{'describe@10':>13}{'texts':>7}"]
    lines += [f"  {w:>8.2f}{value:>13.3f}{asked:>7}{'  *' if abs(w - DEFAULT_TEXT_POPULARITY) < 1e-9 else ''}"
              for w, value, asked in text_rows]  # fmt: skip
    lines.append(
        f"  {verdict(text_ok)}  the largest text weight at most {TEXT_LOSS} below similarity alone ({base:.3f}) is "
        f"{text_best}; the text default (* RECOMMENDER_TEXT_POPULARITY) is {DEFAULT_TEXT_POPULARITY}"
    )
    print("\n".join(lines), flush=True)
    ok = ok and text_ok
    if not args.no_examples:
        shown = sorted({0.0, DEFAULT_POPULARITY, 1.0})
        print("\n" + "\n".join(examples(rec, films, shown)), flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return exit_status("bench_popularity", lambda work: run(args, work))


if __name__ == "__main__":
    raise SystemExit(main())
