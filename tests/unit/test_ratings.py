"""MovieLens ratings: which files are read, and every bad row set aside with its reason, on hand-written files."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from marquee_etl.ratings import RatingsSettings, find_ratings, read_ratings
from marquee_etl.sources import SourceError

LINKS = "movieId,imdbId,tmdbId\n1,0114709,862\n2,0113497,8844\n3,0113228,\n4,0114885,999\n"
# Films of the release: 862 and 8844 (movieId 1 and 2). Line numbers are the file's (header = 1).
RATINGS = (
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,100\n"  # line 2: kept
    "1,2,oops,101\n"  # line 3: malformed
    "1,7,3.0,102\n"  # line 4: no_link (7 not in links)
    "1,3,3.0,103\n"  # line 5: no_link (empty tmdbId)
    "1,4,3.0,104\n"  # line 6: unknown_film (999 not a film)
    "2,1,5.5,105\n"  # line 7: rating_out_of_range
    "2,2,2.0,300\n"  # line 8: kept (latest of user 2's ratings of 8844)
    "2,2,4.5,200\n"  # line 9: repeated (older)
    "3,1,1.0,50\n"  # line 10: repeated (same time as line 11, earlier line)
    "3,1,3.5,50\n"  # line 11: kept (same time, later line)
)
FILMS = pl.Series([862, 8844])


def _raw(tmp_path: Path, names: dict[str, str], gz: bool = False) -> Path:
    for name, text in names.items():
        if gz:
            (tmp_path / f"{name}.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("gz", [False, True])
def test_each_bad_row_is_set_aside_with_its_reason_and_the_rest_kept(tmp_path: Path, gz: bool) -> None:
    raw = _raw(tmp_path, {"ratings_small.csv": RATINGS, "links_small.csv": LINKS}, gz)
    found = find_ratings(raw)
    assert found is not None and found.ratings.path.name == "ratings_small.csv" + (".gz" if gz else "")
    rated = read_ratings(found, FILMS)
    assert rated.kept.rows() == [(1, 862, 4.0, 100), (2, 8844, 2.0, 300), (3, 862, 3.5, 50)]
    assert rated.rejects.select("row", "reason").rows() == [
        (3, "malformed"), (4, "no_link"), (5, "no_link"), (6, "unknown_film"), (7, "rating_out_of_range"),
        (9, "repeated"), (10, "repeated"),
    ]  # fmt: skip
    entry = rated.entry([])
    assert entry["rows_in"] == 10 and entry["rows_kept"] == 3
    assert entry["rejects_by_reason"] == {"malformed": 1, "no_link": 2, "unknown_film": 1,
                                          "rating_out_of_range": 1, "repeated": 2}  # fmt: skip
    assert entry["users"] == 3 and entry["films_rated"] == 2
    assert rated.rejects.filter(pl.col("row") == 6).select("user_id", "movie_id", "tmdb_id").row(0) == (1, 4, 999)


def test_the_full_pair_wins_over_the_small_one(tmp_path: Path) -> None:
    raw = _raw(tmp_path, {"ratings_small.csv": RATINGS, "links_small.csv": LINKS, "ratings.csv": RATINGS,
                          "links.csv": LINKS})  # fmt: skip
    found = find_ratings(raw)
    assert found is not None and (found.ratings.path.name, found.links.path.name) == ("ratings.csv", "links.csv")
    small = find_ratings(raw, "small")
    assert small is not None and small.ratings.path.name == "ratings_small.csv"


def test_no_ratings_files_and_the_none_setting_read_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_ratings(tmp_path) is None
    raw = _raw(tmp_path, {"ratings_small.csv": RATINGS, "links_small.csv": LINKS})
    monkeypatch.setenv("MARQUEE_RATINGS", "none")
    assert RatingsSettings.from_env().ratings == "none"
    assert find_ratings(raw, RatingsSettings.from_env().ratings) is None


def test_a_ratings_file_without_its_links_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"not links_small\.csv"):
        find_ratings(_raw(tmp_path, {"ratings_small.csv": RATINGS}))
    (tmp_path / "ratings_small.csv").unlink()
    (tmp_path / "links.csv").write_text(LINKS)
    with pytest.raises(SourceError, match=r"not ratings\.csv"):
        find_ratings(tmp_path)


def test_asking_for_a_pair_that_is_absent_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceError, match="MARQUEE_RATINGS=full"):
        find_ratings(_raw(tmp_path, {"ratings_small.csv": RATINGS, "links_small.csv": LINKS}), "full")
    monkeypatch.setenv("MARQUEE_RATINGS", "some")
    with pytest.raises(ValueError, match="MARQUEE_RATINGS='some'"):
        RatingsSettings.from_env()
