"""Find and read the raw Kaggle files: every column as text, plain or gzip-compressed."""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

MOVIES_NAMES = ("movies_metadata.csv", "movies_dataset.csv")
CREDITS_NAMES = ("credits.csv",)
GZIP_MAGIC = b"\x1f\x8b"


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

    A file without data rows, or whose last row is cut off, is refused here, in one line that
    names the file and the line: every later step would fail on it less clearly, or not at all.
    """
    try:
        frame = pl.read_csv(source.path, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise SourceError(f"{source.path} has no data rows: the file is empty") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceError(f"cannot read {source.path} as CSV: {_why_unreadable(source.path, exc)}") from exc
    if frame.select(pl.all_horizontal(pl.all().is_null()).all()).item():  # Polars reads a blank line as nulls
        raise SourceError(f"{source.path} has no data rows, only a header line")
    # Polars fills a short row's missing fields with nulls; only then can the last row be cut off.
    if frame.item(-1, -1) is None and (cut := _cut_last_row(source.path)):
        raise SourceError(f"cannot read {source.path} as CSV: {cut}")
    return frame


@dataclass
class _Scan:
    """What Python's csv module finds in a file; unlike Polars it knows each row's line number."""

    header: int = 0  # fields in the header
    problem: str | None = None  # the first thing wrong, as "line N: why"
    last_line: int = 0  # the line the last row starts on
    last_fields: int = 0
    ends_with_line_break: bool = True


class _Unreadable(Exception):
    """A problem below the CSV level: bytes that are not UTF-8, damaged or cut-off gzip data."""


def _why_unreadable(path: Path, exc: Exception) -> str:
    """The line and the reason Polars refused `path`; Polars' own message names no line and
    suggests settings (infer_schema_length, ...) that do not apply here."""
    try:
        problem = _scan(path).problem
    except OSError:
        problem = None
    return problem or str(exc).split("\n", 1)[0]


def _cut_last_row(path: Path) -> str | None:
    """`line N: ...` when the last row has too few fields and the file ends inside it.

    Short rows elsewhere are left to the cleaning step, which sets them aside with a reason:
    the original Kaggle file very likely has some (its misaligned films).
    """
    try:
        found = _scan(path)
    except OSError:
        return None
    if found.problem is None and not found.ends_with_line_break and 0 < found.last_fields < found.header:
        return (
            f"line {found.last_line}: {found.last_fields} fields where the header has {found.header} "
            "(the file ends in the middle of this row)"
        )
    return None


def _scan(path: Path) -> _Scan:
    """Read the whole file with the csv module, stopping at the first row Polars would refuse.

    Slow next to Polars, so it runs only once something is known to be wrong.
    """
    found = _Scan()
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a cast or crew field runs to hundreds of kilobytes
    lines = _lines(path, found)
    try:
        reader = csv.reader(lines, strict=True)
        start = 1  # the line the row being read starts on: a quoted field may span lines
        try:
            for row in reader:
                if row:  # not a blank line
                    if not found.header:
                        found.header = len(row)
                    elif len(row) > found.header:
                        found.problem = f"line {start}: {len(row)} fields where the header has {found.header}"
                        break
                    found.last_line, found.last_fields = start, len(row)
                start = reader.line_num + 1
        except csv.Error as exc:
            found.problem = _quote_problem(str(exc), start, reader.line_num)
        except _Unreadable as exc:
            found.problem = str(exc)
    finally:
        lines.close()
        csv.field_size_limit(limit)
    return found


def _lines(path: Path, found: _Scan) -> Generator[str]:
    """The file's lines as text, decompressed if need be and decoded one at a time, so that
    a byte that is not UTF-8 has a line number."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == GZIP_MAGIC
    with gzip.open(path, "rb") if gzipped else path.open("rb") as handle:
        try:
            for number, raw in enumerate(handle, 1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise _Unreadable(f"line {number}: not UTF-8 text") from None
                found.ends_with_line_break = text.endswith("\n")
                # Polars ends a line at "\n" only; the csv module would also end one at a lone "\r".
                body, end = (text[:-2], "\r\n") if text.endswith("\r\n") else (text, "")
                yield body.replace("\r", " ") + end
        except EOFError:
            raise _Unreadable("the gzip data ends early: the file is cut off") from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise _Unreadable(f"the gzip data is damaged ({exc})") from None


def _quote_problem(message: str, start: int, end: int) -> str:
    """The csv module's complaint about a row that starts on line `start` and broke on line `end`,
    said in terms of the file."""
    if "unexpected end of data" in message:
        return f"line {start}: a quoted field is not closed"
    if "expected after" in message:  # text after a closing quote
        if end > start:
            return f"line {start}: a quoted field is not closed (it runs on into line {end})"
        return f"line {start}: a closing quote is followed by more text"
    return f"line {start}: {message}"


def missing_by_column(frame: pl.DataFrame) -> dict[str, int]:
    """Rows per raw column that are empty or blank (every raw column is text), for the data report."""
    counts = frame.select(
        (pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")).sum().alias(name) for name in frame.columns
    )
    return {name: int(value) for name, value in counts.row(0, named=True).items()}
