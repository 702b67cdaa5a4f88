"""A second, deliberately plain computation of the catalog's answers straight from the raw CSV
files (csv + ast + datetime, no Polars, no project code), to check the services against."""

from __future__ import annotations

import ast
import csv
import gzip
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO


def norm(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M"))
    out = "".join(c if c.isalnum() else " " for c in bare.lower())
    return " ".join(out.split())


@dataclass
class Film:
    id: int
    title: str
    released: date
    budget: int
    revenue: int
    popularity: float
    votes: int
    average: float
    language: str
    raw: dict[str, str]

    @property
    def ret(self) -> float:
        return self.revenue / self.budget if self.budget > 0 and self.revenue > 0 else 0.0


def _open(folder: Path, name: str) -> IO[str]:
    """`name` in `folder`, plain or gzip-compressed (`name.gz`), as the pipeline accepts it."""
    if (folder / name).is_file():
        return (folder / name).open(newline="", encoding="utf-8")
    return gzip.open(folder / f"{name}.gz", "rt", newline="", encoding="utf-8")


@dataclass
class Oracle:
    films: dict[int, Film] = field(default_factory=dict)
    cast: dict[int, list[dict]] = field(default_factory=dict)
    crew: dict[int, list[dict]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, credits: bool = True) -> Oracle:
        """The films of `folder`'s raw files; their credits too unless `credits` is false (the hand-made
        fixture's credits hold rows broken on purpose, which the pipeline sets aside)."""
        csv.field_size_limit(sys.maxsize)
        oracle = cls()
        seen: set[int] = set()
        with _open(folder, "movies_metadata.csv") as handle:
            for row in csv.DictReader(handle):
                if not row["id"].strip().isdigit():
                    continue
                movie_id = int(row["id"])
                if movie_id in seen:
                    continue
                seen.add(movie_id)
                try:
                    released = date.fromisoformat(row["release_date"])
                except ValueError:
                    continue
                oracle.films[movie_id] = Film(
                    movie_id,
                    row["title"],
                    released,
                    int(float(row["budget"] or 0)),
                    int(float(row["revenue"] or 0)),
                    float(row["popularity"] or 0),
                    int(float(row["vote_count"] or 0)),
                    float(row["vote_average"] or 0),
                    row["original_language"],
                    row,
                )
        if not credits:
            return oracle
        with _open(folder, "credits.csv") as handle:
            for row in csv.DictReader(handle):
                movie_id = int(row["id"])
                if movie_id in oracle.films and movie_id not in oracle.cast:
                    oracle.cast[movie_id] = ast.literal_eval(row["cast"])
                    oracle.crew[movie_id] = ast.literal_eval(row["crew"])
        return oracle

    def month_counts(self) -> Counter[int]:
        return Counter(f.released.month for f in self.films.values())

    def weekday_counts(self) -> Counter[int]:
        return Counter(f.released.isoweekday() for f in self.films.values())

    def by_title(self, title: str) -> list[Film]:
        found = [f for f in self.films.values() if norm(f.title) == norm(title)]
        return sorted(found, key=lambda f: (-f.votes, -f.popularity, f.id))

    def actor(self, name: str) -> tuple[int, float]:
        ids = {p["id"] for people in self.cast.values() for p in people if norm(p["name"]) == norm(name)}
        films = {m for m, people in self.cast.items() if any(p["id"] in ids for p in people)}
        directed = {
            m for m, people in self.crew.items() if any(p["id"] in ids and p["job"] == "Director" for p in people)
        }
        kept = films - directed
        return len(kept), sum(self.films[m].ret for m in kept)

    def director(self, name: str) -> list[Film]:
        films = {
            m
            for m, people in self.crew.items()
            if any(norm(p["name"]) == norm(name) and p["job"] == "Director" for p in people)
        }
        return sorted((self.films[m] for m in films), key=lambda f: (f.released, f.id))

    def nested(self, film: Film, column: str) -> list[dict]:
        raw = film.raw[column]
        if not raw:
            return []
        value = ast.literal_eval(raw)
        return value if isinstance(value, list) else [value]

    def collection(self, name: str) -> list[Film]:
        return [
            f
            for f in self.films.values()
            if any(norm(c["name"]) == norm(name) for c in self.nested(f, "belongs_to_collection"))
        ]

    def company(self, name: str) -> list[Film]:
        return [
            f
            for f in self.films.values()
            if any(norm(c["name"]) == norm(name) for c in self.nested(f, "production_companies"))
        ]

    def country(self, code: str) -> int:
        return len(self.country_films(code))

    def country_films(self, code: str) -> list[Film]:
        return [
            f
            for f in self.films.values()
            if any(c["iso_3166_1"] == code for c in self.nested(f, "production_countries"))
        ]

    def language(self, code: str) -> int:
        return len(self.language_films(code))

    def language_films(self, code: str) -> list[Film]:
        return [f for f in self.films.values() if f.language == code]

    @staticmethod
    def most_voted(films: list[Film], limit: int) -> list[int]:
        """The ids of the `limit` films with most votes, most first; equal votes, lowest id first."""
        return [f.id for f in sorted(films, key=lambda f: (-f.votes, f.id))[:limit]]
