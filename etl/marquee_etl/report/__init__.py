"""The data report of a release: report.html (one self-contained page) and report.json (its figures),
written by the pipeline into the release, so they are immutable and hashed like the rest of it.

The report compares the release with its predecessor (the release `current` named when it was
built); `releases diff A B` makes the same comparison for any two releases.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from marquee_common.errors import ReleaseError
from marquee_common.release import read_manifest, verify_files
from marquee_etl.report import figures as figures_of
from marquee_etl.report.compare import ReportSettings, compare

HTML = "report.html"
JSON = "report.json"

__all__ = ["HTML", "JSON", "ReportSettings", "diff", "write_report"]


def release_figures(folder: Path) -> tuple[dict[str, Any], pl.DataFrame]:
    """(figures, movies table) of a release on disk: its report.json when it has one (checked against
    its manifest), else worked out again from its tables (a release built before reports)."""
    manifest = read_manifest(folder)
    tables = manifest.get("tables") or {}
    if "movies" not in tables:
        raise ReleaseError(f"release {folder.name} has no movies table")
    if JSON in (manifest.get("files") or {}):
        verify_files(folder, manifest, [tables["movies"]["file"], JSON])
        found = json.loads((folder / JSON).read_text(encoding="utf-8"))
        if found.get("format_version") == figures_of.FORMAT_VERSION:
            return found, pl.read_parquet(folder / tables["movies"]["file"])
    verify_files(folder, manifest, list(manifest.get("files") or {}))
    loaded = figures_of.read_tables(folder, manifest)
    return figures_of.compute(loaded, manifest, folder), loaded["movies"]


def diff(old: Path, new: Path, settings: ReportSettings | None = None) -> dict[str, Any]:
    """What changed from release folder `old` to release folder `new`."""
    old_figures, old_movies = release_figures(old)
    new_figures, new_movies = release_figures(new)
    return compare(old_figures, new_figures, old_movies, new_movies, settings or ReportSettings.from_env())


def write_report(folder: Path, tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any],
                 predecessor: Path | None, settings: ReportSettings) -> dict[str, Any]:  # fmt: skip
    """Write report.html and report.json into the release being written; the manifest's `report` entry.

    A predecessor that cannot be read (damaged, pruned meanwhile) does not stop the build: the
    report says so instead of comparing.
    """
    from marquee_etl.report.page import render  # matplotlib takes a moment to import

    started = time.perf_counter()
    found = figures_of.compute(tables, manifest, folder)
    changes = None
    note = ""
    if predecessor is not None:
        try:
            old_figures, old_movies = release_figures(predecessor)
            changes = compare(old_figures, found, old_movies, tables["movies"], settings)
        except (OSError, ValueError, KeyError, ReleaseError, pl.exceptions.PolarsError) as exc:
            note = f"The predecessor {predecessor.name} could not be read ({exc}), so nothing is compared."
    else:
        note = "This release had no predecessor (no current release when it was built), so nothing is compared."
    report = {**found, "changes": changes}
    (folder / JSON).write_text(json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n",
                               encoding="utf-8")  # fmt: skip
    (folder / HTML).write_text(render(found, changes, note), encoding="utf-8")
    return {
        "report": {
            "html": HTML,
            "json": JSON,
            "predecessor": None if changes is None else changes["old"],
            "flagged_figures": None if changes is None else changes["flagged_figures"],
            "drifted_fields": None if changes is None else changes["drifted_fields"],
            "seconds": round(time.perf_counter() - started, 3),
        }
    }
