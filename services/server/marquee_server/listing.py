"""Every release of the data folder, as ReleaseService.ListReleases lists it. No gRPC here.

Read from the manifests alone (no file is hashed: a manifest is a few kilobytes, a release's data
hundreds of megabytes), newest first. A release whose manifest cannot be read, or records a figure
of the wrong kind, is still listed, with what could be read and an `error` ("FILE: REASON"): nothing
in a data folder makes the listing fail. Whether a release is served is the process's own fact;
whether `current` names it is the data folder's (the two differ between a promotion and the swap).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from marquee_common.contract import DEFAULT_RELEASES_LISTED, MAX_RELEASES_LISTED
from marquee_common.errors import InvalidQuery, ReleaseError
from marquee_common.release import MANIFEST, QUALITY, RELEASES, current_version, figures, read_manifest
from marquee_server.reports import MEDIA_TYPES, versions


def asked_limit(limit: int) -> int:
    """How many releases a request lists: `limit`, or the default for 0 (unset); InvalidQuery outside 0..500.

    >>> asked_limit(0), asked_limit(3), asked_limit(500)
    (50, 3, 500)
    """
    if limit == 0:
        return DEFAULT_RELEASES_LISTED
    if not 1 <= limit <= MAX_RELEASES_LISTED:
        raise InvalidQuery(
            f"limit must be between 1 and {MAX_RELEASES_LISTED} (0 or unset lists {DEFAULT_RELEASES_LISTED}), "
            f"got {limit}"
        )
    return limit


def list_releases(data_dir: Path, served: str, limit: int = 0) -> dict[str, Any]:
    """The fields of the ListReleasesResponse message: the newest `limit` releases of `data_dir`, the
    version `current` names and the one `served` (by the process asking). Blocking (it reads every
    manifest listed): run it off the event loop."""
    count = asked_limit(limit)
    try:
        current = current_version(data_dir) or ""
    except ReleaseError:  # `current` is there but is no link: it names no release
        current = ""
    releases = []
    for version in versions(data_dir, complete=False)[:count]:
        listed = describe(data_dir / RELEASES / version)
        listed.update(is_current=version == current, is_served=version == served)
        releases.append(listed)
    return {"releases": releases, "current": current, "served": served}


def describe(folder: Path) -> dict[str, Any]:
    """The fields of one ListedRelease (but `is_current` and `is_served`), from the release's manifest.

    A field the manifest does not hold, or holds as something else than its kind, is left unset
    (None); the second case is also named in `error`.
    """
    try:
        manifest = read_manifest(folder)
    except ReleaseError as exc:
        return {"version": folder.name, "error": exc.message}
    problems: list[str] = []
    try:
        found = figures(manifest)
    except (AttributeError, TypeError):  # 'evaluation' or 'model' is not an object
        found = {"films": None, "quality": dict.fromkeys(QUALITY)}
        problems.append("its 'evaluation' or 'model' entry is not an object")
    built_at = manifest.get("created_at")
    if built_at is not None and not isinstance(built_at, str):
        problems.append(f"'created_at' is {built_at!r}, not a time")
        built_at = None
    films = found["films"]
    if films is not None and not _is_count(films):
        problems.append(f"its count of films is {films!r}, not a count")
        films = None
    quality: dict[str, float | None] = {}
    for name, value in found["quality"].items():
        if value is not None and not _is_figure(value):
            problems.append(f"quality figure {name} is {value!r}, not a number")
            value = None
        quality[name] = None if value is None else float(value)
    report = manifest.get("report")
    findings = None
    if isinstance(report, dict):
        findings = _findings(report, problems)
    elif report is not None:
        problems.append("its 'report' entry is not an object")
    return {
        "version": folder.name,
        "built_at": built_at or "",
        "films": films,
        "quality": quality,
        "report": findings,
        "error": f"{MANIFEST}: {'; '.join(problems)}" if problems else "",
    }


def _findings(report: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The fields of a ReleaseReportSummary: what the data report found against its predecessor, and
    the forms it has ("html", "json": the manifest's names, which the servicer makes ReportFormats)."""
    predecessor = report.get("predecessor")
    flagged = report.get("flagged_figures")
    drifted = report.get("drifted_fields")
    if predecessor is not None and not isinstance(predecessor, str):
        problems.append(f"the report's predecessor is {predecessor!r}, not a version")
        predecessor = None
    if flagged is not None and not _is_count(flagged):
        problems.append(f"the report's flagged_figures is {flagged!r}, not a count")
        flagged = None
    if drifted is not None and not (isinstance(drifted, list) and all(isinstance(f, str) for f in drifted)):
        problems.append(f"the report's drifted_fields is {drifted!r}, not a list of names")
        drifted = None
    forms = [form for form in MEDIA_TYPES if isinstance(report.get(form), str) and report[form]]
    return {"predecessor": predecessor or "", "flagged_figures": flagged, "drifted_fields": sorted(drifted or ()),
            "formats": forms}  # fmt: skip


def _is_count(value: Any) -> bool:
    """A whole number from 0 that fits an int64 (JSON's `true` is no count)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _is_figure(value: Any) -> bool:
    """A finite number (a manifest may hold NaN: json reads it, but it is no figure)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer past any float
        return False
