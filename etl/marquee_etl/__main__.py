"""`python -m marquee_etl --raw DIR --out DIR`: build a release and print a summary."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import polars as pl

from marquee_common.errors import ReleaseError
from marquee_etl import __version__, sources
from marquee_etl.clean import clean
from marquee_etl.release import sha256_file, write_release

T = TypeVar("T")
DEFAULT_RAW = Path(__file__).resolve().parents[2] / "data" / "sample"


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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="marquee_etl", description=__doc__)
    parser.add_argument(
        "--raw",
        type=Path,
        default=Path(os.environ.get("MARQUEE_RAW_DIR") or DEFAULT_RAW),
        help="folder with movies_metadata.csv and credits.csv, plain or .gz "
        "(env MARQUEE_RAW_DIR; default: the bundled data/sample)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("MARQUEE_DATA_DIR") or "var/data"),
        help="output folder holding releases/ and current (env MARQUEE_DATA_DIR; default var/data)",
    )
    parser.add_argument(
        "--skip-model",
        action="store_true",
        help="write the catalog tables only, without the recommendation model "
        "(the recommender refuses such a release; for catalog-only use and benchmarks)",
    )
    return parser.parse_args(argv)


def build(raw: Path, out: Path, skip_model: bool = False) -> int:
    started = datetime.now(UTC)
    steps = Steps(total=3 if skip_model else 4)
    movies_src = sources.find(raw, sources.MOVIES_NAMES)
    credits_src = sources.find(raw, sources.CREDITS_NAMES)
    # Inputs are hashed for the manifest in the background while the pipeline reads them.
    hashing = ThreadPoolExecutor(max_workers=2)
    digests = {
        name: hashing.submit(sha256_file, src.path) for name, src in (("movies", movies_src), ("credits", credits_src))
    }
    movies_raw, credits_raw = steps.run(
        "reading CSV as text", lambda: (sources.read_text_csv(movies_src), sources.read_text_csv(credits_src))
    )
    cleaned = steps.run("cleaning and unnesting", lambda: clean(movies_raw, credits_raw))
    progress = lambda message: print(f"      {message}", file=sys.stderr, flush=True)  # noqa: E731
    write_model = None
    if not skip_model:
        from marquee_etl.model import ModelParams, build_model  # scikit-learn takes a second to import

        write_model = steps.run(
            "building the recommendation model", lambda: build_model(cleaned.tables, ModelParams.from_env(), progress)
        )
    rejects = cleaned.rejects
    by_reason = {
        f"{source}.{reason}": count
        for source, reason, count in rejects.group_by("source", "reason").len().sort("source", "reason").iter_rows()
    }
    inputs = {
        name: {"name": src.path.name, "bytes": src.size, "sha256": digests[name].result()}
        for name, src in (("movies", movies_src), ("credits", credits_src))
    }
    hashing.shutdown()
    version = (
        started.strftime("%Y%m%dT%H%M%S") + f"{started.microsecond // 1000:03d}Z-" + inputs["movies"]["sha256"][:8]
    )
    rows_in = {"movies": movies_raw.height, "credits": credits_raw.height}
    rows_kept = {
        source: rows_in[source] - rejects.filter(pl.col("source") == source).height for source in ("movies", "credits")
    }
    manifest = {
        "created_at": started.isoformat(),
        "code_version": code_version(),
        "inputs": inputs,
        "rows_in": rows_in,
        "rows_kept": rows_kept,
        "rejects_by_reason": by_reason,
        "slow_path_rows": cleaned.slow_path_rows,
    }
    tables = {**cleaned.tables, "rejects": rejects}
    folder = steps.run(
        "validating and writing the release", lambda: write_release(out, version, tables, manifest, extra=write_model)
    )
    print(summary(folder, rows_in, rows_kept, cleaned.tables, by_reason, cleaned.slow_path_rows, steps.done))
    return 0


def summary(
    folder: Path,
    rows_in: dict[str, int],
    rows_kept: dict[str, int],
    tables: dict[str, pl.DataFrame],
    by_reason: dict[str, int],
    slow: dict[str, int],
    steps: list[tuple[str, float]],
) -> str:
    lines = [f"release {folder.name} written to {folder}", ""]
    lines.append(f"rows in:   movies {rows_in['movies']:>8,}   credits {rows_in['credits']:>8,}")
    lines.append(f"rows kept: movies {rows_kept['movies']:>8,}   credits {rows_kept['credits']:>8,}")
    lines.append("tables:    " + ", ".join(f"{name} {frame.height:,}" for name, frame in tables.items()))
    lines.append(f"rejects:   {sum(by_reason.values()):,}" + ("" if by_reason else " (none)"))
    lines.extend(f"  {reason:<40} {count:>8,}" for reason, count in by_reason.items())
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return build(args.raw.resolve(), args.out.resolve(), args.skip_model)
    except (sources.SourceError, ReleaseError, ValueError) as exc:
        print(f"marquee_etl: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
