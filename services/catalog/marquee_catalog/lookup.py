"""Finding rows without a scan: grouped by an integer key or by a normalised name, sorted once at load.

A request then touches only the rows it answers with; a name that is not there gets NOT_FOUND
with the closest names, the same words for every kind of name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from marquee_common.errors import NotFound
from marquee_common.fuzzy import NameIndex, quoted


class Groups:
    """`columns` of a table's rows grouped by an integer key, by binary search over sorted keys."""

    def __init__(self, frame: pl.DataFrame, key: str, order: Sequence[str], columns: Sequence[str]) -> None:
        ordered = frame.sort([key, *order])
        self.keys = ordered.get_column(key).to_numpy()
        self.frame = ordered.select(columns)

    def get(self, key: int, limit: int | None = None) -> list[tuple[Any, ...]]:
        start = int(np.searchsorted(self.keys, key, side="left"))
        end = int(np.searchsorted(self.keys, key, side="right"))
        if limit is not None:
            end = min(end, start + limit)
        return self.frame.slice(start, end - start).rows() if end > start else []


class NameGroups:
    """Rows of a table grouped by a normalised name column, via a dict of (offset, length)."""

    def __init__(
        self, frame: pl.LazyFrame, keep: Sequence[str], name: str = "name_norm", display: str = "name"
    ) -> None:
        ordered = frame.filter(pl.col(name) != "").collect()
        if not ordered.get_column(name).is_sorted():  # the pipeline writes the cast sorted already
            ordered = ordered.sort(name, multithreaded=False)
        column = ordered.get_column(name)
        norms = column.unique(maintain_order=True).to_list()
        counts = column.unique_counts().to_numpy().astype(np.int64)
        starts = np.cumsum(counts) - counts  # each group's first row (none for a table without rows)
        self.spans = dict(zip(norms, zip(starts.tolist(), counts.tolist(), strict=True), strict=True))
        shown = ordered.get_column(display).gather(starts).to_list()
        self.names = NameIndex(dict(zip(norms, shown, strict=True)))
        self.frame = ordered.select(keep)  # only what requests read; the names live in `self.names`

    def get(self, norm: str) -> pl.DataFrame | None:
        span = self.spans.get(norm)
        return None if span is None else self.frame.slice(span[0], span[1])


def unknown(message: str, names: NameIndex, norm: str) -> NotFound:
    """NOT_FOUND for a name `names` lacks: `message`, then the closest names, also as suggestions.

    >>> unknown("no company named 'Pixr'", NameIndex({"pixar": "Pixar"}), "pixr").message
    "no company named 'Pixr'; did you mean 'Pixar'?"
    """
    suggestions = names.suggest(norm)
    hint = f"; did you mean {quoted(suggestions)}?" if suggestions else ""
    return NotFound(message + hint, suggestions)
