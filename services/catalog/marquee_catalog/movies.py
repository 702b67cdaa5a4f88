"""Films by id: a row of the movies table as Python values, and a film's whole record for GetMovie.

Every other part of the catalog names films by their position in this table and asks here for
their rows, so a film is built once per answer, only when it is answered with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from marquee_catalog.lookup import Groups
from marquee_catalog.tables import MOVIE_FIELDS, Tables
from marquee_common.contract import VOTES_THRESHOLD
from marquee_common.errors import InvalidQuery, NotFound

TOP_CAST = 10


@dataclass(frozen=True)
class MovieRow:
    """The scalar fields of one film, as Python values (in the order of MOVIE_FIELDS)."""

    id: int
    title: str
    title_norm: str
    release_date: str
    release_year: int
    runtime: float | None
    overview: str
    tagline: str
    original_language: str
    budget: int
    revenue: int
    ret: float
    popularity: float
    vote_average: float
    vote_count: int
    imdb_id: str
    poster_path: str
    adult: bool
    status: str
    collection_id: int | None

    @property
    def profit(self) -> int:
        return self.revenue - self.budget

    @property
    def reaches_vote_threshold(self) -> bool:
        """Whether enough people voted for the average to mean something, as the assignment asks."""
        return self.vote_count >= VOTES_THRESHOLD


@dataclass(frozen=True)
class MovieRecord:
    """One film with its lists, each in the release's order; the cast is its top-billed only."""

    row: MovieRow
    genres: tuple[str, ...]
    collection: tuple[int, str] | None
    """(id, name); the name is "" for a collection the release does not list."""
    companies: tuple[tuple[int, str], ...]
    """(company id, name)"""
    countries: tuple[tuple[str, str], ...]
    """(ISO 3166-1 code, name)"""
    spoken_languages: tuple[tuple[str, str], ...]
    """(ISO 639-1 code, name)"""
    directors: tuple[tuple[int, str], ...]
    """(person id, name), each person once"""
    cast: tuple[tuple[int, str, str, int], ...]
    """(person id, name, character, order)"""


class Movies:
    """The films of a release, and what GetMovie lists about each, found by id."""

    def __init__(self, tables: Tables) -> None:
        self.frame = tables.movies.with_columns(pl.col("release_date").dt.strftime("%Y-%m-%d")).select(MOVIE_FIELDS)
        self.index_by_id = dict(zip(self.frame["id"].to_list(), range(self.frame.height), strict=True))
        self.genres = Groups(tables.genres, "movie_id", ["position"], ["name"])
        self.companies = Groups(tables.companies, "movie_id", ["position"], ["company_id", "name"])
        self.countries = Groups(tables.countries, "movie_id", ["position"], ["iso_3166_1", "name"])
        self.spoken = Groups(tables.spoken_languages, "movie_id", ["position"], ["iso_639_1", "name"])
        # Kaggle lists cast in billing order; the first positions hold the top-billed.
        top_billed = (
            tables.cast.filter(pl.col("position") < TOP_CAST * 2)
            .select("movie_id", "position", "order", "person_id", "name", "character")
            .collect()
        )
        self.cast = Groups(top_billed, "movie_id", ["order", "position"], ["person_id", "name", "character", "order"])
        del top_billed
        self.directors = Groups(tables.directors, "movie_id", ["position"], ["person_id", "name"])
        collections = tables.collections
        self.collection_name: dict[int, str] = dict(
            zip(collections["collection_id"].to_list(), collections["name"].to_list(), strict=True)
        )

    def row(self, index: int) -> MovieRow:
        return MovieRow(*self.frame.row(index))

    def rows(self, indexes: Sequence[int] | np.ndarray) -> list[MovieRow]:
        """The rows at these positions, in their order, in one gather."""
        if not len(indexes):
            return []
        return [MovieRow(*r) for r in self.frame[np.asarray(indexes)].rows()]

    def movie(self, movie_id: int) -> MovieRow | None:
        index = self.index_by_id.get(movie_id)
        return None if index is None else self.row(index)

    def by_date(self, movie_ids: Iterable[int]) -> list[MovieRow]:
        """The rows of these films, oldest first (then by id)."""
        rows = [self.row(self.index_by_id[m]) for m in movie_ids]
        return sorted(rows, key=lambda r: (r.release_date, r.id))

    def record(self, movie_id: int) -> MovieRecord:
        if movie_id <= 0:
            raise InvalidQuery(f"movie_id must be a positive integer, got {movie_id}")
        row = self.movie(movie_id)
        if row is None:
            raise NotFound(f"no movie with id {movie_id}")
        cid = row.collection_id
        directors: dict[int, str] = {}  # a person credited twice as director is listed once
        for person_id, name in self.directors.get(movie_id):
            directors.setdefault(person_id, name)
        return MovieRecord(
            row=row,
            genres=tuple(name for (name,) in self.genres.get(movie_id)),
            collection=None if cid is None else (cid, self.collection_name.get(cid, "")),
            companies=tuple(self.companies.get(movie_id)),
            countries=tuple(self.countries.get(movie_id)),
            spoken_languages=tuple(self.spoken.get(movie_id)),
            directors=tuple(directors.items()),
            cast=tuple(self.cast.get(movie_id, TOP_CAST)),
        )
