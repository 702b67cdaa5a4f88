"""Releases with a data report, made by the tests themselves (the pipeline's part is not theirs to use).

`write_release` writes a release folder by hand: the given files, and a manifest listing each with
its size and sha256 and, when asked, a `report` entry naming them. `copy_with_report` copies a
release the real pipeline built under another version, adds report files and rewrites the manifest
to list them, so a real service verifies and serves it like any release. `strip_report` makes a
release as the pipeline wrote them before data reports existed.

    folder = write_release(data_dir, "V2", {"report.html": b"<p>hi</p>"}, report={"html": "report.html"})
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.harness import SAMPLE_RAW

BUILT_AT = "2026-12-01T15:22:08.318440+00:00"


def listed(data: bytes) -> dict[str, Any]:
    """A file's manifest entry, worked out here from its bytes."""
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_release(data_dir: Path, version: str, files: Mapping[str, bytes], report: Mapping[str, str] | None = None,
                  built_at: str = BUILT_AT) -> Path:  # fmt: skip
    """`data_dir/releases/<version>/` holding `files` and a manifest listing them (and `report`, if given)."""
    folder = data_dir / "releases" / version
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    manifest: dict[str, Any] = {"version": version, "created_at": built_at,
                                "files": {name: listed(data) for name, data in files.items()}}  # fmt: skip
    if report is not None:
        manifest["report"] = dict(report)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def copy_with_report(source: Path, version: str, files: Mapping[str, bytes]) -> Path:
    """A copy of the release folder `source` beside it, as release `version`, with `files` added (say
    report.html and report.json) and its manifest rewritten: its version, the new files listed, and a
    `report` entry naming each (by the part of its name after "report.")."""
    folder = source.parent / version
    shutil.copytree(source, folder)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = version
    manifest["files"].update({name: listed(data) for name, data in files.items()})
    manifest["report"] = {name.rsplit(".", 1)[1]: name for name in files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def strip_report(folder: Path) -> Path:
    """Remove the data report from a release the pipeline built: its files, its manifest entries."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in (manifest.pop("report", None) or {}).values():
        if isinstance(name, str) and name.startswith("report"):
            (folder / name).unlink(missing_ok=True)
            manifest["files"].pop(name, None)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def raw_rows() -> list[dict[str, str]]:
    """The bundled sample's movie rows, read plainly (csv), as dicts."""
    csv.field_size_limit(1 << 30)
    with gzip.open(SAMPLE_RAW / "movies_metadata.csv.gz", "rt", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def changed_raw(tmp_path: Path) -> Path:
    """The sample without its first 300 rows, every other budget tripled."""
    raw = tmp_path / "changed"
    raw.mkdir()
    rows = raw_rows()[300:]
    for i, row in enumerate(rows):
        if i % 2 == 0 and row["budget"].isdigit():
            row["budget"] = str(int(row["budget"]) * 3)
    with (raw / "movies_metadata.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    shutil.copy(SAMPLE_RAW / "credits.csv.gz", raw / "credits.csv.gz")
    return raw
