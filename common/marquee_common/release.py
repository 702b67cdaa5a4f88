"""Read and verify a release: one piece of code for both services and the release commands.

A service serves only a release that passes, in this order (ARCHITECTURE.md): every file it
reads has the manifest's size and sha256 (so no damaged file ever reaches a C extension),
then arrays have their declared shapes and dtypes and finite values, then the service's own
probes. A failure names the file and the reason: `DamagedRelease`, whose message is the
`FILE: REASON` the services print. Standard library and numpy only.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from marquee_common.errors import DamagedRelease, ReleaseError

MANIFEST = "manifest.json"
"""Written last into a release folder, so a folder with it is complete."""
CURRENT = "current"
"""The symlink in the data folder naming the release in service: `current -> releases/<version>`."""
RELEASES = "releases"
QUALITY = ("collection_hit_at_5", "genre_jaccard_at_10", "recall_at_10", "holdout_hit_rate_at_10")
"""The model's quality figures a manifest records (`model.quality`), which the gate compares;
`holdout_hit_rate_at_10` only for a release built with MovieLens ratings (None otherwise)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_version(data_dir: Path) -> str | None:
    """The version `current` names (the link's last part), or None when there is no link.

    Cheap enough to call every poll: one readlink, no file is opened.
    """
    try:
        return Path(os.readlink(data_dir / CURRENT)).name
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:  # not a symlink, unreadable
        raise ReleaseError(f"{data_dir / CURRENT} cannot be read as a link: {exc}") from exc


def resolve_current(data_dir: Path) -> Path:
    """The folder `data_dir/current` points at; ReleaseError when there is no complete release."""
    link = data_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        raise ReleaseError(
            f"no release in {data_dir}: {link} does not exist; run the pipeline first (python -m marquee_etl)"
        )
    if not link.exists():
        raise DamagedRelease(
            current_version(data_dir) or "?", CURRENT, f"points at {os.readlink(link)}, which does not exist"
        )
    folder = link.resolve(strict=True)
    if not (folder / MANIFEST).is_file():
        raise DamagedRelease(folder.name, MANIFEST, "missing: the release is incomplete")
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest as a dict; DamagedRelease when it is missing, unreadable, not JSON, or not a release's."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedRelease(folder.name, MANIFEST, "missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedRelease(folder.name, MANIFEST, f"not valid JSON ({exc})") from None
    except OSError as exc:  # a folder in its place, unreadable
        raise DamagedRelease(folder.name, MANIFEST, f"cannot be read ({exc.strerror})") from None
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise DamagedRelease(folder.name, MANIFEST, "not a release manifest (no version)")
    if data["version"] != folder.name:
        raise DamagedRelease(folder.name, MANIFEST, f"names version {data['version']}, not its folder's")
    return data


def figures(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A release's figures as its manifest records them: films, rejected share, quality (None when
    not measured: a release built without the model), as the gate and the release lists read them.

    >>> figures({"evaluation": {"films": 8}, "model": {"recall_at_10": 0.97}})["quality"]
    {'collection_hit_at_5': None, 'genre_jaccard_at_10': None, 'recall_at_10': 0.97, 'holdout_hit_rate_at_10': None}
    """
    evaluation = manifest.get("evaluation") or {}
    model = manifest.get("model") or {}
    quality = {**(model.get("quality") or {})}
    if "recall_at_10" in model:
        quality.setdefault("recall_at_10", model["recall_at_10"])
    return {
        "films": evaluation.get("films", (manifest.get("tables") or {}).get("movies", {}).get("rows")),
        "rejected_share": evaluation.get("rejected_share"),
        "quality": {name: quality.get(name) for name in QUALITY},
        "has_model": bool(model),
    }


def verify_files(folder: Path, manifest: Mapping[str, Any], names: Iterable[str]) -> int:
    """Check each file's size, then its sha256, against the manifest; returns how many were checked.

    Sizes first (a truncated file is found without reading it), then the hashes side by side
    (hashlib lets go of the GIL).
    """
    wanted = list(names)
    listed: dict[str, Mapping[str, Any]] = {}
    for name in wanted:
        listed[name] = _listed(folder, manifest, name)
        path = folder / name
        if not path.is_file():
            raise DamagedRelease(folder.name, name, "missing")
        _check_size(folder, name, path.stat().st_size, listed[name])
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        digests = dict(zip(wanted, pool.map(lambda n: sha256_file(folder / n), wanted), strict=True))
    for name in wanted:
        _check_digest(folder, name, digests[name], listed[name])
    return len(wanted)


def read_verified(folder: Path, manifest: Mapping[str, Any], name: str) -> bytes:
    """The bytes of one file of the release, once they have the manifest's size and sha256.

    The file is read once and those very bytes are checked and returned, so what is handed out is
    what was checked; its size is checked before it is read. `name` may come from the manifest
    itself: one that leaves the folder is refused.
    """
    entry = _listed(folder, manifest, name)
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise DamagedRelease(folder.name, name, "is not a path inside the release")
    path = folder / name
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            _check_size(folder, name, size, entry)
            data = handle.read()
    except FileNotFoundError:
        raise DamagedRelease(folder.name, name, "missing") from None
    except OSError as exc:  # a folder in its place, unreadable
        raise DamagedRelease(folder.name, name, f"cannot be read ({exc.strerror})") from None
    _check_size(folder, name, len(data), entry)  # it changed while being read
    _check_digest(folder, name, hashlib.sha256(data).hexdigest(), entry)
    return data


def _listed(folder: Path, manifest: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The manifest's entry of `name`: its size and sha256."""
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise DamagedRelease(folder.name, MANIFEST, "lists no files with their hashes; rebuild the release")
    entry = listed.get(name)
    if not isinstance(entry, dict) or not {"bytes", "sha256"} <= entry.keys():
        raise DamagedRelease(folder.name, name, "not listed in the manifest with its size and sha256")
    return entry


def _check_size(folder: Path, name: str, size: int, entry: Mapping[str, Any]) -> None:
    if size != entry["bytes"]:
        raise DamagedRelease(folder.name, name, f"{size} bytes where the manifest says {entry['bytes']}")


def _check_digest(folder: Path, name: str, digest: str, entry: Mapping[str, Any]) -> None:
    if digest != entry["sha256"]:
        raise DamagedRelease(folder.name, name, "sha256 differs from the manifest's: the file is damaged or changed")


def load_array(
    folder: Path,
    name: str,
    dtype: str | np.dtype[Any],
    shape: tuple[int | None, ...],
    finite: bool = False,
    mmap: bool = False,
) -> np.ndarray:
    """`folder/name` (name may hold a sub-folder: "model/vectors.npy"), an .npy file that must have
    `dtype` and `shape` (None: any length), and finite values if asked.

    Reads only the header before trusting the file; hash it first with `verify_files`.
    """
    path = folder / name
    version = folder.name
    try:
        with path.open("rb") as handle:
            major, _ = np.lib.format.read_magic(handle)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            header = read_header(handle)
    except (OSError, ValueError) as exc:
        raise DamagedRelease(version, name, f"not a NumPy array file ({exc})") from None
    found_shape, _, found_dtype = header
    if found_dtype != np.dtype(dtype):
        raise DamagedRelease(version, name, f"dtype {found_dtype} where {np.dtype(dtype)} is expected")
    mismatch = any(w is not None and w != f for w, f in zip(shape, found_shape, strict=False))
    if len(found_shape) != len(shape) or mismatch:
        expected = "(" + ", ".join("n" if w is None else str(w) for w in shape) + ")"
        raise DamagedRelease(version, name, f"shape {found_shape} where {expected} is expected")
    try:
        array: np.ndarray = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DamagedRelease(version, name, f"cannot be read ({exc})") from None
    if mmap:
        array = array.view(np.ndarray)
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise DamagedRelease(version, name, f"{bad} values are NaN or infinite")
    return array


def load_json(folder: Path, name: str) -> Any:
    """A JSON file of the release (name relative to it); DamagedRelease when it does not parse."""
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedRelease(folder.name, name, "missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedRelease(folder.name, name, f"not valid JSON ({exc})") from None


def model_files(manifest: Mapping[str, Any]) -> list[str]:
    """The files under model/ that the manifest lists."""
    return sorted(name for name in manifest.get("files", {}) if name.startswith("model/"))
