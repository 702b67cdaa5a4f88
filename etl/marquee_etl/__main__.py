"""`python -m marquee_etl`: build a release, gate it and promote it; `... releases ...`: manage them.

    python -m marquee_etl [build] [--raw DIR] [--out DIR] [--force] [--skip-model] [--skip-report]
    python -m marquee_etl releases list [--json] | show VERSION [--json] | promote VERSION [--force]
                                     | rollback | prune --keep N | diff OLD NEW [--all] [--json]

Exit status: 0 done (or nothing to do), 2 bad input, a data folder that cannot be written or a
damaged release (one line on stderr), 3 the gate refused the release (it is kept, not promoted;
`current` is untouched).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from marquee_common.errors import ReleaseError
from marquee_common.release import CURRENT, RELEASES, current_version, figures, read_manifest, sha256_file
from marquee_etl import __version__, evaluate, lifecycle, ratings, sources
from marquee_etl.clean import clean
from marquee_etl.lifecycle import Decision, GateSettings
from marquee_etl.params import ModelParams, ViewersParams
from marquee_etl.release import write_release
from marquee_etl.report import ReportSettings, diff, write_report

T = TypeVar("T")
DEFAULT_RAW = Path(__file__).resolve().parents[2] / "data" / "sample"
GATE_REFUSED = 3


class Steps:
    """Prints each step as it starts and ends, and keeps the timings for the summary."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        number = len(self.done) + 1
        print(f"[{number}/{self.total}] {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        yield
        took = time.perf_counter() - start
        self.done.append((name, took))
        print(f"[{number}/{self.total}] {name}: {took:.2f} s", file=sys.stderr, flush=True)

    def run(self, name: str, work: Callable[[], T]) -> T:
        with self.step(name):
            return work()


def code_version() -> str:
    """Package version plus the git commit when the code runs from a checkout."""
    commit = os.environ.get("MARQUEE_CODE_COMMIT", "")
    if not commit:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                cwd=Path(__file__).parent,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except OSError:
            commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def _out_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("MARQUEE_DATA_DIR") or "var/data"),
        help="data folder holding releases/, current and history.jsonl (env MARQUEE_DATA_DIR; default var/data)",
    )


def code_hash() -> str:
    """sha256 of the pipeline's own source (marquee_etl and marquee_common): a changed build
    step is a different build even when the version and commit are not (an image, a dirty tree)."""
    import marquee_common

    digest = hashlib.sha256()
    for package in (Path(__file__).parent, Path(marquee_common.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["releases"]:
        return parse_releases_args(argv[1:])
    parser = argparse.ArgumentParser(prog="marquee_etl", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument(
        "--raw",
        type=Path,
        default=Path(os.environ.get("MARQUEE_RAW_DIR") or DEFAULT_RAW),
        help="folder with movies_metadata.csv and credits.csv, plain or .gz "
        "(env MARQUEE_RAW_DIR; default: the bundled data/sample)",
    )
    _out_argument(parser)
    parser.add_argument(
        "--skip-model",
        action="store_true",
        help="write the catalog tables only, without the recommendation model "
        "(the recommender refuses such a release; for catalog-only use and benchmarks)",
    )
    parser.add_argument(
        "--skip-report",
        action="store_true",
        help="write no data report (report.html, report.json) into the release; for benchmarks that time "
        "the cleaning alone",
    )
    parser.add_argument("--force", action="store_true", help="promote the release even if the gate refuses it")
    args = parser.parse_args(argv[1:] if argv[:1] == ["build"] else argv)
    args.command = "build"
    return args


def parse_releases_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="marquee_etl releases", description="list, inspect and move releases")
    _out_argument(parser)
    commands = parser.add_subparsers(dest="action", required=True)
    listing = commands.add_parser("list", help="every release: version, built at, films, quality, size, status")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    show = commands.add_parser("show", help="one release's manifest figures and its history")
    show.add_argument("version")
    show.add_argument("--json", action="store_true", help="the whole manifest as JSON")
    promote = commands.add_parser("promote", help="gate a release against current and point current at it")
    promote.add_argument("version")
    promote.add_argument("--force", action="store_true", help="promote even if the gate refuses it")
    diff = commands.add_parser("diff", help="what changed from release OLD to release NEW (as in the data report)")
    diff.add_argument("old", help="a version, or current")
    diff.add_argument("new", help="a version, or current")
    diff.add_argument("--all", action="store_true", help="every figure, not only the flagged ones")
    diff.add_argument("--json", action="store_true", help="the whole comparison as JSON")
    commands.add_parser("rollback", help="point current at the release promoted before it")
    prune = commands.add_parser("prune", help="remove old releases (never current nor the rollback target)")
    prune.add_argument("--keep", type=int, default=None, help="releases to keep (default MARQUEE_KEEP_RELEASES, 5)")
    args = parser.parse_args(argv)
    args.command = "releases"
    return args


def build(raw: Path, out: Path, skip_model: bool = False, force: bool = False,
          settings: GateSettings | None = None, skip_report: bool = False) -> int:  # fmt: skip
    """Build a release from `raw` into `out`, gate it against current, promote it when it passes."""
    lifecycle.check_writable(out)
    settings = settings or GateSettings.from_env()
    started = datetime.now(UTC)
    movies_src = sources.find(raw, sources.MOVIES_NAMES)
    credits_src = sources.find(raw, sources.CREDITS_NAMES)
    ratings_src = ratings.find_ratings(raw, ratings.RatingsSettings.from_env().ratings)
    steps = Steps(total=(3 if skip_model else 4) + (ratings_src is not None))
    params = None if skip_model else ModelParams.from_env()
    viewers_params = None if skip_model or ratings_src is None else ViewersParams.from_env()
    rating_files = () if ratings_src is None else (ratings_src.ratings, ratings_src.links)
    report_settings = ReportSettings.from_env()
    with ThreadPoolExecutor(max_workers=2) as hashing:
        digests = dict(zip(("movies", "credits"), hashing.map(sha256_file, (movies_src.path, credits_src.path)),
                           strict=True))  # fmt: skip
        rating_digests = list(hashing.map(sha256_file, (src.path for src in rating_files)))
    wanted = {
        "inputs": digests,
        "code_version": code_version(),
        "code_hash": code_hash(),
        "parameters": None if params is None else params.model_dump(),
        "report": not skip_report,
        "ratings": rating_digests or None,
        "viewers": None if viewers_params is None else viewers_params.recorded(),
    }
    existing = lifecycle.same_build(out, wanted)
    if existing is not None:
        if existing == current_version(out):
            print(f"release {existing} is current and was built from these inputs with this code: nothing to do")
            return 0
        print(f"release {existing} was built from these inputs with this code: gating it instead of building again")
        return report(promote_and_say(out, existing, settings, force, "build"))
    movies_raw, credits_raw = steps.run(
        "reading CSV as text", lambda: (sources.read_text_csv(movies_src), sources.read_text_csv(credits_src))
    )
    cleaned = steps.run("cleaning and unnesting", lambda: clean(movies_raw, credits_raw))
    if cleaned.tables["movies"].height == 0:
        reasons = cleaned.rejects.filter(pl.col("source") == "movies").group_by("reason").len().sort("reason")
        raise sources.SourceError(
            f"no film of {movies_src.path} could be kept: its {movies_raw.height:,} row(s) were all set aside ("
            + ", ".join(f"{reason} {count:,}" for reason, count in reasons.iter_rows())
            + ")"
        )

    def progress(message: str) -> None:
        print(f"      {message}", file=sys.stderr, flush=True)

    rated = ratings_entry = None
    if ratings_src is not None:
        found = ratings_src
        rated = steps.run("reading ratings", lambda: ratings.read_ratings(found, cleaned.tables["movies"]["id"]))
        ratings_entry = rated.entry(
            [{"name": src.path.name, "bytes": src.size, "sha256": digest}
             for src, digest in zip(rating_files, rating_digests, strict=True)]
        )  # fmt: skip
        ratings_entry["seconds"] = round(steps.done[-1][1], 3)  # the step's own timing
        progress(_ratings_line(ratings_entry))

    write_model = None
    if not skip_model:
        from marquee_etl.model import build_model  # scikit-learn takes a second to import

        assert params is not None
        write_model = steps.run(
            "building the recommendation model",
            lambda: build_model(
                cleaned.tables, params, progress, None if rated is None else rated.kept, viewers_params
            ),  # fmt: skip
        )
    rejects = cleaned.rejects
    by_reason: dict[str, int] = {
        f"{source}.{reason}": count
        for source, reason, count in rejects.group_by("source", "reason").len().sort("source", "reason").iter_rows()
    }
    inputs = {
        name: {"name": src.path.name, "bytes": src.size, "sha256": digests[name]}
        for name, src in (("movies", movies_src), ("credits", credits_src))
    }
    version = started.strftime("%Y%m%dT%H%M%S") + f"{started.microsecond // 1000:03d}Z-" + digests["movies"][:8]
    rows_in = {"movies": movies_raw.height, "credits": credits_raw.height}
    rows_kept = {
        source: rows_in[source] - rejects.filter(pl.col("source") == source).height for source in ("movies", "credits")
    }
    manifest: dict[str, Any] = {
        "created_at": started.isoformat(),
        "code_version": wanted["code_version"],
        "code_hash": wanted["code_hash"],
        "inputs": inputs,
        "rows_in": rows_in,
        "rows_kept": rows_kept,
        "rejects_by_reason": by_reason,
        "slow_path_rows": cleaned.slow_path_rows,
        "missing_by_column": {
            "movies": sources.missing_by_column(movies_raw),
            "credits": sources.missing_by_column(credits_raw),
        },  # fmt: skip
        "evaluation": evaluate.counts(cleaned.tables, rows_in, by_reason),
    }
    tables = {**cleaned.tables, "rejects": rejects}
    if rated is not None:
        # Apart from `rejects`: ratings about films outside the catalog are no flaw of the films' data.
        tables["ratings_rejects"] = rated.rejects
        manifest["ratings"] = ratings_entry

    def write_with_quality(folder: Path) -> dict[str, Any]:
        assert write_model is not None
        entries = write_model(folder)
        manifest["evaluation"]["quality"] = entries["model"]["quality"]
        return entries

    extra = None if write_model is None else write_with_quality
    predecessor = current_version(out)

    def write_data_report(folder: Path, so_far: dict[str, Any]) -> dict[str, Any]:
        entries = write_report(folder, tables, so_far, None if predecessor is None else out / RELEASES / predecessor,
                               report_settings)  # fmt: skip
        progress(f"data report: {entries['report']['seconds']:.2f} s")
        return entries

    folder = steps.run(
        "validating and writing the release" + ("" if skip_report else " and its data report"),
        lambda: write_release(
            out, version, tables, manifest, extra=extra, after=[] if skip_report else [write_data_report]
        ),  # fmt: skip
    )
    print(summary(folder, rows_in, rows_kept, cleaned.tables, by_reason, cleaned.slow_path_rows, steps.done,
                  manifest.get("ratings")))  # fmt: skip
    return report(promote_and_say(out, version, settings, force, "build"))


def promote_and_say(out: Path, version: str, settings: GateSettings, force: bool, action: str) -> Decision:
    decision = lifecycle.promote(out, version, settings, force=force, action=action)
    if decision.checks:
        print(f"\ngate: release {version} against {decision.previous or 'no current release (floors only)'}")
        for check in decision.checks:
            print(f"  {check.line()}")
    return decision


def report(decision: Decision) -> int:
    """The verdict's last lines and the exit status: 0 promoted, 3 refused."""
    if not decision.promoted:
        print(f"release {decision.version} NOT promoted: {len(decision.failed)} check(s) failed; "
              f"current stays {decision.previous}", file=sys.stderr)  # fmt: skip
        for check in decision.failed:
            print(f"gate failed: {check.figure}: {_show(check.old)} -> {_show(check.new)}; rule: {check.rule}",
                  file=sys.stderr)  # fmt: skip
        print(f"(to promote it anyway: python -m marquee_etl releases promote {decision.version} --force)",
              file=sys.stderr)  # fmt: skip
        return GATE_REFUSED
    if decision.previous == decision.version and not decision.checks:
        print(f"release {decision.version} is already current")
    else:
        forced = f" (FORCED past {len(decision.failed)} failed check(s))" if decision.forced else ""
        print(f"current -> {decision.version}{forced} (was {decision.previous or 'none'})")
    if decision.pruned:
        print(f"pruned: {', '.join(decision.pruned)}")
    return 0


def _show(value: float | int | None) -> str:
    if value is None:
        return "none"
    return f"{value:,}" if isinstance(value, int) else f"{value:.4f}"


def summary(
    folder: Path,
    rows_in: dict[str, int],
    rows_kept: dict[str, int],
    tables: dict[str, pl.DataFrame],
    by_reason: dict[str, int],
    slow: dict[str, int],
    steps: list[tuple[str, float]],
    rated: dict[str, Any] | None = None,
) -> str:
    lines = [f"release {folder.name} written to {folder}", ""]
    lines.append(f"rows in:   movies {rows_in['movies']:>8,}   credits {rows_in['credits']:>8,}")
    lines.append(f"rows kept: movies {rows_kept['movies']:>8,}   credits {rows_kept['credits']:>8,}")
    lines.append("tables:    " + ", ".join(f"{name} {frame.height:,}" for name, frame in tables.items()))
    lines.append(f"rejects:   {sum(by_reason.values()):,}" + ("" if by_reason else " (none)"))
    lines.extend(f"  {reason:<40} {count:>8,}" for reason, count in by_reason.items())
    if rated is not None:
        lines.append("ratings:   " + _ratings_line(rated))
    slow_total = sum(slow.values())
    lines.append(
        f"slow-path literal parses: {slow_total:,}"
        + (" (" + ", ".join(f"{k} {v}" for k, v in slow.items() if v) + ")" if slow_total else "")
    )
    lines.append(
        "time:      "
        + ", ".join(f"{name} {took:.2f} s" for name, took in steps)
        + f"; total {sum(t for _, t in steps):.2f} s"
    )
    return "\n".join(lines)


def _ratings_line(rated: dict[str, Any]) -> str:
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in rated["rejects_by_reason"].items())
    files = rated["files"][0]["name"]
    return (f"{files}: {rated['rows_in']:,} in, {rated['rows_kept']:,} kept ({rated['users']:,} viewers, "
            f"{rated['films_rated']:,} films), set aside: {reasons or 'none'}")  # fmt: skip


def releases(args: argparse.Namespace) -> int:
    out: Path = args.out.resolve()
    if args.action == "list":
        rows = lifecycle.describe(out)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print(release_table(rows))
        return 0
    if args.action == "show":
        return show_release(out, args.version, args.json)
    if args.action == "diff":
        changes = diff(release_folder(out, args.old), release_folder(out, args.new))
        print(json.dumps(changes, indent=2, ensure_ascii=False) if args.json else diff_text(changes, args.all))
        return 0
    if args.action == "promote":
        return report(promote_and_say(out, args.version, GateSettings.from_env(), args.force, "promote"))
    if args.action == "rollback":
        before, to = lifecycle.rollback(out)
        print(f"current -> {to} (rolled back from {before})")
        return 0
    keep = args.keep if args.keep is not None else GateSettings.from_env().keep
    removed = lifecycle.prune(out, keep)
    print(f"pruned {len(removed)} release(s)" + (": " + ", ".join(removed) if removed else ""))
    return 0


def release_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no releases yet: build one with python -m marquee_etl"
    head = f"{'':2}{'version':<32} {'built at':<20} {'films':>8} {'coll@5':>7} {'genre@10':>8} {'recall':>7} " \
           f"{'hold@10':>7} {'size MB':>8}  status"  # fmt: skip
    lines = [head]
    for row in rows:
        quality = row.get("quality") or {}

        def q(name: str, quality: dict[str, Any] = quality) -> str:
            value = quality.get(name)
            return "-" if value is None else f"{value:.3f}"

        marker = "*" if row["status"] == "current" else ("<" if row.get("rollback_target") else "")
        size = "-" if not row.get("bytes") else f"{row['bytes'] / 1e6:.1f}"
        films = "-" if row.get("films") is None else f"{row['films']:,}"
        status = row["status"] + (" (forced)" if row.get("forced") else "") + \
            (", rollback target" if row.get("rollback_target") else "")  # fmt: skip
        if row.get("error"):
            status += f"; DAMAGED: {row['error']}"
        lines.append(f"{marker:<2}{row['version']:<32} {(row.get('built_at') or '-')[:19]:<20} {films:>8} "
                     f"{q('collection_hit_at_5'):>7} {q('genre_jaccard_at_10'):>8} {q('recall_at_10'):>7} "
                     f"{q('holdout_hit_rate_at_10'):>7} {size:>8}  {status}")  # fmt: skip
    lines.append("(* current, < where rollback returns)")
    return "\n".join(lines)


def release_folder(out: Path, version: str) -> Path:
    """The folder of `version` ("current": the release current names); ReleaseError when there is none."""
    if version == CURRENT:
        named = current_version(out)
        if named is None:
            raise ReleaseError(f"no current release in {out}")
        version = named
    folder = out / RELEASES / version
    if "/" in version or version.startswith(".") or not folder.is_dir():
        known = sorted(p.name for p in (out / RELEASES).glob("[!.]*") if p.is_dir())
        raise ReleaseError(f"no release {version} in {out / RELEASES}"
                           + (f" (releases: {', '.join(known[-5:])})" if known else ""))  # fmt: skip
    return folder


def diff_text(changes: dict[str, Any], every: bool) -> str:
    """The comparison as the data report's "What changed" section says it, in plain text."""
    films = changes["films"]
    limits = changes["thresholds"]
    by_field = ", ".join(f"{name} {count:,}" for name, count in films["changed_by_field"].items())
    lines = [
        f"release {changes['new']} against {changes['old']}",
        f"films: {films['old_films']:,} -> {films['new_films']:,}: {films['added']:,} added, "
        f"{films['removed']:,} removed, {films['changed']:,} of {films['kept']:,} kept changed"
        + (f" ({by_field})" if by_field else ""),
        "",
        f"drift of the numeric fields (PSI: watch from {limits['psi_watch']}, drift from {limits['psi_drift']}; "
        "Kolmogorov-Smirnov D and p-value):",
    ]
    for name, field in changes["drift"].items():
        lines.append(f"  {name:<14}PSI {field['psi']:>8.4f}   KS D {field['ks_d']:.4f}  p {field['ks_p']:.4f}  "
                     f"{field['flag'] or 'stable'}")  # fmt: skip
    rows = changes["figures"] if every else [r for r in changes["figures"] if r["flagged"]]
    lines += ["", f"{'every figure' if every else 'flagged figures'}: {len(rows):,} of {len(changes['figures']):,}"
              + ("" if every else " (--all lists every figure)")]  # fmt: skip
    if rows:
        width = max(len(r["figure"]) for r in rows)
        lines.append(f"  {'figure':<{width}}  {'old':>14} {'new':>14} {'change':>14} {'relative':>9}")
        for r in rows:
            relative = "-" if r["relative"] is None else f"{r['relative'] * 100:+.1f}%"
            lines.append(f"{'!' if r['flagged'] else ' '} {r['figure']:<{width}}  {_show(r['old']):>14} "
                         f"{_show(r['new']):>14} {_show(r['change']):>14} {relative:>9}")  # fmt: skip
    return "\n".join(lines)


def show_release(out: Path, version: str, as_json: bool) -> int:
    folder = out / RELEASES / version
    if not folder.is_dir():
        raise ReleaseError(f"no release {version} in {out / RELEASES}")
    manifest = read_manifest(folder)
    history = [e for e in lifecycle.read_history(out) if version in (e.get("to"), e.get("from"), e.get("version"))]
    if as_json:
        print(json.dumps({"manifest": manifest, "history": history}, indent=2, ensure_ascii=False))
        return 0
    found = figures(manifest)
    status = lifecycle.status_of(out).get(version, "built")
    lines = [f"release {version} ({status})", f"  built at         {manifest.get('created_at')}",
             f"  code version     {manifest.get('code_version')}"]  # fmt: skip
    for name, meta in (manifest.get("inputs") or {}).items():
        lines.append(f"  input {name:<12}{meta.get('name')} {meta.get('bytes', 0):,} bytes sha256 {meta.get('sha256')}")
    lines.append(f"  films            {found['films']:,}" if found["films"] is not None else "  films            -")
    evaluation = manifest.get("evaluation") or {}
    if "people" in evaluation:
        lines.append(f"  people           {evaluation['people']:,}")
        lines.append(f"  rejected         {evaluation['rejected']:,} of {sum(evaluation['rows_in'].values()):,} "
                     f"input rows ({evaluation['rejected_share']:.2%})")  # fmt: skip
    for name, value in found["quality"].items():
        lines.append(f"  {lifecycle.QUALITY_LABEL[name]:<18}{'-' if value is None else f'{value:.4f}'}")
    report = manifest.get("report")
    if isinstance(report, dict):
        against = report.get("predecessor")
        drifted = ", ".join(report.get("drifted_fields") or []) or "no field"
        compared = f" (against {against}: {report.get('flagged_figures')} figures flagged, drift in {drifted})"
        lines.append(f"  data report      {out / RELEASES / version / str(report.get('html'))}"
                     + (compared if against else ""))  # fmt: skip
    else:
        lines.append("  data report      none (built before data reports, or with --skip-report)")
    files = manifest.get("files") or {}
    lines.append(f"  files            {len(files)}, {sum(f['bytes'] for f in files.values()) / 1e6:.1f} MB")
    for entry in history:
        what = entry.get("action")
        lines.append(
            f"  {entry.get('time')}  {what}: {entry.get('from')} -> {entry.get('to')}  {entry.get('reason', '')}"
        )
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        if args.command == "releases":
            return releases(args)
        return build(args.raw.resolve(), args.out.resolve(), args.skip_model, args.force,
                     skip_report=args.skip_report)  # fmt: skip
    except (sources.SourceError, lifecycle.DataFolderError, ReleaseError, ValueError) as exc:
        print(f"marquee_etl: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder or file the user cannot write (or read): one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"marquee_etl: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
