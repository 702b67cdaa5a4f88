"""`python -m marquee_etl` as a user runs it: inputs, manifest, summary, failures."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from tests.harness import FIXTURE_RAW, ROOT, build_release, etl


def _raw_copy(tmp_path: Path) -> Path:
    """A raw folder holding the fixture's two files, for a test to damage one of them."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("movies_metadata.csv", "credits.csv"):
        shutil.copy(FIXTURE_RAW / name, raw / name)
    return raw


def _assert_failed_reading(result: subprocess.CompletedProcess[str], message: str) -> None:
    """The run stopped while reading its input: status 2 and, after the step's first line, exactly `message`."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert result.stderr == f"[1/4] reading CSV as text ...\nmarquee_etl: error: {message}\n"


def test_manifest_records_inputs_counts_and_rejects_by_reason(fixture_data_dir: Path) -> None:
    folder = (fixture_data_dir / "current").resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    movies_csv = FIXTURE_RAW / "movies_metadata.csv"
    assert manifest["inputs"]["movies"] == {
        "name": "movies_metadata.csv",
        "bytes": movies_csv.stat().st_size,
        "sha256": hashlib.sha256(movies_csv.read_bytes()).hexdigest(),
    }
    assert manifest["rows_in"] == {"movies": 13, "credits": 8}
    assert manifest["rows_kept"] == {"movies": 8, "credits": 5}
    assert manifest["rejects_by_reason"] == {
        "credits.duplicate_id": 1,
        "credits.unknown_movie": 1,
        "credits.unparseable_cast": 1,
        "movies.duplicate_id": 1,
        "movies.invalid_id": 1,
        "movies.invalid_release_date": 1,
        "movies.missing_release_date": 1,
        "movies.unparseable_genres": 1,
    }
    assert manifest["tables"]["movies"]["rows"] == 8 and manifest["tables"]["rejects"]["rows"] == 8
    assert manifest["version"] == folder.name and manifest["code_version"]
    assert pl.read_parquet(folder / "rejects.parquet").height == 8


def test_gzip_inputs_and_the_movies_dataset_name_are_accepted(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "movies_dataset.csv.gz").write_bytes(gzip.compress((FIXTURE_RAW / "movies_metadata.csv").read_bytes()))
    shutil.copy(FIXTURE_RAW / "credits.csv", raw / "credits.csv")
    folder = build_release(raw, tmp_path / "out")
    assert pl.read_parquet(folder / "movies.parquet").height == 8


def test_the_bundled_sample_is_the_default_input_and_env_vars_set_the_folders(tmp_path: Path) -> None:
    result = etl(MARQUEE_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "current" / "manifest.json").read_text())
    assert manifest["inputs"]["movies"]["name"] == "movies_metadata.csv.gz"
    assert manifest["rows_in"] == {"movies": 5000, "credits": 6}
    assert (ROOT / "data" / "sample" / "credits.csv.gz").is_file()


def test_progress_and_a_summary_are_printed(tmp_path: Path) -> None:
    result = etl("--raw", str(FIXTURE_RAW), "--out", str(tmp_path))
    assert "[1/4] reading CSV as text ..." in result.stderr
    assert "model: recall" in result.stderr
    assert "rows in:   movies       13   credits        8" in result.stdout
    assert "movies.invalid_id" in result.stdout and "total" in result.stdout


def test_a_failed_run_leaves_the_previous_release_current(tmp_path: Path) -> None:
    first = build_release(FIXTURE_RAW, tmp_path)
    raw = tmp_path / "incomplete"
    raw.mkdir()
    shutil.copy(FIXTURE_RAW / "movies_metadata.csv", raw)
    result = etl("--raw", str(raw), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "holds no credits.csv" in result.stderr
    assert (tmp_path / "current").resolve() == first
    assert [p.name for p in (tmp_path / "releases").iterdir()] == [first.name]


def test_a_file_without_the_kaggle_columns_is_refused_with_a_reason(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "movies_metadata.csv").write_text("a,b\n1,2\n")
    shutil.copy(FIXTURE_RAW / "credits.csv", raw)
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "lacks the column(s)" in result.stderr


def test_skip_model_writes_the_catalog_tables_only(tmp_path: Path) -> None:
    result = etl("--raw", str(FIXTURE_RAW), "--out", str(tmp_path), "--skip-model")
    assert result.returncode == 0, result.stderr
    folder = (tmp_path / "current").resolve()
    assert (folder / "movies.parquet").is_file() and not (folder / "model").exists()
    assert "model" not in json.loads((folder / "manifest.json").read_text())


def test_an_output_folder_under_a_file_is_refused_before_any_input_is_read(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder\n")
    out = blocker / "sub"
    result = etl("--raw", str(FIXTURE_RAW), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    # the whole of stderr: no step was started, so nothing was read
    expected = f"marquee_etl: error: cannot write to the data folder {out}: {blocker} is a file, not a folder"
    assert result.stderr == expected + "\n"
    assert blocker.read_text() == "a file, not a folder\n"


def test_a_data_folder_that_is_a_file_is_refused_before_any_input_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("")
    result = etl("--raw", str(FIXTURE_RAW), MARQUEE_DATA_DIR=str(data))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    expected = f"marquee_etl: error: cannot write to the data folder {data}: {data} is a file, not a folder"
    assert result.stderr == expected + "\n"


def test_a_file_that_cannot_be_opened_in_the_data_folder_is_named_in_one_line(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.mkdir()  # a folder where the history file should be: opening it fails, as root too
    result = etl("releases", "--out", str(tmp_path), "rollback")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == f"marquee_etl: error: {history}: Is a directory\n"


@pytest.mark.parametrize(
    ("name", "blank_lines"),
    [("movies_metadata.csv", ""), ("credits.csv", ""), ("movies_metadata.csv", "\n\n")],
    ids=["movies", "credits", "movies-and-blank-lines"],
)
def test_a_file_with_only_its_header_line_is_refused_for_having_no_data_rows(
    tmp_path: Path, name: str, blank_lines: str
) -> None:
    raw = _raw_copy(tmp_path)
    header = (FIXTURE_RAW / name).read_text(encoding="utf-8").splitlines(keepends=True)[0]
    (raw / name).write_text(header + blank_lines, encoding="utf-8")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"{raw / name} has no data rows, only a header line")


@pytest.mark.parametrize("name", ["movies_metadata.csv", "credits.csv"], ids=["movies", "credits"])
def test_an_empty_file_is_refused_for_having_no_data_rows(tmp_path: Path, name: str) -> None:
    raw = _raw_copy(tmp_path)
    (raw / name).write_bytes(b"")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"{raw / name} has no data rows: the file is empty")


def _fixture_lines(name: str) -> list[str]:
    """The fixture file's lines, each with its line break; none of its fields spans two lines."""
    return (FIXTURE_RAW / name).read_text(encoding="utf-8").splitlines(keepends=True)


# Line 4 of movies_metadata.csv (the third film, "Le Café") cut at two places: inside the quoted
# overview, and inside the unquoted imdb_id, which leaves 7 fields: False, (empty), 0, genres, homepage, 3, tt00000.
CUT_IN_QUOTES = (
    """False,,0,"[{'id': 18, 'name': 'Drama'}]",http://example.org/3,3,tt0000003,fr,Le Café,"Overview of Le Ca"""
)
CUT_UNQUOTED = """False,,0,"[{'id': 18, 'name': 'Drama'}]",http://example.org/3,3,tt00000"""


def test_a_last_row_cut_inside_a_quoted_field_is_reported_with_its_line(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "movies_metadata.csv"
    path.write_text("".join(_fixture_lines("movies_metadata.csv")[:3]) + CUT_IN_QUOTES, encoding="utf-8")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"cannot read {path} as CSV: line 4: a quoted field is not closed")


def test_a_row_cut_in_a_gzip_file_is_reported_with_its_line(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    (raw / "credits.csv").unlink()
    path = raw / "credits.csv.gz"
    lines = _fixture_lines("credits.csv")
    # line 4 is cut inside its quoted cast field
    path.write_bytes(gzip.compress(("".join(lines[:3]) + lines[3][:60]).encode()))
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"cannot read {path} as CSV: line 4: a quoted field is not closed")


def test_a_quote_left_open_before_the_last_row_is_reported_where_its_row_starts(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "movies_metadata.csv"
    lines = _fixture_lines("movies_metadata.csv")
    path.write_text("".join(lines[:3]) + CUT_IN_QUOTES + "\n" + "".join(lines[4:]), encoding="utf-8")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    # the quote opened on line 4 is closed by the first quote of line 5, which text follows
    _assert_failed_reading(
        result, f"cannot read {path} as CSV: line 4: a quoted field is not closed (it runs on into line 5)"
    )


def test_a_last_row_cut_outside_quotes_is_reported_with_its_fields(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "movies_metadata.csv"
    path.write_text("".join(_fixture_lines("movies_metadata.csv")[:3]) + CUT_UNQUOTED, encoding="utf-8")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    why = "line 4: 7 fields where the header has 24 (the file ends in the middle of this row)"
    _assert_failed_reading(result, f"cannot read {path} as CSV: {why}")


def test_a_row_with_more_fields_than_the_header_is_reported_with_its_line(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "movies_metadata.csv"
    lines = _fixture_lines("movies_metadata.csv")
    lines[2] = lines[2].rstrip("\n") + ",one too many\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"cannot read {path} as CSV: line 3: 25 fields where the header has 24")


def test_a_line_that_is_not_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "movies_metadata.csv"
    lines = [line.encode() for line in _fixture_lines("movies_metadata.csv")]
    lines[5] = lines[5].replace(b"Overview", b"Overview \xff")
    path.write_bytes(b"".join(lines))
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"cannot read {path} as CSV: line 6: not UTF-8 text")


def test_a_cut_off_gzip_file_is_reported_as_cut_off(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    (raw / "credits.csv").unlink()
    path = raw / "credits.csv.gz"
    whole = gzip.compress((FIXTURE_RAW / "credits.csv").read_bytes())
    path.write_bytes(whole[: len(whole) // 2])
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"cannot read {path} as CSV: the gzip data ends early: the file is cut off")


def test_a_short_row_before_the_end_is_set_aside_with_a_reason_not_refused(tmp_path: Path) -> None:
    """Only a short last row is refused: the original Kaggle file's 3 misaligned films very likely read
    as short rows (pandas shows their last 9 fields empty), and that file must still be read."""
    raw = _raw_copy(tmp_path)
    lines = _fixture_lines("movies_metadata.csv")
    lines[3] = CUT_UNQUOTED + "\n"
    (raw / "movies_metadata.csv").write_text("".join(lines), encoding="utf-8")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"), "--skip-model")
    assert result.returncode == 0, result.stderr
    rejects = pl.read_parquet(tmp_path / "out" / "current" / "rejects.parquet")
    assert rejects.filter(pl.col("source") == "movies", pl.col("row") == 3)["reason"].to_list() == [
        "missing_release_date"
    ]


def test_a_file_whose_every_film_is_set_aside_is_one_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = (FIXTURE_RAW / "movies_metadata.csv").read_text(encoding="utf-8").splitlines()
    # The fixture's first film (id 1, Alpha) with a word for its id: the only row, and an invalid one.
    (raw / "movies_metadata.csv").write_text(lines[0] + "\n" + lines[1].replace(",1,tt0000001,", ",one,tt0000001,")
                                             + "\n", encoding="utf-8")  # fmt: skip
    shutil.copy(FIXTURE_RAW / "credits.csv", raw / "credits.csv")
    result = etl("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"marquee_etl: error: no film of {raw / 'movies_metadata.csv'} could be kept: "
        "its 1 row(s) were all set aside (invalid_id 1)"
    )
