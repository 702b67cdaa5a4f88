"""Films by title: the exact lookup the four title RPCs share, and the ranked, paged title search.

Both use one title index (marquee_common.titles, shared with the recommender so the two services
match titles alike); the search adds word and year indexes built once at load so that a common
word or a year stays cheap.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Set
from dataclasses import dataclass

import numpy as np

from marquee_catalog.movies import MovieRow, Movies
from marquee_catalog.page_tokens import make_page_token, read_page_token
from marquee_common.contract import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from marquee_common.errors import InvalidQuery
from marquee_common.fuzzy import NameIndex
from marquee_common.titles import TitleIndex, check_year
from marquee_common.validation import require_text

FUZZY_CUTOFF = 75.0
CONTAINS_SCORE = 80.0  # the score of a title that holds every word of the query
MAX_RESULTS = 1000


class Match(enum.Enum):
    """How a search hit matches its query."""

    EXACT = "whole normalised title equal"
    PREFIX = "normalised title starts with the query"
    FUZZY = "close spelling or the query's words inside the title"


@dataclass(frozen=True)
class TitleMatch:
    """The film answering for a title, and the other films sharing that title (best first)."""

    movie: MovieRow
    same_title: tuple[MovieRow, ...]


@dataclass(frozen=True)
class Hit:
    movie: MovieRow
    match: Match
    score: float
    """0..100, higher is closer"""


@dataclass(frozen=True)
class SearchPage:
    hits: tuple[Hit, ...]
    total_size: int
    next_page_token: str
    """"" on the last page"""
    total_capped: bool
    """True when there were more than MAX_RESULTS results and `total_size` counts only those."""


class Titles:
    """Every film's title, looked up exactly or searched."""

    def __init__(self, movies: Movies) -> None:
        self.movies = movies
        columns = {
            c: movies.frame.get_column(c).to_list()
            for c in ("id", "title_norm", "title", "release_year", "vote_count", "popularity")
        }
        self.index = TitleIndex(*columns.values())
        self.by_title = self.index.by_title
        self.names = self.index.names
        votes = columns["vote_count"]
        self.best_votes = {norm: votes[found[0]] for norm, found in self.by_title.items()}
        self.words: dict[str, list[str]] = {}  # word -> titles holding it, best voted first
        for norm in sorted(self.by_title, key=self.best_votes.__getitem__, reverse=True):
            for word in set(norm.split()):
                self.words.setdefault(word, []).append(norm)
        self.word_sets = {word: set(titles) for word, titles in self.words.items()}
        self.sorted_votes = np.asarray([self.best_votes[n] for n in self.names.sorted], dtype=np.int64)
        by_year: dict[int, dict[str, str]] = {}
        for norm, found in self.by_title.items():
            for i in found:
                by_year.setdefault(columns["release_year"][i], {})[norm] = self.names.display[norm]
        self.by_year = {year: NameIndex(names) for year, names in by_year.items()}

    def resolve(self, title: str, year: int | None = None) -> TitleMatch:
        found, others = self.index.resolve(title, year)
        return TitleMatch(self.movies.row(found), tuple(self.movies.row(i) for i in others))

    def _ranked(self, norm: str, year: int | None) -> Iterator[tuple[Match, float, str]]:
        """(match, score, title) in answer order: exact, prefix, then close or containing the words.

        With a year, only that year's titles are considered, so a common word stays cheap.
        """
        if not norm:  # no letter or digit: no title has such a name
            return
        universe = self.by_year.get(year, NameIndex({})) if year is not None else self.names
        if norm in universe.display:
            yield Match.EXACT, 100.0, norm
        start, end = universe.prefix_range(norm + " ")
        prefixed = universe.sorted[start:end]
        for title in (
            sorted(prefixed, key=self.best_votes.__getitem__, reverse=True)
            if year is not None
            else (
                self.names.sorted[i]
                for i in (start + np.argsort(-self.sorted_votes[start:end], kind="stable")).tolist()
            )
        ):
            yield Match.PREFIX, 90.0, title
        close = universe.close(norm, limit=50, cutoff=FUZZY_CUTOFF)
        close.sort(key=lambda kv: (-kv[1], -self.best_votes[kv[0]]))
        for title, score in close:
            if score >= CONTAINS_SCORE:
                yield Match.FUZZY, score, title
        words = sorted(set(norm.split()), key=lambda w: len(self.words.get(w, ())))
        if words and words[0] in self.words:
            others: list[Set[str]] = [self.word_sets[w] for w in words[1:] if w in self.word_sets]
            if len(others) == len(words) - 1:
                if year is not None:
                    others.append(universe.display.keys())
                for title in self.words[words[0]]:  # best voted first
                    if all(title in s for s in others):
                        yield Match.FUZZY, CONTAINS_SCORE, title
        for title, score in close:
            if score < CONTAINS_SCORE:
                yield Match.FUZZY, score, title

    def search(self, query: str, year: int | None, page_size: int, page_token: str) -> SearchPage:
        norm = require_text(query, "query")
        check_year(year)
        if page_size < 0 or page_size > MAX_PAGE_SIZE:
            raise InvalidQuery(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        size = page_size or DEFAULT_PAGE_SIZE
        offset = read_page_token(page_token, norm, year)
        years = self.index.years
        found: list[tuple[Match, float, int]] = []  # (match, score, row); films are cheap to list, costly to build
        seen: set[str] = set()
        capped = False
        for match, score, title in self._ranked(norm, year):
            if title in seen:
                continue
            seen.add(title)
            found.extend((match, score, i) for i in self.by_title[title] if year is None or years[i] == year)
            if len(found) > MAX_RESULTS:
                capped = True
                del found[MAX_RESULTS:]
                break
        if offset > len(found):
            raise InvalidQuery(f"page_token points past the {len(found)} results")
        hits = tuple(Hit(self.movies.row(i), match, score) for match, score, i in found[offset : offset + size])
        next_token = make_page_token(offset + size, norm, year) if offset + size < len(found) else ""
        return SearchPage(hits, len(found), next_token, capped)
