"""The catalog's core parts on their own: row lookups, page tokens, and no network code in the core."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from marquee_catalog.lookup import Groups, NameGroups, unknown
from marquee_catalog.page_tokens import make_page_token, read_page_token
from marquee_common.errors import InvalidQuery
from marquee_common.fuzzy import NameIndex


def test_groups_return_a_keys_rows_in_their_order_up_to_the_limit() -> None:
    frame = pl.DataFrame({"movie_id": [2, 1, 2, 2], "position": [2, 0, 0, 1], "name": ["c", "x", "a", "b"]})
    groups = Groups(frame, "movie_id", ["position"], ["name"])
    assert groups.get(2) == [("a",), ("b",), ("c",)]
    assert groups.get(2, limit=2) == [("a",), ("b",)]
    assert groups.get(3) == []


def test_name_groups_find_every_row_of_a_name_and_its_spelling() -> None:
    frame = pl.LazyFrame({"name_norm": ["leon", "", "amy", "leon"], "name": ["Léon", "?", "Amy", "Léon"],
                          "movie_id": [1, 2, 3, 4]})  # fmt: skip
    groups = NameGroups(frame, keep=["movie_id"])  # unsorted, as a table not written by the pipeline
    rows = groups.get("leon")
    assert rows is not None and sorted(rows["movie_id"].to_list()) == [1, 4]
    assert groups.names.display == {"amy": "Amy", "leon": "Léon"}
    assert groups.get("") is None and groups.get("bob") is None


def test_name_groups_of_a_table_without_rows_find_nothing() -> None:
    # A release whose films have no credits at all (new data without its credits file's films).
    frame = pl.LazyFrame({"name_norm": [], "name": [], "movie_id": []},
                         schema={"name_norm": pl.String, "name": pl.String, "movie_id": pl.Int64})  # fmt: skip
    groups = NameGroups(frame, keep=["movie_id"])
    assert groups.get("leon") is None and groups.names.display == {}


def test_an_unknown_name_suggests_the_closest_ones_only_when_there_are_any() -> None:
    names = NameIndex({"pixar": "Pixar"})
    close = unknown("no company named 'Pixr'", names, "pixr")
    assert (close.message, close.suggestions) == ("no company named 'Pixr'; did you mean 'Pixar'?", ["Pixar"])
    far = unknown("no company named 'Zzz'", names, "zzz")
    assert (far.message, far.suggestions) == ("no company named 'Zzz'", [])


def test_a_page_token_reads_back_only_with_its_own_query_and_year() -> None:
    token = make_page_token(20, "star wars", 1977)
    assert read_page_token(token, "star wars", 1977) == 20
    assert read_page_token("", "anything", None) == 0
    for norm, year in (("star trek", 1977), ("star wars", None), ("star wars", 1980)):
        with pytest.raises(InvalidQuery, match="belongs to another query"):
            read_page_token(token, norm, year)
    with pytest.raises(InvalidQuery, match="is not one this service issued"):
        read_page_token("bm9wZQ", "star wars", 1977)


def test_the_catalog_core_loads_without_grpc_or_protobuf() -> None:
    code = (
        "import sys, marquee_catalog.store, marquee_catalog.release; "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('grpc', 'google.protobuf', 'marquee.'))}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
