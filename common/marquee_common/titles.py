"""Title lookups shared by the catalog and the recommender, so both match titles alike.

Titles match case-, accent- and punctuation-insensitively on the whole title. Several films
may share a title: the most voted (then most popular, then lowest id) answers unless a year
picks one; the caller also gets the others so a client can ask again with a year.
"""

from __future__ import annotations

from collections.abc import Sequence

from marquee_common.errors import InvalidQuery, NotFound
from marquee_common.fuzzy import NameIndex, quoted
from marquee_common.validation import MAX_YEAR, MIN_YEAR, require_text


def check_year(year: int | None) -> None:
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidQuery(f"year must be between {MIN_YEAR} and {MAX_YEAR}, got {year}")


class TitleIndex:
    """Positions (into the sequences given) of the films bearing each normalised title.

    >>> idx = TitleIndex([1, 2], ["heat", "heat"], ["Heat", "Heat"], [1986, 1995], [40, 1800], [2.0, 17.9])
    >>> idx.resolve("HEAT!", None)
    (1, [0])
    """

    def __init__(
        self,
        ids: Sequence[int],
        norms: Sequence[str],
        titles: Sequence[str],
        years: Sequence[int],
        votes: Sequence[int],
        popularity: Sequence[float],
    ) -> None:
        order = sorted(range(len(ids)), key=lambda i: (-votes[i], -popularity[i], ids[i]))
        self.by_title: dict[str, list[int]] = {}
        for i in order:
            if norms[i]:
                self.by_title.setdefault(norms[i], []).append(i)
        self.names = NameIndex({norm: titles[found[0]] for norm, found in self.by_title.items()})
        self.years = years

    def lookup(self, norm: str) -> list[int]:
        """Positions of the films titled `norm`, best first; empty when none."""
        return self.by_title.get(norm, [])

    def resolve(self, title: str, year: int | None) -> tuple[int, list[int]]:
        """(position of the film answering for `title`, positions of the others sharing it)."""
        norm = require_text(title, "title")
        check_year(year)
        found = self.lookup(norm)
        if not found:
            suggestions = self.names.suggest(norm)
            hint = f"; did you mean {quoted(suggestions)}?" if suggestions else ""
            raise NotFound(f"no film titled {title.strip()!r}{hint}", suggestions)
        if year is None:
            return found[0], found[1:]
        for i in found:
            if self.years[i] == year:
                return i, [j for j in found if j != i]
        years = sorted({self.years[i] for i in found})
        shown = self.names.display[norm]
        raise NotFound(
            f"no film titled {title.strip()!r} from {year}; it exists from {', '.join(map(str, years))}",
            [f"{shown} ({y})" for y in years],
        )
