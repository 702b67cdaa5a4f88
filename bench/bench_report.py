"""What the data report costs a full-size build: time and size.

    python -m bench.bench_report [--data DIR] [--repeat N]

Targets (issue 12): on the full-size data the report adds at most 10 s to a build and weighs at
most 5 MB (report.html and report.json together).

Each round builds, as separate processes, into a fresh data folder:

1. the full-size data (no predecessor: the report has no "what changed" section);
2. a changed copy of it (the last 5,000 rows left out, every third revenue doubled) into the same
   folder, so its report compares it with the first release (the most a report does);
3. the same changed copy with `--skip-report`, into a folder holding the same first release, so
   (2) and (3) differ only by the report.

The report's own time is the pipeline's (manifest `report.seconds`: figures, plots and page,
reading the predecessor included); the wall-time difference of (2) and (3) is what a user waits
more, imports included. Builds run with `--force` (the changed data fails the gate on purpose).
Targets are judged on the medians over the rounds.

Exit status: 0 when both targets pass, 1 when one fails, 2 when a run or the data set-up fails.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from bench.support import MB, BenchError, add_data_options, data_sizes, ensure_data, machine, verdict
from tests.harness import etl

TIME_TARGET_S = 10.0
SIZE_TARGET_MB = 5.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.bench_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_data_options(parser)
    parser.add_argument("--repeat", type=int, default=2, help="rounds (default 2)")
    return parser.parse_args(argv)


def changed_copy(data: Path, into: Path) -> Path:
    """The full data without its last 5,000 rows, every third revenue doubled: new data that drifts."""
    into.mkdir(parents=True, exist_ok=True)
    movies = pl.read_csv(data / "movies_metadata.csv", infer_schema=False)
    movies = movies.slice(0, movies.height - 5000).with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then((pl.col("revenue").cast(pl.Float64, strict=False) * 2).cast(pl.Int64).cast(pl.String))
        .otherwise(pl.col("revenue"))
        .alias("revenue")
    )
    movies.write_csv(into / "movies_metadata.csv")
    (into / "credits.csv").symlink_to(data / "credits.csv")
    return into


def build(raw: Path, out: Path, *extra: str) -> tuple[float, Path]:
    """(wall seconds, the release folder written) of one pipeline run as a user runs it."""
    started = time.perf_counter()
    done = etl("--raw", str(raw), "--out", str(out), "--force", *extra)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"marquee_etl exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    newest = max((p for p in (out / "releases").iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    return seconds, newest


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        data = ensure_data(args.data, args.synth, args.seed_data)
        rounds = []
        with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
            work = Path(tmp)
            changed = changed_copy(data, work / "changed")
            for i in range(args.repeat):
                out = work / f"with-{i}"
                first_s, first = build(data, out)
                twin = work / f"without-{i}"
                (twin / "releases").mkdir(parents=True)
                shutil.copytree(first, twin / "releases" / first.name, symlinks=True)
                (twin / "current").symlink_to(Path("releases") / first.name)
                # alternate which of the pair goes first, so that drift of the machine hits both alike
                pair = [("with", out, ()), ("without", twin, ("--skip-report",))]
                timed = {}
                for name, folder, extra in pair if i % 2 == 0 else pair[::-1]:
                    timed[name] = build(changed, folder, *extra)
                with_s, second = timed["with"]
                without_s, _ = timed["without"]
                manifests = [json.loads((f / "manifest.json").read_text()) for f in (first, second)]
                sizes = [sum(m["files"][n]["bytes"] for n in ("report.html", "report.json")) / MB for m in manifests]
                rounds.append({
                    "first_report_s": manifests[0]["report"]["seconds"], "first_mb": sizes[0], "first_wall_s": first_s,
                    "second_report_s": manifests[1]["report"]["seconds"], "second_mb": sizes[1],
                    "with_s": with_s, "without_s": without_s, "flagged": manifests[1]["report"]["flagged_figures"],
                    "drifted": manifests[1]["report"]["drifted_fields"],
                })  # fmt: skip
                print(f"round {i + 1}/{args.repeat}: report {rounds[-1]['first_report_s']:.2f} s (first), "
                      f"{rounds[-1]['second_report_s']:.2f} s (with predecessor); build with {with_s:.1f} s, "
                      f"without {without_s:.1f} s", flush=True)  # fmt: skip
    except BenchError as exc:
        print(f"bench_report: error: {exc}", file=sys.stderr)
        return 2

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    added = median("with_s") - median("without_s")
    report_s = max(median("first_report_s"), median("second_report_s"))
    size = max(max(r["first_mb"], r["second_mb"]) for r in rounds)
    time_ok = report_s <= TIME_TARGET_S and added <= TIME_TARGET_S
    size_ok = size <= SIZE_TARGET_MB
    lines = [
        *machine(("polars", "matplotlib", "numpy")),
        f"data: {data} ({data_sizes(data)}); {args.repeat} rounds",
        "",
        f"report step, no predecessor:    median {median('first_report_s'):.2f} s, "
        f"{median('first_mb'):.2f} MB (html + json)",
        f"report step, with predecessor:  median {median('second_report_s'):.2f} s, "
        f"{median('second_mb'):.2f} MB; flagged figures {rounds[-1]['flagged']}, drifted {rounds[-1]['drifted']}",
        f"whole build with the report:    median {median('with_s'):.1f} s",
        f"whole build without (--skip-report): median {median('without_s'):.1f} s; difference {added:+.1f} s",
        "",
        f"target: adds <= {TIME_TARGET_S:.0f} s: {verdict(time_ok)} (report step {report_s:.2f} s, "
        f"wall difference {added:+.1f} s)",
        f"target: weighs <= {SIZE_TARGET_MB:.0f} MB: {verdict(size_ok)} (largest {size:.2f} MB)",
    ]
    print("\n".join(lines), flush=True)
    return 0 if time_ok and size_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
