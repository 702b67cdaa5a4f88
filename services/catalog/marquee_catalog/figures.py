"""Figures for groups of films: collections, production companies, countries, languages, months, weekdays.

Each is worked out once at load with Polars, so a request is a dictionary hit (plus close names
for one that is not there). A company's, country's or language's films are kept as row indexes of
the movies table, most-voted first, in one numpy array per kind of group with a span per group
(`RankedFilms`): a request slices it and builds only the rows it lists.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import polars as pl

from marquee_catalog.lookup import unknown
from marquee_catalog.movies import MovieRow, Movies
from marquee_catalog.tables import Tables
from marquee_common.calendar_names import MONTH, WEEKDAY, NamedNumbers
from marquee_common.contract import DEFAULT_GROUP_FILMS, MAX_GROUP_FILMS
from marquee_common.errors import InvalidQuery
from marquee_common.fuzzy import NameIndex
from marquee_common.text import collection_key, normalize_text
from marquee_common.validation import require_text


@dataclass(frozen=True)
class CalendarCount:
    """Films released in one month or on one weekday; `name` is the Spanish name."""

    name: str
    number: int
    count: int


@dataclass(frozen=True)
class Collection:
    name: str
    collection_id: int
    films: tuple[MovieRow, ...]
    """oldest first"""
    total_revenue: int
    average_revenue: float


@dataclass(frozen=True)
class Company:
    name: str
    company_ids: tuple[int, ...]
    movie_count: int
    total_revenue: int
    films: tuple[MovieRow, ...]
    """the most-voted first (ties: lowest id first), at most the limit asked for"""


@dataclass(frozen=True)
class Country:
    name: str
    iso_3166_1: str
    count: int
    films: tuple[MovieRow, ...]
    """the most-voted first (ties: lowest id first), at most the limit asked for"""


@dataclass(frozen=True)
class Language:
    iso_639_1: str
    name: str
    english_name: str
    count: int
    films: tuple[MovieRow, ...]
    """the most-voted first (ties: lowest id first), at most the limit asked for"""


def films_limit(limit: int) -> int:
    """How many films a group's answer lists: `limit`, or the default for 0 (proto3's unset).

    >>> films_limit(0), films_limit(7)
    (20, 7)
    """
    if not 0 <= limit <= MAX_GROUP_FILMS:
        raise InvalidQuery(
            f"limit must be between 1 and {MAX_GROUP_FILMS} (0 or unset lists {DEFAULT_GROUP_FILMS}), got {limit}"
        )
    return limit or DEFAULT_GROUP_FILMS


def vote_ranks(movies: pl.DataFrame) -> pl.DataFrame:
    """movie_id, row (its index in `movies`) and rank: 0 for the most-voted film, ties by lowest id."""
    return (
        movies.select(pl.col("id").alias("movie_id"), "vote_count")
        .with_row_index("row")
        .sort(["vote_count", "movie_id"], descending=[True, False])
        .with_row_index("rank")
        .select("movie_id", "row", "rank")
    )


class RankedFilms:
    """Each group's films as row indexes of the movies table, most-voted first.

    One int32 array holds every group's rows back to back (sorted by group, then rank); `spans`
    gives each group's (start, length). No Python object per film: 45,000 films in a few groups
    each cost a few hundred kilobytes.
    """

    def __init__(self, members: pl.DataFrame, key: str, ranks: pl.DataFrame) -> None:
        """`members`: one row per (group `key`, movie_id), no repeats; `ranks`: vote_ranks' table."""
        ordered = members.select(key, "movie_id").join(ranks, on="movie_id", how="inner").sort(key, "rank")
        self.rows = ordered.get_column("row").to_numpy().astype(np.int32)
        sizes = ordered.group_by(key, maintain_order=True).len()
        counts = sizes.get_column("len").to_numpy().astype(np.int64)
        starts = np.cumsum(counts) - counts
        self.spans: dict[Hashable, tuple[int, int]] = dict(
            zip(sizes.get_column(key).to_list(), zip(starts.tolist(), counts.tolist(), strict=True), strict=True)
        )

    def top(self, key: Hashable, limit: int) -> np.ndarray:
        """The row indexes of `key`'s `limit` most-voted films (none for a group without films)."""
        start, length = self.spans.get(key, (0, 0))
        return self.rows[start : start + min(length, limit)]


class Figures:
    """The groups' figures, found by any name or code the data gives them."""

    def __init__(self, tables: Tables, movies: Movies) -> None:
        self.movies = movies
        released = tables.movies
        ranks = vote_ranks(released)  # only the loading needs it
        self.month_counts = np.bincount(released["release_month"].to_numpy(), minlength=13)
        self.weekday_counts = np.bincount(released["release_weekday"].to_numpy(), minlength=8)
        self._load_collections(tables.collections, released)
        self._load_companies(tables.companies, released, ranks)
        self._load_countries(tables.countries, ranks)
        self._load_languages(tables.languages, released, ranks)

    # -- loading ---------------------------------------------------------------------------

    def _load_collections(self, collections: pl.DataFrame, movies: pl.DataFrame) -> None:
        members = (
            movies.filter(pl.col("collection_id").is_not_null())
            .sort("release_date", "id")
            .group_by("collection_id", maintain_order=True)
            .agg("id")
        )
        self.collection_members: dict[int, list[int]] = dict(
            zip(members["collection_id"].to_list(), members["id"].to_list(), strict=True)
        )
        by_key: dict[str, list[int]] = {}
        for cid, key in zip(collections["collection_id"].to_list(), collections["key"].to_list(), strict=True):
            by_key.setdefault(key, []).append(cid)
        # Several collections may share a name; the one with most films answers.
        self.collection_by_key = {
            key: max(ids, key=lambda c: (len(self.collection_members.get(c, [])), -c)) for key, ids in by_key.items()
        }
        names = self.movies.collection_name
        self.collection_names = NameIndex({k: names[c] for k, c in self.collection_by_key.items()})

    def _load_companies(self, companies: pl.DataFrame, movies: pl.DataFrame, ranks: pl.DataFrame) -> None:
        revenue = movies.select(pl.col("id").alias("movie_id"), "revenue")
        per_name = (
            companies.filter(pl.col("name_norm") != "")
            .unique(["name_norm", "movie_id"], keep="first", maintain_order=True)
            .join(revenue, on="movie_id", how="left")
            .group_by("name_norm")
            .agg(
                pl.col("name").mode().sort().first(),
                pl.col("company_id").unique().sort(),
                pl.len().alias("count"),
                pl.col("revenue").sum().alias("total_revenue"),
            )
        )
        self.company_stats: dict[str, tuple[str, list[int], int, int]] = {
            norm: (name, ids, count, total)
            for norm, name, ids, count, total in per_name.select(
                "name_norm", "name", "company_id", "count", "total_revenue"
            ).iter_rows()
        }
        self.company_names = NameIndex({norm: v[0] for norm, v in self.company_stats.items()})
        members = companies.filter(pl.col("name_norm") != "").unique(["name_norm", "movie_id"])
        self.company_films = RankedFilms(members, "name_norm", ranks)

    def _load_countries(self, countries: pl.DataFrame, ranks: pl.DataFrame) -> None:
        per_code = (
            countries.unique(["iso_3166_1", "movie_id"])
            .group_by("iso_3166_1")
            .agg(pl.col("name").mode().sort().first(), pl.len().alias("count"))
        )
        self.country_stats = {code.upper(): (name, count) for code, name, count in per_code.iter_rows()}
        self.country_by_norm: dict[str, str] = {}
        for code in self.country_stats:
            self.country_by_norm[normalize_text(code)] = code
        for code, norm in countries.select("iso_3166_1", "name_norm").unique().iter_rows():
            self.country_by_norm.setdefault(norm, code.upper())
        self.country_names = NameIndex({normalize_text(name): name for name, _ in self.country_stats.values()})
        members = countries.select(pl.col("iso_3166_1").str.to_uppercase(), "movie_id").unique()
        self.country_films = RankedFilms(members, "iso_3166_1", ranks)

    def _load_languages(self, languages: pl.DataFrame, movies: pl.DataFrame, ranks: pl.DataFrame) -> None:
        counts = dict(movies.group_by("original_language").len().iter_rows())
        self.language_info = {
            code: (name, english, counts.get(code, 0))
            for code, name, english in languages.select("iso_639_1", "name", "english_name").iter_rows()
        }
        self.language_by_norm: dict[str, str] = {}
        display: dict[str, str] = {}
        for code, name_norm, english_norm, name, english in languages.select(
            "iso_639_1", "name_norm", "english_norm", "name", "english_name"
        ).iter_rows():
            self.language_by_norm[code] = code
            for norm, shown in ((name_norm, name), (english_norm, english)):
                if norm:
                    self.language_by_norm.setdefault(norm, code)
                    display.setdefault(norm, shown)
        self.language_names = NameIndex(display)
        members = movies.select("original_language", pl.col("id").alias("movie_id"))
        self.language_films = RankedFilms(members, "original_language", ranks)

    # -- answers ---------------------------------------------------------------------------

    def month(self, month: str) -> CalendarCount:
        return self._count(MONTH, month, self.month_counts)

    def weekday(self, day: str) -> CalendarCount:
        return self._count(WEEKDAY, day, self.weekday_counts)

    @staticmethod
    def _count(kind: NamedNumbers, value: str, counts: np.ndarray) -> CalendarCount:
        """Films released in the month or weekday `value` names (see calendar_names for what it may be)."""
        require_text(value, kind.kind)  # empty or over-long: the same words as every other input
        number = kind.number(value)
        if number is None:
            raise InvalidQuery(kind.error(value), list(kind.names))
        return CalendarCount(kind.names[number - 1], number, int(counts[number]))

    def collection(self, name: str) -> Collection:
        require_text(name, "collection name")
        key = collection_key(name)
        cid = self.collection_by_key.get(key) if key else None
        if cid is None:
            raise unknown(f"no collection named {name.strip()!r}", self.collection_names, key or normalize_text(name))
        members = tuple(self.movies.row(self.movies.index_by_id[m]) for m in self.collection_members.get(cid, []))
        total = sum(r.revenue for r in members)
        return Collection(
            name=self.movies.collection_name[cid],
            collection_id=cid,
            films=members,
            total_revenue=total,
            average_revenue=total / len(members) if members else 0.0,
        )

    def _films(self, ranked: RankedFilms, key: Hashable, limit: int) -> tuple[MovieRow, ...]:
        return tuple(self.movies.rows(ranked.top(key, limit)))

    def company(self, name: str, limit: int = 0) -> Company:
        """A production company's figures and its `limit` most-voted films (0: the default number)."""
        norm = require_text(name, "company name")
        size = films_limit(limit)
        stats = self.company_stats.get(norm) if norm else None
        if stats is None:
            raise unknown(f"no production company named {name.strip()!r}", self.company_names, norm)
        display, ids, count, total = stats
        return Company(display, tuple(ids), count, total, self._films(self.company_films, norm, size))

    def country(self, country: str, limit: int = 0) -> Country:
        """A country's count of films produced there and its `limit` most-voted ones (0: the default)."""
        norm = require_text(country, "country")
        size = films_limit(limit)
        code = self.country_by_norm.get(norm) if norm else None
        if code is None:
            raise unknown(
                f"no films produced in {country.strip()!r} (name as in the data, or ISO 3166-1 code like 'US')",
                self.country_names,
                norm,
            )
        name, count = self.country_stats[code]
        return Country(name, code, count, self._films(self.country_films, code, size))

    def language(self, language: str, limit: int = 0) -> Language:
        """A language's count of films originally in it and its `limit` most-voted ones (0: the default)."""
        norm = require_text(language, "language")
        size = films_limit(limit)
        code = self.language_by_norm.get(norm) if norm else None
        if code is None:
            raise unknown(
                f"no language {language.strip()!r} (ISO 639-1 code like 'fr', or a name like 'Français' or 'French')",
                self.language_names,
                norm,
            )
        name, english, count = self.language_info[code]
        return Language(code, name or english, english, count, self._films(self.language_films, code, size))
