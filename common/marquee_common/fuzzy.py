"""Close-match lookups for suggestions and fuzzy search, shared by the services.

`NameIndex` holds the distinct normalised names of one kind (titles, people, companies...)
and answers "which existing names are close to this one?" with rapidfuzz. Buckets by a word's
first letters and a score cutoff keep it to a few milliseconds on 200,000 names.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

SUGGESTIONS = 5
BUCKETED_ABOVE = 20_000
"""Past this many names, only names sharing a word's first letters with the query are scored."""


class NameIndex:
    """Distinct normalised names, with their display forms, for prefix and fuzzy lookups.

    >>> idx = NameIndex({"toy story": "Toy Story", "heat": "Heat"})
    >>> idx.suggest("toy stroy")
    ['Toy Story']
    """

    def __init__(self, display_by_norm: dict[str, str]) -> None:
        self.display = display_by_norm
        self.sorted = sorted(display_by_norm)
        self.buckets: dict[str, np.ndarray] | None = None

    def prepare(self) -> None:
        """Build the word buckets of a big index. Services call it in the background once serving;
        until it is done, suggestions score every name (slower, same answers)."""
        if len(self.sorted) <= BUCKETED_ABOVE or self.buckets is not None:
            return
        members: dict[str, list[int]] = {}
        for i, name in enumerate(self.sorted):
            for word in set(name.split()):
                members.setdefault(word[:3], []).append(i)
        self.buckets = {key: np.asarray(found, dtype=np.int32) for key, found in members.items()}

    def _choices(self, norm: str) -> list[str]:
        """Names worth scoring: all of them, or for a big index those sharing a word's first three
        letters with the query, which keeps a suggestion to a few milliseconds."""
        if self.buckets is None:
            return self.sorted
        buckets = self.buckets
        parts = [buckets[w[:3]] for w in set(norm.split()) if w[:3] in buckets]
        if not parts:
            return []
        return [self.sorted[i] for i in np.unique(np.concatenate(parts)).tolist()]

    def __len__(self) -> int:
        return len(self.sorted)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """(start, end) in `sorted` of the names starting with `prefix`."""
        return bisect.bisect_left(self.sorted, prefix), bisect.bisect_left(self.sorted, prefix + "\U0010ffff")

    def with_prefix(self, prefix: str) -> list[str]:
        """Normalised names starting with `prefix`, in order."""
        start, end = self.prefix_range(prefix)
        return self.sorted[start:end]

    def close(self, norm: str, limit: int = SUGGESTIONS, cutoff: float = 60.0) -> list[tuple[str, float]]:
        """Up to `limit` (normalised name, score 0..100) pairs, best first."""
        if not norm or not self.sorted:
            return []
        found = process.extract(
            norm, self._choices(norm), scorer=fuzz.ratio, processor=None, limit=limit, score_cutoff=cutoff
        )
        partial = [] if len(norm) < 4 else self.with_prefix(norm)[:limit]
        merged: dict[str, float] = {name: 100.0 * len(norm) / max(len(name), 1) for name in partial}
        for name, score, _ in found:
            merged[name] = max(score, merged.get(name, 0.0))
        return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def suggest(self, norm: str, limit: int = SUGGESTIONS) -> list[str]:
        """Display forms of the closest names, for a NOT_FOUND message."""
        return [self.display[name] for name, _ in self.close(norm, limit)]


def quoted(names: Iterable[str]) -> str:
    """ "'A', 'B'" for an error message."""
    return ", ".join(repr(n) for n in names)
