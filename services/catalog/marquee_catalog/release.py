"""The catalog's checks of a release before it serves it: the shared verifier, then its tables.

Hashes first (every Parquet file it reads has the manifest's size and sha256), then each
table's columns, then a probe (the store answers for its first film).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from marquee_catalog.store import CatalogStore
from marquee_catalog.tables import TABLES, check_columns
from marquee_common.errors import DamagedRelease
from marquee_common.release import verify_files


def open_catalog(folder: Path, manifest: dict[str, Any], swapping: bool) -> tuple[CatalogStore, str]:
    """Verify, load and probe; at a swap the suggestion buckets are built before it serves."""
    files = verify_files(folder, manifest, [f"{name}.parquet" for name in TABLES])
    check_columns(folder)
    store = CatalogStore(folder)
    first = next(iter(store.movies.index_by_id), None)
    if first is None:
        raise DamagedRelease(folder.name, "movies.parquet", "holds no films")
    if store.movies.record(first).row.id != first:
        raise DamagedRelease(folder.name, "movies.parquet", f"film {first} cannot be read back")
    if swapping:
        store.prepare_suggestions()
    else:
        # At start, suggestions work at once by scoring every name; their buckets come a moment later.
        threading.Thread(target=store.prepare_suggestions, name="prepare-suggestions", daemon=True).start()
    return store, f"ok: {files} files hashed, {len(TABLES)} tables' columns, 1 probe"
