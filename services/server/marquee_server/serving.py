"""One verified release per process, and the swap to the next one. No gRPC here.

A `ReleaseHolder` owns what a service answers from (its "core": the catalog's store, the
recommender's model) and the facts about it. At start it opens the release `current` names;
afterwards `pending()` says when `current` names another release, `open_current()` verifies and
loads it beside the old one (in a worker thread), and `install()` switches to it. `install`
runs on the event loop's thread, between requests: a request reads `holder.core` once and runs
on that release to its end; the old release is freed when the last request holding it is done.

A release that fails its checks is never installed: the old one keeps serving, and the failure
is kept (`last_failure`, `failed_swaps`) for GetReleaseInfo and the logs. The same version is
not tried again (a release never changes); a new move of `current` is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from marquee_common.errors import DamagedRelease, IndexNotReady, ReleaseError
from marquee_common.release import current_version, read_manifest, resolve_current

T = TypeVar("T")

Opener = Callable[[Path, dict[str, Any], bool], tuple[T, str]]
"""(release folder, its manifest, swapping) -> (the core, what was verified in a few words).

Verifies before it opens anything with a C extension; raises DamagedRelease naming the file."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Loaded(Generic[T]):
    core: T
    version: str
    built_at: str
    loaded_at: str
    verification: str
    load_seconds: float


@dataclass(frozen=True)
class Failure:
    version: str
    reason: str  # "FILE: REASON"
    failed_at: str


class ReleaseHolder(Generic[T]):
    """The release a service answers from, and its swaps."""

    def __init__(self, data_dir: Path, opener: Opener[T], what: str = "release") -> None:
        self.data_dir = data_dir
        self.opener = opener
        self.what = what
        self.loaded: Loaded[T] | None = None
        self.last_failure: Failure | None = None
        self.failed_swaps = 0
        self.swaps = 0

    @property
    def core(self) -> T:
        loaded = self.loaded
        if loaded is None:
            raise IndexNotReady(f"the service is still loading its {self.what}; retry shortly")
        return loaded.core

    @property
    def version(self) -> str:
        loaded = self.loaded
        return "" if loaded is None else loaded.version

    def open_current(self, swapping: bool = False) -> Loaded[T]:
        """Verify and load the release `current` names. Blocking: run it in a thread."""
        return self.open(resolve_current(self.data_dir), swapping)

    def open(self, folder: Path, swapping: bool = False) -> Loaded[T]:
        started = time.perf_counter()
        manifest = read_manifest(folder)
        try:
            core, verification = self.opener(folder, manifest, swapping)
        except ReleaseError:
            raise
        except Exception as exc:  # a damaged file that slipped past the checks: still one line, never a crash
            raise DamagedRelease(folder.name, "?", f"cannot be loaded: {type(exc).__name__}: {exc}") from exc
        return Loaded(core, folder.name, str(manifest.get("created_at", "")), utc_now(), verification,
                      time.perf_counter() - started)  # fmt: skip

    def pending(self) -> str | None:
        """The version `current` names when it is neither the one serving nor one already refused."""
        try:
            version = current_version(self.data_dir)
        except ReleaseError:
            return None
        if version is None or version == self.version:
            return None
        if self.last_failure is not None and self.last_failure.version == version:
            return None
        return version

    def install(self, loaded: Loaded[T]) -> Loaded[T] | None:
        """Serve `loaded` from now on; returns the release it replaces. Call between requests."""
        before, self.loaded = self.loaded, loaded
        if before is not None:
            self.swaps += 1
        return before

    def refuse(self, version: str, reason: str) -> Failure:
        self.last_failure = Failure(version, reason, utc_now())
        self.failed_swaps += 1
        return self.last_failure

    def info(self) -> dict[str, Any]:
        """The fields of the GetReleaseInfoResponse message."""
        loaded = self.loaded
        if loaded is None:
            raise IndexNotReady(f"the service is still loading its {self.what}; retry shortly")
        info: dict[str, Any] = {
            "version": loaded.version,
            "built_at": loaded.built_at,
            "loaded_at": loaded.loaded_at,
            "verification": loaded.verification,
            "failed_swaps": self.failed_swaps,
            "swaps": self.swaps,
            "load_seconds": round(loaded.load_seconds, 3),
        }
        if self.last_failure is not None:
            failure = self.last_failure
            info["last_failed_swap"] = {"version": failure.version, "reason": failure.reason,
                                        "failed_at": failure.failed_at}  # fmt: skip
        return info
