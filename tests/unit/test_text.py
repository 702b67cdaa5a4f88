import csv
import sys
from pathlib import Path

import polars as pl
import pytest

from marquee_common.errors import InvalidQuery
from marquee_common.text import collection_key, normalize_text
from marquee_common.validation import require_text
from marquee_etl.text import collection_key as collection_key_expr
from marquee_etl.text import normalized

TRICKY = [
    "Léon: The Professional",
    "Amélie",
    "Sábado",
    "MIÉRCOLES",
    "Schindler's List",
    "WALL·E",
    "Æon Flux",
    "Ocean's Eleven",
    "  spaced   out  ",
    "8½",
    "Ｆｕｌｌ Ｗｉｄｔｈ",
    "Straße",
    "Ørnås",
    "İstanbul",
    "x_y-z",
    "Toy Story Collection",
    "collection",
    "Star Wars: The Collection",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Léon: The Professional", "leon the professional"),
        ("Sábado", "sabado"),
        ("MIÉRCOLES", "miercoles"),
        ("Schindler's List", "schindler s list"),
        ("  Toy   Story! ", "toy story"),
        ("x_y-z", "x y z"),
    ],
)
def test_normalize_text_ignores_case_accents_and_punctuation(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_collection_key_drops_a_trailing_collection_word() -> None:
    assert collection_key("Toy Story Collection") == collection_key("toy story") == "toy story"
    assert collection_key("Collection") == "collection"


def _shared_strings(shared: Path) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    frame = pl.read_csv(shared / "movies_metadata.csv", infer_schema=False)
    names = frame["title"].drop_nulls().to_list() + frame["overview"].drop_nulls().head(500).to_list()
    credits = pl.read_csv(shared / "credits.csv", infer_schema=False)
    found = credits["cast"].str.extract_all(r"'name': '[^']*'").explode().drop_nulls().str.slice(9).to_list()
    return names + found + TRICKY


def test_polars_twin_normalises_every_shared_title_and_name_like_python(shared_data: Path) -> None:
    strings = _shared_strings(shared_data)
    polars_side = pl.Series(strings).to_frame("s").select(normalized(pl.col("s")))["s"].to_list()
    mismatches = [
        (s, p, normalize_text(s)) for s, p in zip(strings, polars_side, strict=True) if p != normalize_text(s)
    ]
    assert not mismatches[:5]


def test_polars_twin_of_collection_key_agrees() -> None:
    polars_side = pl.Series(TRICKY).to_frame("s").select(collection_key_expr(pl.col("s")))["s"].to_list()
    assert polars_side == [collection_key(s) for s in TRICKY]


@pytest.mark.parametrize("bad", ["", "   ", "\t\n\u3000", "x" * 201])
def test_require_text_rejects_blank_and_overlong_input(bad: str) -> None:
    with pytest.raises(InvalidQuery):
        require_text(bad, "title")


@pytest.mark.parametrize("symbols", ["!!!", "©", "\u200b", " ¿? "])
def test_require_text_lets_symbol_only_input_through_as_a_name_that_matches_nothing(symbols: str) -> None:
    assert require_text(symbols, "title") == ""
