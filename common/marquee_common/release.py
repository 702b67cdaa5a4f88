"""Find the release a service should serve; shared by every service, pure standard library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marquee_common.errors import ReleaseError

MANIFEST = "manifest.json"
"""Written last into a release folder, so a folder with it is complete."""


def resolve_current(data_dir: Path) -> Path:
    """The folder `data_dir/current` points at; ReleaseError when there is no complete release.

    Services call this once at start-up and then read only that immutable folder.
    """
    link = data_dir / "current"
    if not link.exists():
        raise ReleaseError(
            f"no release in {data_dir}: {link} does not exist; run the pipeline first (python -m marquee_etl)"
        )
    folder = link.resolve(strict=True)
    if not (folder / MANIFEST).is_file():
        raise ReleaseError(f"release {folder} has no {MANIFEST}: it is incomplete")
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return data
