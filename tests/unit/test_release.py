"""A release appears whole or not at all, and the previous one survives a failed run."""

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from marquee_common.errors import ReleaseError
from marquee_common.release import resolve_current
from marquee_etl.release import point_current, validate_tables, write_release


def _tables(movie_ids: list[int], genre_movie_ids: list[int]) -> dict[str, pl.DataFrame]:
    movies = pl.DataFrame(
        {"id": movie_ids, "collection_id": [None] * len(movie_ids), "original_language": ["en"] * len(movie_ids)},
        schema={"id": pl.Int64, "collection_id": pl.Int64, "original_language": pl.String},
    )
    genres = pl.DataFrame({"movie_id": genre_movie_ids, "position": list(range(len(genre_movie_ids)))})
    empty = pl.DataFrame({"movie_id": [], "position": []}, schema={"movie_id": pl.Int64, "position": pl.Int32})
    return {
        "movies": movies,
        "genres": genres,
        "companies": empty,
        "countries": empty,
        "spoken_languages": empty,
        "cast": empty,
        "crew": empty,
        "collections": pl.DataFrame({"collection_id": [7]}),
        "languages": pl.DataFrame({"iso_639_1": ["en"]}),
    }


def test_a_release_is_renamed_into_place_and_listed_with_every_file(tmp_path: Path) -> None:
    folder = write_release(tmp_path, "v1", _tables([1, 2], [1, 2]), {"note": "x"})
    assert folder == tmp_path / "releases" / "v1"
    assert not (tmp_path / "current").exists()  # the gate moves current, not the writer
    point_current(tmp_path, "v1")
    assert resolve_current(tmp_path) == folder.resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == "v1" and manifest["tables"]["movies"]["rows"] == 2
    movies_file = folder / "movies.parquet"
    assert manifest["tables"]["movies"]["sha256"] == hashlib.sha256(movies_file.read_bytes()).hexdigest()
    assert manifest["files"]["movies.parquet"] == {
        "bytes": movies_file.stat().st_size,
        "sha256": hashlib.sha256(movies_file.read_bytes()).hexdigest(),
    }
    assert sorted(manifest["files"]) == sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
    assert [p.name for p in (tmp_path / "releases").iterdir()] == ["v1"]


def test_a_failed_validation_leaves_the_previous_release_current_and_no_debris(tmp_path: Path) -> None:
    first = write_release(tmp_path, "v1", _tables([1, 2], [1]), {})
    point_current(tmp_path, "v1")
    with pytest.raises(ReleaseError, match="genres.movie_id"):
        write_release(tmp_path, "v2", _tables([1, 2], [1, 99]), {})
    assert resolve_current(tmp_path) == first.resolve()
    assert [p.name for p in (tmp_path / "releases").iterdir()] == ["v1"]


def test_a_failure_while_writing_removes_the_temporary_folder(tmp_path: Path) -> None:
    def broken_model(folder: Path) -> dict[str, object]:
        (folder / "model.bin").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_release(tmp_path, "v1", _tables([1], [1]), {}, extra=broken_model)
    assert list((tmp_path / "releases").iterdir()) == []
    assert not (tmp_path / "current").exists()


def test_duplicate_keys_fail_validation() -> None:
    with pytest.raises(ReleaseError, match="movies: key"):
        validate_tables(_tables([1, 1], []))


def test_services_refuse_a_folder_without_a_release(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="run the pipeline first"):
        resolve_current(tmp_path)
