"""The release's Parquet tables as the catalog reads them: which columns, checked, then read.

The two big tables (cast and crew, about a million rows) are scanned lazily, so only the rows
and columns the catalog keeps are ever decoded: that keeps start-up near 2 s and its peak memory low.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from marquee_common.errors import DamagedRelease, ReleaseError

TABLES: dict[str, tuple[str, ...]] = {  # the columns the catalog reads; () for all
    "movies": (),
    "genres": ("movie_id", "position", "name"),
    "companies": ("movie_id", "position", "company_id", "name", "name_norm"),
    "countries": ("movie_id", "position", "iso_3166_1", "name", "name_norm"),
    "spoken_languages": ("movie_id", "position", "iso_639_1", "name"),
    "collections": ("collection_id", "name", "key"),
    "languages": ("iso_639_1", "name", "name_norm", "english_name", "english_norm"),
    "cast": ("movie_id", "position", "person_id", "name", "name_norm", "character", "order"),
    "crew": ("movie_id", "position", "person_id", "name", "name_norm", "job"),
}

MOVIE_FIELDS = (
    "id",
    "title",
    "title_norm",
    "release_date",
    "release_year",
    "runtime",
    "overview",
    "tagline",
    "original_language",
    "budget",
    "revenue",
    "return",
    "popularity",
    "vote_average",
    "vote_count",
    "imdb_id",
    "poster_path",
    "adult",
    "status",
    "collection_id",
)
"""Columns of movies.parquet in the order of MovieRow's fields."""


def check_columns(folder: Path) -> None:
    """DamagedRelease for the first table that lacks a column the catalog reads, before it loads any."""
    for name, columns in TABLES.items():
        found = pl.read_parquet_schema(folder / f"{name}.parquet")
        missing = [c for c in (columns or MOVIE_FIELDS) if c not in found]
        if missing:
            raise DamagedRelease(folder.name, f"{name}.parquet", f"lacks column(s) {', '.join(missing)}")


@dataclass(frozen=True)
class Tables:
    """What the catalog builds its indexes from; dropped once they are built."""

    movies: pl.DataFrame
    genres: pl.DataFrame
    companies: pl.DataFrame
    countries: pl.DataFrame
    spoken_languages: pl.DataFrame
    collections: pl.DataFrame
    languages: pl.DataFrame
    cast: pl.LazyFrame
    directors: pl.DataFrame
    """The crew's directors only: the one job the catalog answers about."""


def read_tables(folder: Path) -> Tables:
    missing = [t for t in TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise ReleaseError(f"release {folder} lacks table(s) {', '.join(missing)}")

    def read(name: str) -> pl.DataFrame:
        return pl.read_parquet(folder / f"{name}.parquet", columns=list(TABLES[name]) or None)

    directors = (
        pl.scan_parquet(folder / "crew.parquet")
        .filter(pl.col("job") == "Director")
        .select("movie_id", "position", "person_id", "name", "name_norm")
        .collect()
    )
    return Tables(
        movies=read("movies"),
        genres=read("genres"),
        companies=read("companies"),
        countries=read("countries"),
        spoken_languages=read("spoken_languages"),
        collections=read("collections"),
        languages=read("languages"),
        cast=pl.scan_parquet(folder / "cast.parquet"),  # the big two are scanned for just what is kept
        directors=directors,
    )
