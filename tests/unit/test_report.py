"""The data report's parts on small hand-made tables: each figure, the drift measures, the flags, the page.

Expected values are counted by hand from the tables each test writes.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from marquee_etl.report import figures, page
from marquee_etl.report.compare import ReportSettings, compare, compare_figures, films_changed, ks, psi


def _movies(rows: list[tuple[int, str, date, int, int, int]]) -> pl.DataFrame:
    """(id, title, release date, budget, revenue, vote count) -> a movies table shaped as the pipeline's."""
    ids, titles, dates, budgets, revenues, votes = (list(c) for c in zip(*rows, strict=True))
    return pl.DataFrame(
        {
            "id": ids,
            "title": titles,
            "release_date": dates,
            "budget": budgets,
            "revenue": revenues,
            "vote_count": votes,
        },
        schema={
            "id": pl.Int64,
            "title": pl.String,
            "release_date": pl.Date,
            "budget": pl.Int64,
            "revenue": pl.Int64,
            "vote_count": pl.Int64,
        },
    ).with_columns(  # fmt: skip
        pl.col("release_date").dt.year().cast(pl.Int32).alias("release_year"),
        pl.col("release_date").dt.month().cast(pl.Int8).alias("release_month"),
        pl.col("release_date").dt.weekday().cast(pl.Int8).alias("release_weekday"),
        pl.when((pl.col("budget") > 0) & (pl.col("revenue") > 0))
        .then(pl.col("revenue") / pl.col("budget"))
        .otherwise(0.0)
        .alias("return"),
        pl.lit(90.0).alias("runtime"),
        pl.lit(6.5).alias("vote_average"),
        pl.lit(1.5).alias("popularity"),
        pl.lit("en").alias("original_language"),
        pl.lit(None, pl.Int64).alias("collection_id"),
    )


MOVIES = _movies([
    # 2024-01-01 is a Monday, 2024-01-05 a Friday
    (1, "Alpha", date(2024, 1, 1), 10, 40, 100),
    (2, "Beta", date(2024, 1, 5), 20, 10, 50),
    (3, "Gamma", date(2023, 3, 5), 0, 0, 0),  # a Sunday
    (4, "Delta", date(2024, 3, 8), 5, 50, 7),  # a Friday
])  # fmt: skip


def _credits() -> tuple[pl.DataFrame, pl.DataFrame]:
    cast = pl.DataFrame({
        "movie_id": [1, 2, 4, 1, 2],
        "position": [0, 0, 0, 1, 1],
        "person_id": [10, 10, 10, 11, 11],
        "name": ["Ann Lee", "Ann Lee", "Ann Lee", "Bo Diaz", "Bo Diaz"],
        "name_norm": ["ann lee", "ann lee", "ann lee", "bo diaz", "bo diaz"],
    })  # fmt: skip
    crew = pl.DataFrame({
        "movie_id": [4, 1, 2],
        "position": [0, 0, 0],
        "person_id": [10, 12, 12],
        "name": ["Ann Lee", "Cy Roe", "Cy Roe"],
        "name_norm": ["ann lee", "cy roe", "cy roe"],
        "job": ["Director", "Director", "Director"],
    })  # fmt: skip
    return cast, crew


def _tables() -> dict[str, pl.DataFrame]:
    cast, crew = _credits()
    companies = pl.DataFrame({
        "movie_id": [1, 2, 3, 4, 1],
        "position": [0, 0, 0, 0, 1],
        "company_id": [7, 7, 8, 7, 8],
        "name": ["Seven Films", "Seven Films", "Eight", "Seven Films", "Eight"],
    })  # fmt: skip
    genres = pl.DataFrame({"movie_id": [1, 2, 4], "position": [0, 0, 0], "name": ["Drama", "Drama", "Comedy"]})
    return {
        "movies": MOVIES,
        "genres": genres,
        "companies": companies,
        "countries": pl.DataFrame({"movie_id": [1], "position": [0], "iso_3166_1": ["FR"], "name": ["France"]}),
        "languages": pl.DataFrame({"iso_639_1": ["en"], "english_name": ["English"]}),
        "collections": pl.DataFrame(
            {"collection_id": [], "name": []}, schema={"collection_id": pl.Int64, "name": pl.String}
        ),  # fmt: skip
        "cast": cast,
        "crew": crew,
        "rejects": pl.DataFrame(
            {
                "source": ["movies", "movies", "movies"],
                "row": [9, 3, 5],
                "id": ["x", "3", "3"],
                "reason": ["bad_id", "duplicate_id", "duplicate_id"],
                "detail": ["id 'x'", "again", "again"],
            }
        ),  # fmt: skip
    }


def test_films_per_month_and_weekday_are_counted_as_the_catalog_counts_them() -> None:
    dates = figures.date_figures(MOVIES)
    assert [m["films"] for m in dates["per_month"]] == [2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert dates["per_month"][0]["name"] == "enero"
    assert [d["films"] for d in dates["per_weekday"]] == [1, 0, 0, 0, 2, 0, 1]  # Monday first
    assert dates["per_year"] == {"2023": 1, "2024": 3}


def test_rejects_are_counted_by_reason_with_their_first_rows() -> None:
    found = figures.input_figures(_tables(), {"rows_in": {"movies": 7}, "rows_kept": {"movies": 4}})
    assert found["rejected_by_reason"] == {"movies.duplicate_id": 2, "movies.bad_id": 1}
    assert [r["row"] for r in found["reject_examples"]["movies.duplicate_id"]] == [3, 5]


def test_top_companies_count_each_film_once_most_first() -> None:
    top = figures.category_figures(_tables())["top"]["production_companies"]
    assert top == [{"name": "Seven Films", "films": 3}, {"name": "Eight", "films": 2}]


def test_director_and_actor_returns_follow_the_catalogs_answers() -> None:
    people = figures.people_figures(_tables())
    # Cy Roe directed 1 (return 4.0) and 2 (0.5); Ann Lee directed 4 (return 10.0).
    directors = {d["name"]: d for d in people["top_directors"]}
    assert directors["Cy Roe"] == {"name": "Cy Roe", "films": 2, "total_return": 4.5, "average_return": 2.25}
    # Ann Lee acted in 1, 2 and 4, but directed 4: the actor answer leaves 4 out.
    actors = {a["name"]: a for a in people["top_actors"]}
    assert actors["Ann Lee"] == {"name": "Ann Lee", "films": 2, "total_return": 4.5, "average_return": 2.25}
    assert actors["Bo Diaz"]["films"] == 2
    assert people["cast_size"]["films_with_any"] == 3 and people["cast_size"]["films_without"] == 1


def test_numbers_count_zeros_apart_and_list_the_largest() -> None:
    budget = figures.number_figures(MOVIES, "budget")
    assert budget["zeros"] == 1 and budget["zero_share"] == 0.25 and budget["missing"] == 0
    assert budget["known"]["films"] == 3 and budget["known"]["median"] == 10.0
    assert [r["id"] for r in budget["largest"][:2]] == [2, 1]
    assert sum(budget["histogram"]["counts"]) == 3  # log scale: the zero is left out


def test_psi_is_zero_for_the_same_data_and_grows_with_the_shift() -> None:
    rng = np.random.default_rng(1)
    old = rng.lognormal(10, 1, 5000)
    assert psi(old, old.copy()) == pytest.approx(0.0)
    small, large = psi(old, old * 1.1), psi(old, old * 3)
    assert 0 < small < 0.1 < 0.25 < large


def test_psi_matches_the_formula_worked_by_hand() -> None:
    old = np.arange(1.0, 11.0)  # deciles cut 1..10 into ten bins of one value each
    new = np.array([1.0] * 5 + [10.0] * 5)
    expected = 2 * (0.5 - 0.1) * math.log(0.5 / 0.1) + 8 * (1e-4 - 0.1) * math.log(1e-4 / 0.1)
    assert psi(old, new) == pytest.approx(expected)


def test_ks_statistic_is_the_largest_gap_between_the_cumulative_shares() -> None:
    d, p = ks(np.array([1.0, 2, 3, 4]), np.array([3.0, 4, 5, 6]))
    assert d == 0.5 and 0 < p < 1
    assert ks(np.array([1.0, 2, 3]), np.array([1.0, 2, 3])) == (0.0, 1.0)


def test_flags_follow_the_documented_thresholds() -> None:
    old = {"dates": {"per_year": {"2000": 100, "2001": 100}}, "numbers": {"budget": {"known": {"median": 10.0}}},
           "model": {"quality": {"collection_hit_at_5": 0.90}},
           "categories": {"top": {"genres": [{"name": "Drama", "films": 50}, {"name": "Noir", "films": 3}]}},
           "input": {"rejected_by_reason": {}}}  # fmt: skip
    new = {"dates": {"per_year": {"2000": 109, "2001": 120, "2002": 5}},
           "numbers": {"budget": {"known": {"median": 10.5}}},
           "model": {"quality": {"collection_hit_at_5": 0.885}},
           "categories": {"top": {"genres": [{"name": "Drama", "films": 50}]}},
           "input": {"rejected_by_reason": {"movies.bad_id": 12}}}  # fmt: skip
    rows = {r["figure"]: r for r in compare_figures(old, new, ReportSettings())}
    assert not rows["dates.per_year.2000"]["flagged"]  # +9%: under 10%
    assert rows["dates.per_year.2001"]["flagged"]  # +20%, and 20 films
    assert not rows["dates.per_year.2002"]["flagged"]  # new year, but 5 films: under the count floor
    assert rows["dates.per_year.2002"]["old"] == 0
    assert not rows["numbers.budget.known.median"]["flagged"]  # +5%
    assert rows["model.quality.collection_hit_at_5"]["flagged"]  # -0.015: past 0.01
    assert rows["model.quality.collection_hit_at_5"]["change"] == pytest.approx(-0.015)
    assert not rows["categories.top.genres[Noir].films"]["flagged"]  # left the top list: not a change in itself
    assert rows["input.rejected_by_reason.movies.bad_id"]["flagged"]  # 0 -> 12 rows set aside
    tighter = {r["figure"]: r for r in compare_figures(old, new, ReportSettings(figure_change=0.05, count_floor=5))}
    assert tighter["dates.per_year.2000"]["flagged"] and tighter["dates.per_year.2002"]["flagged"]


def test_films_added_removed_and_changed() -> None:
    new = pl.concat([MOVIES.filter(pl.col("id") != 3), _movies([(9, "Nu", date(2020, 1, 1), 1, 1, 1)])])
    new = new.with_columns(pl.when(pl.col("id") == 1).then(999).otherwise(pl.col("budget")).alias("budget"))
    found = films_changed(MOVIES, new)
    assert (found["added"], found["removed"], found["kept"], found["changed"]) == (1, 1, 3, 1)
    assert found["changed_by_field"] == {"budget": 1}
    assert found["added_examples"][0]["id"] == 9 and found["removed_examples"][0]["id"] == 3


def test_the_page_is_self_contained_and_every_plot_is_titled_and_explained(tmp_path: Path) -> None:
    tables = _tables()
    manifest = {"version": "v2", "rows_in": {"movies": 7, "credits": 4}, "rows_kept": {"movies": 4, "credits": 4},
                "missing_by_column": {"movies": {"budget": 1, "title": 0}, "credits": {"cast": 0}}}  # fmt: skip
    found = figures.compute(tables, manifest, tmp_path)
    old = {**found, "release": {**found["release"], "version": "v1"}}
    shifted = MOVIES.with_columns(pl.col("budget") * 4)
    changes = compare(old, found, shifted, MOVIES, ReportSettings())
    html = page.render(found, changes)
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from elsewhere
    assert "@import" not in html and "url(http" not in html
    svgs = re.findall(r"<figure><p class=caption id='([^']+)-title'>([^<]+)</p><svg [^>]*aria-labelledby=\"\1-title\"",
                      html)  # fmt: skip
    assert len(svgs) == html.count("<svg ") > 10
    assert all(sentence.strip() for _, sentence in svgs)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # the plots' ids do not clash
    assert "What changed" in html and "v1" in html and "drift" in html.lower()
    assert changes["drift"]["budget"]["flag"] == "drift"  # every budget x4
