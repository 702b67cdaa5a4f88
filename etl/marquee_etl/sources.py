"""Find and read the raw Kaggle files: every column as text, plain or gzip-compressed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

MOVIES_NAMES = ("movies_metadata.csv", "movies_dataset.csv")
CREDITS_NAMES = ("credits.csv",)


class SourceError(Exception):
    """The raw folder lacks a file or a file cannot be read as CSV."""


@dataclass(frozen=True)
class Source:
    path: Path
    size: int


def find(raw_dir: Path, names: tuple[str, ...]) -> Source:
    """The first of `names` (or `name.gz`) present in `raw_dir`."""
    if not raw_dir.is_dir():
        raise SourceError(f"raw data folder {raw_dir} does not exist")
    for name in names:
        for candidate in (raw_dir / name, raw_dir / f"{name}.gz"):
            if candidate.is_file():
                return Source(candidate, candidate.stat().st_size)
    wanted = " or ".join(f"{n}[.gz]" for n in names)
    raise SourceError(f"{raw_dir} holds no {wanted}")


def read_text_csv(source: Source) -> pl.DataFrame:
    """Every column as text; casting is the cleaning step's job, row by row, with reasons.

    A file without data rows is refused here: every later step would fail on it, less clearly.
    """
    try:
        frame = pl.read_csv(source.path, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise SourceError(f"{source.path} has no data rows: the file is empty") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceError(f"cannot read {source.path} as CSV: {exc}") from exc
    if frame.select(pl.all_horizontal(pl.all().is_null()).all()).item():  # Polars reads a blank line as nulls
        raise SourceError(f"{source.path} has no data rows, only a header line")
    return frame
