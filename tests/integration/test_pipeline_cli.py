"""`python -m marquee_etl` as a user runs it: inputs, manifest, summary, failures."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import ENV_PREFIXES, FIXTURE_RAW, ROOT, build_release


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    return subprocess.run(
        [sys.executable, "-m", "marquee_etl", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


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
    result = _run(env={"MARQUEE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "current" / "manifest.json").read_text())
    assert manifest["inputs"]["movies"]["name"] == "movies_metadata.csv.gz"
    assert manifest["rows_in"] == {"movies": 5000, "credits": 6}
    assert (ROOT / "data" / "sample" / "credits.csv.gz").is_file()


def test_progress_and_a_summary_are_printed(tmp_path: Path) -> None:
    result = _run("--raw", str(FIXTURE_RAW), "--out", str(tmp_path))
    assert "[1/4] reading CSV as text ..." in result.stderr
    assert "model: recall" in result.stderr
    assert "rows in:   movies       13   credits        8" in result.stdout
    assert "movies.invalid_id" in result.stdout and "total" in result.stdout


def test_a_failed_run_leaves_the_previous_release_current(tmp_path: Path) -> None:
    first = build_release(FIXTURE_RAW, tmp_path)
    raw = tmp_path / "incomplete"
    raw.mkdir()
    shutil.copy(FIXTURE_RAW / "movies_metadata.csv", raw)
    result = _run("--raw", str(raw), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "holds no credits.csv" in result.stderr
    assert (tmp_path / "current").resolve() == first
    assert [p.name for p in (tmp_path / "releases").iterdir()] == [first.name]


def test_a_file_without_the_kaggle_columns_is_refused_with_a_reason(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "movies_metadata.csv").write_text("a,b\n1,2\n")
    shutil.copy(FIXTURE_RAW / "credits.csv", raw)
    result = _run("--raw", str(raw), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "lacks the column(s)" in result.stderr


def test_skip_model_writes_the_catalog_tables_only(tmp_path: Path) -> None:
    result = _run("--raw", str(FIXTURE_RAW), "--out", str(tmp_path), "--skip-model")
    assert result.returncode == 0, result.stderr
    folder = (tmp_path / "current").resolve()
    assert (folder / "movies.parquet").is_file() and not (folder / "model").exists()
    assert "model" not in json.loads((folder / "manifest.json").read_text())


def test_an_output_folder_under_a_file_is_refused_before_any_input_is_read(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder\n")
    out = blocker / "sub"
    result = _run("--raw", str(FIXTURE_RAW), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    # the whole of stderr: no step was started, so nothing was read
    expected = f"marquee_etl: error: cannot write to the data folder {out}: {blocker} is a file, not a folder"
    assert result.stderr == expected + "\n"
    assert blocker.read_text() == "a file, not a folder\n"


def test_a_data_folder_that_is_a_file_is_refused_before_any_input_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("")
    result = _run("--raw", str(FIXTURE_RAW), env={"MARQUEE_DATA_DIR": str(data)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    expected = f"marquee_etl: error: cannot write to the data folder {data}: {data} is a file, not a folder"
    assert result.stderr == expected + "\n"


def test_a_file_that_cannot_be_opened_in_the_data_folder_is_named_in_one_line(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.mkdir()  # a folder where the history file should be: opening it fails, as root too
    result = _run("releases", "--out", str(tmp_path), "rollback")
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
    result = _run("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"{raw / name} has no data rows, only a header line")


@pytest.mark.parametrize("name", ["movies_metadata.csv", "credits.csv"], ids=["movies", "credits"])
def test_an_empty_file_is_refused_for_having_no_data_rows(tmp_path: Path, name: str) -> None:
    raw = _raw_copy(tmp_path)
    (raw / name).write_bytes(b"")
    result = _run("--raw", str(raw), "--out", str(tmp_path / "out"))
    _assert_failed_reading(result, f"{raw / name} has no data rows: the file is empty")
