"""The assignment's cleaning rules, checked on the hand-made fixture (tests/fixtures/EXPECTED.md)."""

from datetime import date

import polars as pl
import pytest

from marquee_etl.clean import Cleaned, clean
from tests.harness import FIXTURE_RAW


@pytest.fixture(scope="module")
def cleaned() -> Cleaned:
    movies = pl.read_csv(FIXTURE_RAW / "movies_metadata.csv", infer_schema=False)
    credits = pl.read_csv(FIXTURE_RAW / "credits.csv", infer_schema=False)
    return clean(movies, credits)


def test_bad_rows_are_set_aside_with_their_reason(cleaned: Cleaned) -> None:
    got = sorted(cleaned.rejects.select("source", "row", "id", "reason").rows())
    assert got == sorted(
        [
            ("movies", 6, "6", "missing_release_date"),
            ("movies", 7, "2003-04-01", "invalid_id"),
            ("movies", 8, "1", "duplicate_id"),
            ("movies", 9, "9", "unparseable_genres"),
            ("movies", 11, "11", "invalid_release_date"),
            ("credits", 6, "6", "unknown_movie"),
            ("credits", 7, "1", "duplicate_id"),
            ("credits", 8, "10", "unparseable_cast"),
        ]
    )


def test_every_raw_row_is_either_kept_or_rejected(cleaned: Cleaned) -> None:
    movies = cleaned.tables["movies"]
    assert movies.height + cleaned.rejects.filter(pl.col("source") == "movies").height == 13
    assert sorted(movies["id"].to_list()) == [1, 2, 3, 4, 5, 10, 12, 13]


def test_duplicate_id_keeps_the_first_row(cleaned: Cleaned) -> None:
    assert cleaned.tables["movies"].filter(pl.col("id") == 1)["title"].to_list() == ["Alpha"]


def test_money_is_integer_nulls_become_zero_and_return_is_revenue_over_budget(cleaned: Cleaned) -> None:
    movies = cleaned.tables["movies"].sort("id")
    assert movies.schema["budget"] == pl.Int64 and movies.schema["revenue"] == pl.Int64
    got = {r["id"]: (r["budget"], r["revenue"], r["return"]) for r in movies.iter_rows(named=True)}
    assert got == {
        1: (100, 300, 3.0),
        2: (200, 100, 0.5),
        3: (0, 1000, 0.0),
        4: (0, 0, 0.0),
        5: (0, 0, 0.0),
        10: (0, 0, 0.0),
        12: (50, 100, 2.0),
        13: (0, 0, 0.0),
    }


def test_release_date_is_a_date_with_year_and_dropped_columns_are_gone(cleaned: Cleaned) -> None:
    movies = cleaned.tables["movies"]
    alpha = movies.filter(pl.col("id") == 1).row(0, named=True)
    assert alpha["release_date"] == date(2000, 1, 3) and alpha["release_year"] == 2000
    assert not {"video", "original_title", "homepage"} & set(movies.columns)
    assert {"imdb_id", "poster_path", "adult"} <= set(movies.columns)


def test_unnested_tables_keep_names_with_apostrophes_and_accents(cleaned: Cleaned) -> None:
    assert cleaned.tables["companies"].filter(pl.col("movie_id") == 3)["name"].to_list() == ["L'Atelier"]
    crew = cleaned.tables["crew"]
    assert set(crew.filter(pl.col("name_norm") == "carl diaz")["movie_id"].to_list()) == {1, 2, 5}
    cast = cleaned.tables["cast"]
    assert cast.filter(pl.col("name") == "Bob O'Neil").height == 3


def test_language_names_come_from_the_data_and_english(cleaned: Cleaned) -> None:
    languages = {
        r["iso_639_1"]: (r["name"], r["english_name"]) for r in cleaned.tables["languages"].iter_rows(named=True)
    }
    assert languages["fr"] == ("Français", "French")
    assert languages["es"] == ("Español", "Spanish")
