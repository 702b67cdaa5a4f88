"""Parse the dataset's nested Python-literal fields with Polars expressions.

The Kaggle files hold lists of dicts written by Python's `repr`, e.g.
`[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': "Family's"}]`. Calling
`ast.literal_eval` on every row is what makes the usual pipeline slow, so the fast path
matches each dict with one regular expression built from the field's known key order, and
checks that the matches put back together give the whole original text. A value passes only
if that check holds, which makes the fast path exact for what it accepts: strings without a
backslash (quotes stripped, nothing to unescape), integers and `None`.

Values the fast path refuses (an escape inside a string, another key order) go through
`ast.literal_eval` one by one, a slow path that is counted; values neither can read are
reported so the caller can set the row aside with a reason.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

Kind = Literal["int", "str", "opt_str"]

_STR = r"""(?:'[^'\\]*'|"[^"\\]*")"""
_OPT_STR = r"""(?:None|'[^'\\]*'|"[^"\\]*")"""
_INT = r"-?\d+"
_VALUE = {"int": _INT, "str": _STR, "opt_str": _OPT_STR}
_DTYPE: dict[Kind, pl.DataType] = {"int": pl.Int64(), "str": pl.String(), "opt_str": pl.String()}


@dataclass(frozen=True)
class NestedSpec:
    """One nested column: its keys in the order Python wrote them, and whether it is a list."""

    column: str
    keys: tuple[tuple[str, Kind], ...]
    is_list: bool = True

    def item_pattern(self, capture: bool) -> str:
        """Regex for one dict; with `capture`, one group per key."""
        wrap = "({})" if capture else "(?:{})"
        fields = ", ".join(f"'{key}': " + wrap.format(_VALUE[kind]) for key, kind in self.keys)
        return r"\{" + fields + r"\}"

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {key: _DTYPE[kind] for key, kind in self.keys}


GENRES = NestedSpec("genres", (("id", "int"), ("name", "str")))
COMPANIES = NestedSpec("production_companies", (("name", "str"), ("id", "int")))
COUNTRIES = NestedSpec("production_countries", (("iso_3166_1", "str"), ("name", "str")))
SPOKEN_LANGUAGES = NestedSpec("spoken_languages", (("iso_639_1", "str"), ("name", "str")))
COLLECTION = NestedSpec(
    "belongs_to_collection",
    (("id", "int"), ("name", "str"), ("poster_path", "opt_str"), ("backdrop_path", "opt_str")),
    is_list=False,
)
CAST = NestedSpec(
    "cast",
    (
        ("cast_id", "int"),
        ("character", "str"),
        ("credit_id", "str"),
        ("gender", "int"),
        ("id", "int"),
        ("name", "str"),
        ("order", "int"),
        ("profile_path", "opt_str"),
    ),
)
CREW = NestedSpec(
    "crew",
    (
        ("credit_id", "str"),
        ("department", "str"),
        ("gender", "int"),
        ("id", "int"),
        ("job", "str"),
        ("name", "str"),
        ("profile_path", "opt_str"),
    ),
)
MOVIE_SPECS = (COLLECTION, GENRES, COMPANIES, COUNTRIES, SPOKEN_LANGUAGES)
CREDIT_SPECS = (CAST, CREW)


def fast_items(spec: NestedSpec) -> pl.Expr:
    """List of the raw dict texts in `spec.column` (empty for null or blank values)."""
    col = pl.col(spec.column)
    return (
        pl.when(col.is_null() | (col.str.strip_chars() == ""))
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(col.str.extract_all(spec.item_pattern(capture=False)))
    )


def fast_ok(spec: NestedSpec, items: str) -> pl.Expr:
    """True where the matched dicts rebuild the whole original text, so nothing was skipped."""
    col = pl.col(spec.column)
    blank = col.is_null() | (col.str.strip_chars() == "")
    joined = pl.col(items).list.join(", ")
    rebuilt = pl.lit("[") + joined + pl.lit("]") if spec.is_list else joined
    single_ok = pl.lit(True) if spec.is_list else (pl.col(items).list.len() == 1)
    return blank | ((rebuilt == col) & single_ok)


def _unquote(expr: pl.Expr, kind: Kind) -> pl.Expr:
    if kind == "int":
        return expr.cast(pl.Int64)
    text = expr.str.slice(1, expr.str.len_chars() - 2)
    if kind == "opt_str":
        return pl.when(expr == "None").then(pl.lit(None, dtype=pl.String)).otherwise(text)
    return text


def decode_items(spec: NestedSpec, item: str) -> tuple[pl.Expr, list[pl.Expr]]:
    """(groups, columns): `groups` splits the raw dict text in column `item` into a struct
    named `__groups` with one regex capture per key; `columns` turn it into typed columns."""
    groups = pl.col(item).str.extract_groups(spec.item_pattern(capture=True)).alias("__groups")
    fields = [
        _unquote(pl.col("__groups").struct.field(str(i + 1)), kind).alias(key)
        for i, (key, kind) in enumerate(spec.keys)
    ]
    return groups, fields


_SEPARATOR = ", '"


def splits_cleanly(spec: NestedSpec, item: str) -> pl.Expr:
    """True when the dict text holds the separator `, '` only between its keys.

    Items reaching here already matched the dict pattern, so with exactly one separator per
    key boundary no string value contains one, and splitting on it is exact. That split is
    several times faster than regex captures; the rare other items take the regex.
    """
    return pl.col(item).str.count_matches(_SEPARATOR, literal=True) == len(spec.keys) - 1


def split_items(spec: NestedSpec, item: str) -> list[pl.Expr]:
    """One typed column per key, by splitting `{'k1': v1, 'k2': v2}` on `, '` (see splits_cleanly)."""
    inner = pl.col(item).str.slice(2, pl.col(item).str.len_chars() - 3)  # drop "{'" and "}"
    parts = inner.str.split_exact(_SEPARATOR, len(spec.keys) - 1).alias("__parts")
    return [parts] + [
        _unquote(pl.col("__parts").struct.field(f"field_{i}").str.slice(len(key) + 3), kind).alias(key)
        for i, (key, kind) in enumerate(spec.keys)
    ]


def slow_parse(spec: NestedSpec, raw: str | None) -> list[dict[str, Any]]:
    """`ast.literal_eval` for the values the fast path refuses; ValueError when unreadable.

    >>> slow_parse(GENRES, "[{'id': 1, 'name': 'Drama\\\\n'}]")
    [{'id': 1, 'name': 'Drama\\n'}]
    """
    if raw is None or not raw.strip():
        return []
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"{spec.column} is not a Python literal: {exc.__class__.__name__}") from None
    entries = value if spec.is_list else [value]
    if value is None or (not spec.is_list and not isinstance(value, dict)) or not isinstance(entries, list):
        raise ValueError(f"{spec.column} is a {type(value).__name__}, not {'a list' if spec.is_list else 'a dict'}")
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError(f"{spec.column} holds a {type(entry).__name__}, not a dict")
        row = {}
        for key, kind in spec.keys:
            val = entry.get(key)
            if kind == "int" and not (isinstance(val, int) and not isinstance(val, bool)):
                raise ValueError(f"{spec.column}[{key!r}] is not an integer: {val!r}")
            if kind == "str" and not isinstance(val, str):
                raise ValueError(f"{spec.column}[{key!r}] is not a string: {val!r}")
            if kind == "opt_str" and not (val is None or isinstance(val, str)):
                raise ValueError(f"{spec.column}[{key!r}] is not a string or None: {val!r}")
            row[key] = val
        rows.append(row)
    return rows


@dataclass
class Parsed:
    """One nested column unnested: `items` has `row_key`, `position` and one column per key."""

    items: pl.DataFrame
    slow_rows: int
    failed: pl.DataFrame  # row_key, detail


def parse_column(frame: pl.DataFrame, spec: NestedSpec, row_key: str) -> Parsed:
    """Unnest `spec.column` of `frame`: one output row per dict, keyed by `row_key`."""
    return parse_columns(frame, (spec,), row_key)[spec.column]


def parse_columns(frame: pl.DataFrame, specs: Sequence[NestedSpec], row_key: str) -> dict[str, Parsed]:
    """Unnest each of `specs` from `frame`, the columns side by side on every core.

    The fast path handles what it can; the rest go through `slow_parse`, counted. Rows
    neither can read come back in `failed` with the reason.
    """
    checked = pl.collect_all(
        [
            frame.lazy()
            .select(pl.col(row_key), pl.col(spec.column), fast_items(spec).alias("__items"))
            .with_columns(fast_ok(spec, "__items").alias("__ok"))
            for spec in specs
        ]
    )
    fast = pl.collect_all([_decode_fast(done, spec, row_key) for done, spec in zip(checked, specs, strict=True)])
    return {
        spec.column: _with_slow_path(frame, spec, row_key, done, items)
        for spec, done, items in zip(specs, checked, fast, strict=True)
    }


def _decode_fast(checked: pl.DataFrame, spec: NestedSpec, row_key: str) -> pl.LazyFrame:
    items = (
        checked.lazy()
        .filter(pl.col("__ok"))
        .select(pl.col(row_key), pl.col("__items"))
        .explode("__items")
        .filter(pl.col("__items").is_not_null())
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int32).over(row_key).alias("position"),
            splits_cleanly(spec, "__items").alias("__clean"),
        )
    )
    parts, *split_fields = split_items(spec, "__items")
    by_split = items.filter(pl.col("__clean")).with_columns(parts).select(row_key, "position", *split_fields)
    groups, regex_fields = decode_items(spec, "__items")
    by_regex = items.filter(~pl.col("__clean")).with_columns(groups).select(row_key, "position", *regex_fields)
    return pl.concat([by_split, by_regex]).sort(row_key, "position")


def _with_slow_path(
    frame: pl.DataFrame, spec: NestedSpec, row_key: str, checked: pl.DataFrame, fast: pl.DataFrame
) -> Parsed:
    """Add the rows the fast path refused, read one by one by `ast.literal_eval` (few rows)."""
    slow_input = checked.filter(~pl.col("__ok")).select(row_key, spec.column)
    slow_rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for key, raw in slow_input.iter_rows():
        try:
            parsed = slow_parse(spec, raw)
        except ValueError as exc:
            failures.append({row_key: key, "detail": str(exc)})
            continue
        slow_rows.extend({row_key: key, "position": pos, **entry} for pos, entry in enumerate(parsed))
    schema = {row_key: frame.schema[row_key], "position": pl.Int32(), **spec.schema}
    slow = pl.DataFrame(slow_rows, schema=schema, orient="row") if slow_rows else pl.DataFrame(schema=schema)
    items = pl.concat([fast, slow]).sort(row_key, "position") if slow_rows else fast
    failed = pl.DataFrame(failures, schema={row_key: frame.schema[row_key], "detail": pl.String()})
    return Parsed(items=items, slow_rows=slow_input.height - len(failures), failed=failed)
