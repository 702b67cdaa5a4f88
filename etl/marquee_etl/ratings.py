"""MovieLens ratings beside the Kaggle metadata: find them, read them typed, set bad rows aside.

Kaggle's "The Movies Dataset" ships `ratings.csv` + `links.csv` (26 million ratings) or
`ratings_small.csv` + `links_small.csv` (100,004). ratings: `userId,movieId,rating,timestamp`;
links: `movieId,imdbId,tmdbId`, where tmdbId is our film `id`. MARQUEE_RATINGS picks them:
auto (the full pair when present, else the small one, else none), small, full, or none.

A rating is kept when it parses, its movieId has a tmdbId that is a film of the release and its
value is within 0.5..5; otherwise it is set aside, counted, with one reason, checked in this
order: `malformed`, `no_link`, `unknown_film`, `rating_out_of_range`. Of a viewer's ratings
of one film the latest (timestamp, then line) is kept, the others are set aside as `repeated`.
These rejects are a table of their own (`ratings_rejects`): a sample of ratings about films
outside the catalog sets many aside legitimately, so they never count in the films' rejected share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from marquee_etl.sources import Source, SourceError, find

PAIRS = {"full": ("ratings.csv", "links.csv"), "small": ("ratings_small.csv", "links_small.csv")}
"""Which pair a choice reads; auto tries full, then small."""
REASONS = ("malformed", "no_link", "unknown_film", "rating_out_of_range", "repeated")
LOWEST, HIGHEST = 0.5, 5.0
RATINGS_SCHEMA = {"userId": pl.Int64, "movieId": pl.Int64, "rating": pl.Float64, "timestamp": pl.Int64}
LINKS_SCHEMA = {"movieId": pl.Int64, "imdbId": pl.String, "tmdbId": pl.Int64}
KEPT_SCHEMA = {"user_id": pl.Int64, "film_id": pl.Int64, "rating": pl.Float64, "timestamp": pl.Int64}
REJECTS_SCHEMA = {"row": pl.Int64, "reason": pl.String, "user_id": pl.Int64, "movie_id": pl.Int64,
                  "tmdb_id": pl.Int64, "rating": pl.Float64, "timestamp": pl.Int64}  # fmt: skip


class RatingsSettings(BaseSettings):
    """MARQUEE_RATINGS: which ratings files the pipeline reads (auto, small, full, none)."""

    model_config = SettingsConfigDict(env_prefix="MARQUEE_", frozen=True, extra="ignore")

    ratings: Literal["auto", "small", "full", "none"] = "auto"

    @classmethod
    def from_env(cls) -> RatingsSettings:
        try:
            return cls()
        except ValidationError as exc:
            wrong = [f"MARQUEE_RATINGS={e['input']!r}: {e['msg']}" for e in exc.errors()]
            raise ValueError("; ".join(wrong)) from None


@dataclass(frozen=True)
class RatingsSources:
    ratings: Source
    links: Source


def _present(raw_dir: Path, name: str) -> bool:
    return (raw_dir / name).is_file() or (raw_dir / f"{name}.gz").is_file()


def find_ratings(raw_dir: Path, choice: str = "auto") -> RatingsSources | None:
    """The ratings and links files to read, or None (none present with auto, or choice none).

    A ratings file without its links file, or the reverse, is a SourceError naming the missing one:
    half a pair would silently build a release without the viewers' model.
    """
    if choice == "none":
        return None
    for kind in ("full", "small") if choice == "auto" else (choice,):
        ratings, links = PAIRS[kind]
        has_ratings, has_links = _present(raw_dir, ratings), _present(raw_dir, links)
        if has_ratings != has_links:
            missing, present = (links, ratings) if has_ratings else (ratings, links)
            raise SourceError(f"{raw_dir} holds {present}[.gz] but not {missing}[.gz]: MovieLens ratings need both")
        if has_ratings:
            return RatingsSources(find(raw_dir, (ratings,)), find(raw_dir, (links,)))
        if choice != "auto":
            raise SourceError(f"MARQUEE_RATINGS={choice} but {raw_dir} holds no {ratings}[.gz] and {links}[.gz]")
    return None


@dataclass(frozen=True)
class Ratings:
    kept: pl.DataFrame  # user_id, film_id (our id), rating, timestamp; in file order
    rejects: pl.DataFrame  # REJECTS_SCHEMA
    rows_in: int

    def entry(self, files: list[dict[str, Any]]) -> dict[str, Any]:
        """The manifest's `ratings` entry."""
        counts = dict(self.rejects.group_by("reason").len().iter_rows())
        return {
            "files": files,
            "rows_in": self.rows_in,
            "rows_kept": self.kept.height,
            "rejects_by_reason": {reason: int(counts[reason]) for reason in REASONS if reason in counts},
            "users": self.kept["user_id"].n_unique(),
            "films_rated": self.kept["film_id"].n_unique(),
        }


def _read(source: Source, schema: Mapping[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """Typed, fast; a field that does not parse becomes null (the caller sets its row aside)."""
    try:
        frame = pl.read_csv(source.path, schema_overrides=schema, ignore_errors=True, truncate_ragged_lines=True)
    except pl.exceptions.NoDataError:
        raise SourceError(f"{source.path} has no data rows: the file is empty") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceError(f"cannot read {source.path} as CSV: {str(exc).splitlines()[0]}") from exc
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise SourceError(f"{source.path} lacks column(s) {', '.join(missing)} (header: {', '.join(frame.columns)})")
    return frame.select(pl.col(name).cast(kind, strict=False) for name, kind in schema.items())


def read_ratings(found: RatingsSources, film_ids: pl.Series) -> Ratings:
    """Read both files and sort every rating into kept or set aside (see the module's docstring).

    `row` in the rejects is the rating's line in its file (the header is line 1).
    """
    links = (
        _read(found.links, LINKS_SCHEMA)
        .filter(pl.col("movieId").is_not_null())
        .unique("movieId", keep="first", maintain_order=True)
        .select(pl.col("movieId"), pl.col("tmdbId").alias("tmdb_id"))
    )
    ratings = _read(found.ratings, RATINGS_SCHEMA)
    rows = (
        ratings.with_row_index("row", offset=2)
        .with_columns(pl.col("row").cast(pl.Int64))
        .join(links, on="movieId", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.any_horizontal(pl.col(list(RATINGS_SCHEMA)).is_null()))
            .then(pl.lit("malformed"))
            .when(pl.col("tmdb_id").is_null())
            .then(pl.lit("no_link"))
            .when(~pl.col("tmdb_id").is_in(film_ids.implode()))
            .then(pl.lit("unknown_film"))
            .when(~pl.col("rating").is_between(LOWEST, HIGHEST))
            .then(pl.lit("rating_out_of_range"))
            .alias("reason")
        )
    )
    # The latest rating of a film by a viewer wins; at equal times the later line.
    latest = pl.col("row") == pl.col("row").sort_by("timestamp", "row").last().over("userId", "tmdb_id")
    valid = rows.filter(pl.col("reason").is_null()).with_columns(
        pl.when(latest).then(pl.lit(None, pl.String)).otherwise(pl.lit("repeated")).alias("reason")
    )
    kept = valid.filter(pl.col("reason").is_null()).select(
        pl.col("userId").alias("user_id"), pl.col("tmdb_id").alias("film_id"), "rating", "timestamp"
    )
    rejects = (
        pl.concat([rows.filter(pl.col("reason").is_not_null()), valid.filter(pl.col("reason").is_not_null())])
        .sort("row")
        .select("row", "reason", pl.col("userId").alias("user_id"), pl.col("movieId").alias("movie_id"), "tmdb_id",
                "rating", "timestamp")
    )  # fmt: skip
    return Ratings(kept, rejects, ratings.height)
