"""The fast Polars parse of the nested Python-literal fields must equal ast.literal_eval."""

import ast
from pathlib import Path

import polars as pl
import pytest

from marquee_etl import literals

ROW = "__row"


def _fast_equals_ast(frame: pl.DataFrame, spec: literals.NestedSpec) -> tuple[int, list[int]]:
    """(rows checked, rows where the parse differs from ast.literal_eval)."""
    frame = frame.with_row_index(ROW)
    parsed = literals.parse_column(frame, spec, ROW)
    assert parsed.failed.height == 0
    keys = [k for k, _ in spec.keys]
    got: dict[int, list[dict[str, object]]] = {}
    for item in parsed.items.sort(ROW, "position").iter_rows(named=True):
        got.setdefault(item[ROW], []).append({k: item[k] for k in keys})
    differing = []
    for row, raw in frame.select(ROW, spec.column).iter_rows():
        if raw is None or not raw.strip():
            expected = []
        else:
            value = ast.literal_eval(raw)
            expected = value if spec.is_list else [value]
        if got.get(row, []) != expected:
            differing.append(row)
    return frame.height, differing


@pytest.mark.parametrize("spec", literals.MOVIE_SPECS, ids=lambda s: s.column)
def test_fast_parse_of_every_shared_movie_row_equals_literal_eval(shared_data: Path, spec: literals.NestedSpec) -> None:
    frame = pl.read_csv(shared_data / "movies_metadata.csv", infer_schema=False).select(spec.column)
    checked, differing = _fast_equals_ast(frame, spec)
    assert checked == 5000
    assert differing == []


@pytest.mark.parametrize("spec", literals.CREDIT_SPECS, ids=lambda s: s.column)
def test_fast_parse_of_every_shared_credit_row_equals_literal_eval(
    shared_data: Path, spec: literals.NestedSpec
) -> None:
    frame = pl.read_csv(shared_data / "credits.csv", infer_schema=False).select(spec.column)
    checked, differing = _fast_equals_ast(frame, spec)
    assert checked == 4999
    assert differing == []


def test_fast_path_takes_the_shared_rows_without_falling_back(shared_data: Path) -> None:
    frame = pl.read_csv(shared_data / "credits.csv", infer_schema=False).with_row_index(ROW)
    assert literals.parse_column(frame, literals.CAST, ROW).slow_rows == 0


def test_names_with_apostrophes_quotes_accents_and_commas_parse_exactly() -> None:
    raw = "[{'name': \"L'Atelier, Paris\", 'id': 1}, {'name': 'Say \"Hi\"', 'id': 2}, {'name': 'Ørnås & Co.', 'id': 3}]"
    frame = pl.DataFrame({ROW: [0], "production_companies": [raw]})
    parsed = literals.parse_column(frame, literals.COMPANIES, ROW)
    assert parsed.items.select("name", "id").rows() == [("L'Atelier, Paris", 1), ('Say "Hi"', 2), ("Ørnås & Co.", 3)]
    assert parsed.slow_rows == 0


def test_escaped_strings_fall_back_to_the_counted_slow_path() -> None:
    raw = "[{'id': 1, 'name': 'Tab\\there'}, {'id': 2, 'name': 'It\\'s \"both\"'}]"
    frame = pl.DataFrame({ROW: [0], "genres": [raw]})
    parsed = literals.parse_column(frame, literals.GENRES, ROW)
    assert parsed.slow_rows == 1
    assert parsed.items.select("id", "name").rows() == [(1, "Tab\there"), (2, 'It\'s "both"')]


def test_unreadable_values_are_reported_with_a_reason_not_dropped() -> None:
    frame = pl.DataFrame({ROW: [0, 1, 2], "genres": ["[{'id': 1, 'name': 'Drama'", "42", "[]"]})
    parsed = literals.parse_column(frame, literals.GENRES, ROW)
    assert parsed.failed[ROW].to_list() == [0, 1]
    assert "not a Python literal" in parsed.failed["detail"][0]
    assert parsed.items.height == 0


def test_collection_is_a_single_dict_and_none_paths_become_null() -> None:
    raw = "{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': None, 'backdrop_path': '/b.jpg'}"
    frame = pl.DataFrame({ROW: [0, 1], "belongs_to_collection": [raw, None]})
    parsed = literals.parse_column(frame, literals.COLLECTION, ROW)
    assert parsed.items.select(ROW, "id", "name", "poster_path", "backdrop_path").rows() == [
        (0, 10194, "Toy Story Collection", None, "/b.jpg")
    ]
