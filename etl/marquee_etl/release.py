"""Write a release so that no reader ever sees half of it.

Layout of the output folder:

    releases/<version>/        one immutable folder per run: *.parquet, model/, report.html and
                               report.json (the data report), manifest.json
    releases/.tmp-<version>/   the run being written; renamed into place once valid
    current -> releases/<version>   symlink, repointed atomically by `lifecycle.move_current`
    history.jsonl              every move of `current`, and every release the gate refused

Writing a release does not move `current`: the gate decides that (lifecycle.py). A failed run
leaves the previous release and `current` untouched. The manifest lists every file of the
release with its size and sha256 (`files`), which the services check before serving it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from marquee_common.errors import ReleaseError
from marquee_common.release import CURRENT, MANIFEST, sha256_file

FORMAT_VERSION = 1

UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "movies": ("id",),
    "collections": ("collection_id",),
    "languages": ("iso_639_1",),
    "genres": ("movie_id", "position"),
    "companies": ("movie_id", "position"),
    "countries": ("movie_id", "position"),
    "spoken_languages": ("movie_id", "position"),
    "cast": ("movie_id", "position"),
    "crew": ("movie_id", "position"),
}
FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    # (table, column, referenced table, referenced column)
    ("genres", "movie_id", "movies", "id"),
    ("companies", "movie_id", "movies", "id"),
    ("countries", "movie_id", "movies", "id"),
    ("spoken_languages", "movie_id", "movies", "id"),
    ("cast", "movie_id", "movies", "id"),
    ("crew", "movie_id", "movies", "id"),
    ("movies", "collection_id", "collections", "collection_id"),
    ("movies", "original_language", "languages", "iso_639_1"),
)


def validate_tables(tables: Mapping[str, pl.DataFrame]) -> None:
    """Raise ReleaseError unless keys are unique and every foreign key resolves."""
    problems = []
    for name, keys in UNIQUE_KEYS.items():
        if name not in tables:
            problems.append(f"table {name} is missing")
            continue
        frame = tables[name]
        if frame.select(pl.struct(keys).is_duplicated().any()).item():
            problems.append(f"{name}: key ({', '.join(keys)}) is not unique")
        if frame.select(pl.any_horizontal(pl.col(keys).is_null()).any()).item():
            problems.append(f"{name}: key ({', '.join(keys)}) has nulls")
    for table, column, ref, ref_column in FOREIGN_KEYS:
        if table not in tables or ref not in tables:
            continue
        values = tables[table].get_column(column)
        if column == "original_language":
            values = values.filter(values != "")
        dangling = values.drop_nulls().filter(~values.drop_nulls().is_in(tables[ref].get_column(ref_column).implode()))
        if dangling.len():
            problems.append(
                f"{table}.{column}: {dangling.len()} value(s) missing from {ref}.{ref_column}, "
                f"e.g. {dangling.head(3).to_list()}"
            )
    if problems:
        raise ReleaseError("release failed validation: " + "; ".join(problems))


def _check_written(folder: Path, counts: Mapping[str, int]) -> None:
    """Re-read every file's row count: what is on disk is what was meant to be written."""
    for name, rows in counts.items():
        on_disk = pl.scan_parquet(folder / f"{name}.parquet").select(pl.len()).collect().item()
        if on_disk != rows:
            raise ReleaseError(f"{name}.parquet holds {on_disk} rows, {rows} were written")


@contextmanager
def _staging(releases: Path, version: str) -> Iterator[Path]:
    tmp = releases / f".tmp-{version}-{os.getpid()}"
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def point_current(out: Path, version: str) -> None:
    """Repoint `out/current` at `releases/<version>` in one rename, so readers see old or new."""
    link = out / CURRENT
    tmp_link = out / f".current-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(Path("releases") / version)
    os.replace(tmp_link, link)


def write_release(
    out: Path,
    version: str,
    tables: Mapping[str, pl.DataFrame],
    manifest: dict[str, Any],
    extra: Callable[[Path], dict[str, Any]] | None = None,
    after: Sequence[Callable[[Path, dict[str, Any]], dict[str, Any]]] = (),
) -> Path:
    """Validate, write into a temporary folder, rename into place; `current` is not moved.

    `extra(folder)` may write more files (the model) and returns manifest entries for them;
    then each of `after(folder, manifest so far)` (the data report, which reads the model) too.
    Every file they write is listed in the manifest with its hash.
    """
    validate_tables(tables)
    releases = out / "releases"
    final = releases / version
    if final.exists():
        raise ReleaseError(f"release {version} already exists in {releases}")
    with _staging(releases, version) as tmp:

        def write(name: str) -> dict[str, Any]:
            path = tmp / f"{name}.parquet"
            tables[name].write_parquet(path, compression="zstd", compression_level=1, statistics=True)
            return {
                "file": path.name,
                "rows": tables[name].height,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }

        # Polars and hashlib let go of the GIL, so the tables are written side by side.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            files = dict(zip(tables, pool.map(write, tables), strict=True))
        _check_written(tmp, {name: meta["rows"] for name, meta in files.items()})
        manifest = {**manifest, "format_version": FORMAT_VERSION, "version": version, "tables": files}
        if extra is not None:
            manifest.update(extra(tmp))
        for step in after:
            manifest.update(step(tmp, manifest))
        manifest["files"] = _list_files(tmp, files, manifest.get("model", {}).get("files", {}))
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in (tmp, *tmp.iterdir()):
            _fsync(path)
        os.rename(tmp, final)
    _fsync(releases)
    return final


def _list_files(folder: Path, tables: Mapping[str, Any], model: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every file of the release, by path inside it, with size and sha256 (hashes already made are reused)."""
    known = {meta["file"]: meta for meta in tables.values()}
    known.update({f"model/{name}": meta for name, meta in model.items()})
    listed = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        name = path.relative_to(folder).as_posix()
        meta = known.get(name)
        digest = meta["sha256"] if meta else sha256_file(path)
        listed[name] = {"bytes": path.stat().st_size, "sha256": digest}
    return listed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
