"""A release's life after it is written: the gate, every move of `current`, the history, pruning.

    built -> gate -> promoted (current moves)       or   refused (kept, not promoted)
    promote VERSION [--force]   the same gate, for a release already built
    rollback                    current -> the release promoted before it
    prune --keep N              never removes current, nor the release a rollback returns to

Every move of `current` is one rename (readers see the old link or the new) and one line
appended to `history.jsonl` in the data folder: time, from, to, action, reason. The history is
the only record of which releases were promoted, refused or forced; a release folder is never
changed after it is written. Moves, history and pruning hold an exclusive lock on the data folder.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from marquee_common.errors import ReleaseError
from marquee_common.release import QUALITY, RELEASES, current_version, figures, read_manifest
from marquee_etl.release import point_current

HISTORY = "history.jsonl"
LOCK = ".lock"
QUALITY_LABEL = {"collection_hit_at_5": "collection_hit@5", "genre_jaccard_at_10": "genre_jaccard@10",
                 "recall_at_10": "recall@10", "holdout_hit_rate_at_10": "holdout hit@10"}  # fmt: skip


class GateSettings(BaseSettings):
    """The gate's limits; each can be set as MARQUEE_GATE_<NAME>, keep as MARQUEE_KEEP_RELEASES."""

    model_config = SettingsConfigDict(env_prefix="MARQUEE_GATE_", frozen=True, extra="ignore", populate_by_name=True)

    max_film_drop: float = 0.10  # share of the current release's films a candidate may lose
    max_reject_rise: float = 0.02  # rise allowed in the rejected share of input rows (0.02 = 2 points)
    max_quality_drop: float = 0.02  # drop allowed in each quality figure
    min_films: int = 1  # floor for every release, the first one included
    min_recall: float = 0.95  # floor of recall@10 for every release with a model
    keep: int = Field(5, ge=1, validation_alias="MARQUEE_KEEP_RELEASES")  # releases kept after a promotion
    # (current and the rollback target are always kept)

    @classmethod
    def from_env(cls) -> GateSettings:
        """The settings from the environment; one ReleaseError line naming each variable that is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            wrong = [f"{_variable(str(e['loc'][0]))}={e['input']!r}: {e['msg']}" for e in exc.errors()]
            raise ReleaseError("; ".join(wrong)) from None


def _variable(field: str) -> str:
    return field if field.startswith("MARQUEE_") else f"MARQUEE_GATE_{field.upper()}"


@dataclass(frozen=True)
class Check:
    """One figure of the gate: `passed` False names a reason not to promote."""

    figure: str
    old: float | int | None
    new: float | int | None
    passed: bool
    rule: str

    def line(self) -> str:
        def show(value: float | int | None) -> str:
            if value is None:
                return "none"
            return f"{value:,}" if isinstance(value, int) else f"{value:.4f}"

        verdict = "ok" if self.passed else "FAILED"
        old = "-" if self.old is None else show(self.old)  # a floor: nothing to compare with
        return f"{verdict:<6} {self.figure:<18} {old:>10} -> {show(self.new):<10} {self.rule}"


def gate(candidate: dict[str, Any], current: dict[str, Any] | None, settings: GateSettings) -> list[Check]:
    """Every check of the candidate, against the current release's figures when there is one."""
    new = figures(candidate)
    checks = [Check("films", None, new["films"], (new["films"] or 0) >= settings.min_films,
                    f"at least {settings.min_films:,}")]  # fmt: skip
    recall = new["quality"]["recall_at_10"]
    if new["has_model"]:
        checks.append(Check("recall@10", None, recall, recall is not None and recall >= settings.min_recall,
                            f"at least {settings.min_recall}"))  # fmt: skip
    if current is None:
        return checks
    old = figures(current)
    if old["films"]:
        floor = old["films"] * (1 - settings.max_film_drop)
        checks.append(Check("films", old["films"], new["films"], (new["films"] or 0) >= floor,
                            f"may drop at most {settings.max_film_drop:.0%} (to {floor:,.0f})"))  # fmt: skip
    if old["rejected_share"] is not None:
        limit = old["rejected_share"] + settings.max_reject_rise
        ok = new["rejected_share"] is not None and new["rejected_share"] <= limit
        checks.append(Check("rejected share", old["rejected_share"], new["rejected_share"], ok,
                            f"may rise at most {settings.max_reject_rise * 100:g} points"))  # fmt: skip
    if old["has_model"]:
        for name in QUALITY:
            before, after = old["quality"][name], new["quality"][name]
            if before is None:
                continue
            ok = after is not None and after >= before - settings.max_quality_drop
            checks.append(Check(QUALITY_LABEL[name], before, after, ok,
                                f"may drop at most {settings.max_quality_drop}"))  # fmt: skip
    return checks


# -- the data folder ----------------------------------------------------------------------


class DataFolderError(Exception):
    """The data folder cannot be written to."""


def check_writable(data_dir: Path) -> None:
    """Create `data_dir` and its releases/ and write a file in each, or raise DataFolderError.

    A build calls this before any work, so an unusable folder costs a second, not a run.
    Writing for real, rather than asking `os.access`, also catches read-only mounts, ACLs
    and root squashing.

        check_writable(Path("/etc/hostname/data"))
        # DataFolderError: cannot write to the data folder /etc/hostname/data: /etc/hostname is a file, ...
    """
    try:
        existing = next((p for p in (data_dir, *data_dir.parents) if p.exists()), None)
        if existing is not None and not existing.is_dir():
            raise DataFolderError(f"cannot write to the data folder {data_dir}: {existing} is a file, not a folder")
        for folder in (data_dir, data_dir / RELEASES):
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
    except OSError as exc:
        raise DataFolderError(f"cannot write to the data folder {data_dir}: {exc.strerror or exc}") from None


@contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """One writer at a time: two pipelines finishing together move `current` one after the other."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_history(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / HISTORY
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ReleaseError(f"{path} line {number} is not JSON ({exc}); fix or remove that line") from None
    return entries


def append_history(data_dir: Path, entry: dict[str, Any]) -> None:
    with (data_dir / HISTORY).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"time": now(), **entry}, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def promoted_stack(data_dir: Path, history: list[dict[str, Any]] | None = None) -> list[str]:
    """Releases in the order they were promoted, rollbacks popped: [-1] is current, [-2] the rollback target."""
    stack: list[str] = []
    for entry in read_history(data_dir) if history is None else history:
        if entry.get("action") == "rollback":
            while stack and stack[-1] != entry["to"]:
                stack.pop()
            if not stack:
                stack.append(entry["to"])
        elif entry.get("action") in ("build", "promote") and entry.get("to"):
            stack.append(entry["to"])
    current = current_version(data_dir)
    if current is not None and (not stack or stack[-1] != current):
        stack.append(current)  # moved by hand, or a data folder from before the history
    return stack


def rollback_target(data_dir: Path, history: list[dict[str, Any]] | None = None) -> str | None:
    """The release a rollback returns to: the one promoted before current, skipping pruned ones."""
    stack = promoted_stack(data_dir, history)
    for version in reversed(stack[:-1]):
        if version != (stack[-1] if stack else None) and (data_dir / RELEASES / version).is_dir():
            return version
    return None


def move_current(data_dir: Path, to: str, action: str, reason: str, **extra: Any) -> str | None:
    """Point `current` at `to` and record it; returns the version it pointed at before. Hold `locked`."""
    if not (data_dir / RELEASES / to).is_dir():
        raise ReleaseError(f"no release {to} in {data_dir / RELEASES}")
    before = current_version(data_dir)
    point_current(data_dir, to)
    append_history(data_dir, {"action": action, "from": before, "to": to, "reason": reason, **extra})
    return before


def current_manifest(data_dir: Path) -> dict[str, Any] | None:
    version = current_version(data_dir)
    if version is None:
        return None
    folder = data_dir / RELEASES / version
    if not folder.is_dir():
        return None  # current points nowhere: the candidate is held to the floors only
    return read_manifest(folder)


@dataclass
class Decision:
    version: str
    promoted: bool
    forced: bool
    checks: list[Check]
    previous: str | None
    pruned: list[str]

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def promote(data_dir: Path, version: str, settings: GateSettings, force: bool = False,
            action: str = "promote") -> Decision:  # fmt: skip
    """Gate `version` against current; move `current` when it passes (or `force`), then prune."""
    folder = data_dir / RELEASES / version
    if not folder.is_dir():
        raise ReleaseError(f"no release {version} in {data_dir / RELEASES}")
    candidate = read_manifest(folder)
    with locked(data_dir):
        previous = current_version(data_dir)
        if previous == version:
            return Decision(version, True, False, [], previous, [])
        checks = gate(candidate, current_manifest(data_dir), settings)
        failed = [c.line() for c in checks if not c.passed]
        if failed and not force:
            append_history(data_dir, {"action": "refused", "from": previous, "to": None, "version": version,
                                      "reason": f"{action}: the gate failed", "failed": failed})  # fmt: skip
            return Decision(version, False, False, checks, previous, [])
        reason = f"{action}: forced past {len(failed)} failed check(s)" if failed else f"{action}: the gate passed"
        move_current(data_dir, version, action, reason, forced=bool(failed), failed=failed)
        pruned = prune_locked(data_dir, settings.keep)
    return Decision(version, True, bool(failed), checks, previous, pruned)


def rollback(data_dir: Path) -> tuple[str | None, str]:
    with locked(data_dir):
        target = rollback_target(data_dir)
        if target is None:
            raise ReleaseError("nothing to roll back to: no release was promoted before the current one")
        before = move_current(data_dir, target, "rollback", "rollback: asked for")
    return before, target


def prune(data_dir: Path, keep: int) -> list[str]:
    if keep < 1:
        raise ReleaseError(f"--keep must be at least 1, got {keep}")
    with locked(data_dir):
        return prune_locked(data_dir, keep)


def prune_locked(data_dir: Path, keep: int) -> list[str]:
    """Remove all but the newest `keep` releases; current and the rollback target always stay."""
    releases = data_dir / RELEASES
    if not releases.is_dir():
        return []
    versions = sorted(p.name for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    protected = {current_version(data_dir), rollback_target(data_dir)}
    removed = []
    for version in versions[: max(len(versions) - keep, 0)]:
        if version in protected:
            continue
        # Renamed first, so no reader ever finds half a release under its name.
        trash = releases / f".pruned-{version}-{os.getpid()}"
        os.rename(releases / version, trash)
        shutil.rmtree(trash, ignore_errors=True)
        removed.append(version)
    if removed:
        append_history(data_dir, {"action": "prune", "from": None, "to": None, "removed": removed,
                                  "reason": f"keep {keep}"})  # fmt: skip
    _sweep(releases)
    return removed


def _sweep(releases: Path, stale_s: float = 86_400) -> None:
    """Debris of interrupted runs: half-pruned folders, and builds that died over a day ago."""
    now_s = time.time()
    for path in releases.iterdir():
        if path.name.startswith(".pruned-") or (
            path.name.startswith(".tmp-") and now_s - path.stat().st_mtime > stale_s
        ):  # fmt: skip
            shutil.rmtree(path, ignore_errors=True)


# -- what `releases list` and `show` print ------------------------------------------------


def status_of(data_dir: Path, history: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """version -> 'current', 'promoted' (earlier), 'forced', 'refused' or 'built', from the history."""
    history = read_history(data_dir) if history is None else history
    status: dict[str, str] = {}
    for entry in history:
        if entry.get("action") in ("build", "promote", "rollback") and entry.get("to"):
            status[entry["to"]] = "forced" if entry.get("forced") else "promoted"
        elif entry.get("action") == "refused" and status.get(entry.get("version", "")) not in ("promoted", "forced"):
            status[entry["version"]] = "refused"
    current = current_version(data_dir)
    if current is not None:
        status[current] = "current"
    return status


def describe(data_dir: Path) -> list[dict[str, Any]]:
    """One row per release folder, newest first: what `releases list` shows."""
    releases = data_dir / RELEASES
    if not releases.is_dir():
        return []
    history = read_history(data_dir)
    status = status_of(data_dir, history)
    forced = {e["to"] for e in history if e.get("forced") and e.get("to")}
    target = rollback_target(data_dir, history)
    rows = []
    for folder in sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
        row: dict[str, Any] = {"version": folder.name, "status": status.get(folder.name, "built"),
                               "forced": folder.name in forced, "rollback_target": folder.name == target}  # fmt: skip
        try:
            manifest = read_manifest(folder)
        except ReleaseError as exc:
            row.update({"error": exc.message, "built_at": None, "films": None, "bytes": None,
                        "quality": dict.fromkeys(QUALITY)})  # fmt: skip
        else:
            found = figures(manifest)
            row.update({
                "built_at": manifest.get("created_at"),
                "films": found["films"],
                "rejected_share": found["rejected_share"],
                "quality": found["quality"],
                "bytes": sum(f.get("bytes", 0) for f in (manifest.get("files") or {}).values()) or None,
                "code_version": manifest.get("code_version"),
            })  # fmt: skip
        rows.append(row)
    return rows


def fingerprint(manifest: dict[str, Any]) -> dict[str, Any]:
    """What makes two builds the same: input hashes (the ratings' too), code version and source hash,
    model and viewers' model parameters, and whether it has a data report."""
    return {
        "inputs": {name: meta.get("sha256") for name, meta in (manifest.get("inputs") or {}).items()},
        "code_version": manifest.get("code_version"),
        "code_hash": manifest.get("code_hash"),
        "parameters": (manifest.get("model") or {}).get("parameters"),
        "report": "report" in manifest,
        "ratings": [f.get("sha256") for f in (manifest.get("ratings") or {}).get("files", [])] or None,
        "viewers": ((manifest.get("model") or {}).get("viewers") or {}).get("parameters"),
    }


def same_build(data_dir: Path, wanted: dict[str, Any]) -> str | None:
    """The newest release built from the same inputs, code and parameters, if any (current first)."""
    current = current_version(data_dir)
    releases = data_dir / RELEASES
    if not releases.is_dir():
        return None
    names = sorted((p.name for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    if current in names:
        names.remove(current)
        names.insert(0, current)
    for name in names:
        try:
            if fingerprint(read_manifest(releases / name)) == wanted:
                return name
        except ReleaseError:
            continue
    return None
