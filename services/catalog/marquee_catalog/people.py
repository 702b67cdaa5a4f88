"""Actors and directors by name: their films, oldest first, and the returns the assignment asks for.

A name may belong to several people (several person ids); the answer covers them all, as a
user asking for a name cannot tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from marquee_catalog.lookup import NameGroups, unknown
from marquee_catalog.movies import MovieRow, Movies
from marquee_catalog.tables import Tables
from marquee_common.validation import require_text


@dataclass(frozen=True)
class Actor:
    name: str
    person_ids: tuple[int, ...]
    films: tuple[tuple[MovieRow, str], ...]
    """(film, the first character played in it), oldest first; films the person also directed are left out."""
    total_return: float
    average_return: float


@dataclass(frozen=True)
class Director:
    name: str
    person_ids: tuple[int, ...]
    films: tuple[MovieRow, ...]
    """oldest first"""
    total_return: float


class People:
    """The cast and the directors, found by normalised name."""

    def __init__(self, tables: Tables, movies: Movies) -> None:
        self.movies = movies
        directors = tables.directors
        self.actors = NameGroups(tables.cast.select("name_norm", "name", "person_id", "movie_id", "character"),
                                 keep=["person_id", "movie_id", "character"])  # fmt: skip
        self.directors = NameGroups(directors.lazy(), keep=["person_id", "movie_id"])
        self.directed: set[tuple[int, int]] = set(
            zip(directors["person_id"].to_list(), directors["movie_id"].to_list(), strict=True)
        )

    @staticmethod
    def _rows(groups: NameGroups, name: str, what: str) -> tuple[pl.DataFrame, str]:
        """(the credits of everyone named `name`, the name as shown); NOT_FOUND with close names."""
        norm = require_text(name, f"{what} name")
        rows = groups.get(norm)
        if rows is None:
            raise unknown(f"no {what} named {name.strip()!r}", groups.names, norm)
        return rows, groups.names.display[norm]

    def actor(self, name: str) -> Actor:
        rows, display = self._rows(self.actors, name, "actor")
        person_ids = sorted(set(rows["person_id"].to_list()))
        characters: dict[int, str] = {}  # movie id -> first character played there
        for movie_id, character in rows.select("movie_id", "character").iter_rows():
            characters.setdefault(movie_id, character)
        # Films this person also directed are left out, as the assignment asks.
        characters = {m: c for m, c in characters.items() if not any((p, m) in self.directed for p in person_ids)}
        films = self.movies.by_date(characters)
        total = sum(r.ret for r in films)
        return Actor(
            name=display,
            person_ids=tuple(person_ids),
            films=tuple((r, characters[r.id]) for r in films),
            total_return=total,
            average_return=total / len(films) if films else 0.0,
        )

    def director(self, name: str) -> Director:
        rows, display = self._rows(self.directors, name, "director")
        films = self.movies.by_date(set(rows["movie_id"].to_list()))
        return Director(
            name=display,
            person_ids=tuple(sorted(set(rows["person_id"].to_list()))),
            films=tuple(films),
            total_return=sum(r.ret for r in films),
        )
