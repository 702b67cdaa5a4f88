"""The data report of a release, as the services hand it out: found, checked, read. No gRPC here.

The pipeline writes `report.html` and `report.json` into a release and names them in its manifest
(`"report": {"html": "report.html", "json": "report.json", ...}`), each listed in `files` with its
size and sha256 like every other file. Any complete release of the data folder may be asked for,
not only the one served: an older release's report is still worth reading. A report whose file
does not match the manifest is refused (DamagedReport: DATA_LOSS), never handed out; one larger than the
service's limit is refused too (ReleaseError), before it is read.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from marquee_common.contract import CURRENT_RELEASE, HTML_MEDIA_TYPE, JSON_MEDIA_TYPE, Report
from marquee_common.errors import DamagedRelease, DamagedReport, InvalidQuery, NotFound, ReleaseError
from marquee_common.release import MANIFEST, RELEASES, read_manifest, read_verified
from marquee_common.validation import version_problem

MEDIA_TYPES = {"html": HTML_MEDIA_TYPE, "json": JSON_MEDIA_TYPE}
"""The report's two forms (the manifest's `report` keys) and the media type each is sent as."""
SUGGESTIONS = 5
DEFAULT_MAX_BYTES = 16 << 20


def asked_version(asked: str, serving: str) -> str:
    """The release a request names: `serving` for "" or "current" (spaces around ignored), else the
    version itself once it can name a folder of releases/; InvalidQuery naming the problem if not.

    >>> asked_version(" current ", "V1"), asked_version("", "V1"), asked_version("V0", "V1")
    ('V1', 'V1', 'V0')
    """
    version = asked.strip()
    if version in ("", CURRENT_RELEASE):
        return serving
    problem = version_problem(version)
    if problem is not None:
        shown = version if len(version) <= 40 else version[:40] + "..."
        raise InvalidQuery(f"version {shown!r} {problem}")
    return version


def versions(data_dir: Path, complete: bool = True) -> list[str]:
    """The complete releases of the data folder (those with a manifest), newest first; with
    `complete=False`, every release folder, one whose manifest is missing too (ListReleases lists it,
    with that error).

    Versions begin with their build time, so their names sort by age. A name starting with "." is
    never a release: a build being written (`.tmp-<version>-<pid>`), a release being pruned.
    """
    folder = data_dir / RELEASES
    try:
        found = [p.name for p in folder.iterdir()
                 if not p.name.startswith(".") and ((p / MANIFEST).is_file() if complete else p.is_dir())]  # fmt: skip
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(found, reverse=True)


def suggest(version: str, known: list[str]) -> list[str]:
    """Up to five existing versions for an unknown one: the closest first, then the newest.

    >>> suggest("20261201T1522", ["20261202T0900", "20261201T1523", "20250101T0000"])
    ['20261201T1523', '20261202T0900', '20250101T0000']
    """
    close = difflib.get_close_matches(version, known, n=SUGGESTIONS, cutoff=0.6)
    return [*close, *(v for v in known if v not in close)][:SUGGESTIONS]


def read_report(data_dir: Path, serving: str, asked: str, form: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    """The report of the release `asked` names (see `asked_version`), in `form` ("html" or "json"),
    checked against its manifest. Blocking (it reads and hashes the file): run it off the event loop."""
    version = asked_version(asked, serving)
    folder = data_dir / RELEASES / version
    if not (folder / MANIFEST).is_file():
        close = suggest(version, versions(data_dir))
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else "; the data folder holds none"
        raise NotFound(f"no release {version!r} in the data folder{hint}", close)
    try:
        manifest = read_manifest(folder)
        name = _report_file(data_dir, manifest, version, form)
        listed = manifest.get("files")
        entry = listed.get(name) if isinstance(listed, dict) else None
        size = entry.get("bytes") if isinstance(entry, dict) else None
        if isinstance(size, int) and size > max_bytes:
            raise ReleaseError(f"{name} of release {version} is {size} bytes; this service sends at most {max_bytes}")
        body = read_verified(folder, manifest, name)
    except DamagedRelease as exc:
        raise DamagedReport(version, exc.file, f"{exc.reason}; the report of release {version} is not sent") from None
    sha256 = str(manifest["files"][name]["sha256"])  # read_verified found it listed, and the bytes have it
    return Report(version, str(manifest.get("created_at", "")), MEDIA_TYPES[form], body, sha256)


def with_reports(data_dir: Path) -> list[str]:
    """Up to five releases of the data folder that have a data report, newest first."""
    found = []
    for version in versions(data_dir):
        try:
            manifest = read_manifest(data_dir / RELEASES / version)
        except ReleaseError:
            continue
        if isinstance(manifest.get("report"), dict):
            found.append(version)
            if len(found) == SUGGESTIONS:
                break
    return found


def _report_file(data_dir: Path, manifest: dict[str, Any], version: str, form: str) -> str:
    """The file the manifest names for the report in `form`; NotFound when the release has no report."""
    report = manifest.get("report")
    if report is None:
        others = with_reports(data_dir)
        hint = f"; these releases have one: {', '.join(others)}" if others else ""
        raise NotFound(f"release {version} has no data report: it was built before data reports existed, "
                       f"or without one{hint}", others)  # fmt: skip
    if not isinstance(report, dict):
        raise DamagedRelease(version, MANIFEST, "its 'report' entry is not an object")
    name = report.get(form)
    if name is None:
        has = ", ".join(sorted(k for k in report if k in MEDIA_TYPES)) or "no file"
        raise NotFound(f"release {version} has no {form.upper()} data report (its report has: {has})")
    if not isinstance(name, str) or not name:
        raise DamagedRelease(version, MANIFEST, f"its 'report' entry names no {form} file")
    return name
