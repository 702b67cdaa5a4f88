"""What the benchmarks share beyond the harness they share with the tests (tests/harness.py): the
full-size data, the machine header, percentiles and verdicts, a release built and timed, a service
started and timed for a benchmark, its own call log, and client threads over a measured window.

Every benchmark runs from the repository's root as a module: `python -m bench.bench_catalog`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from math import ceil
from pathlib import Path
from typing import Any

import psutil

from tests.harness import SHARED, HarnessError, RunningService, build_release

FILES = ("movies_metadata.csv", "credits.csv")
FULL_DATA = Path("/tmp/marquee-full")
MB = 1024 * 1024


class BenchError(HarnessError):
    """A run or the data set-up failed; the message says which and why."""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of them at or below it (nan for none);
    of 1, 2, 3, 4 the p50 is 2 and the p99 is 4."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, ceil(p / 100 * len(ordered)) - 1)]


def machine(packages: tuple[str, ...]) -> list[str]:
    """The machine and the versions of `packages`: the header of every benchmark's report."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ram = psutil.virtual_memory().total / 2**30
    versions = []
    for package in packages:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return [
        f"machine:  nproc {usable} ({os.cpu_count()} online)"
        f"{', ' + cpu if cpu else ''}, {ram:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"software: python {platform.python_version()} ({sys.executable}), " + ", ".join(versions),
    ]


# -- the full-size data ------------------------------------------------------------------------


def add_data_options(parser: argparse.ArgumentParser, seed_data: str = "--seed-data") -> None:
    """--data (the full-size raw CSVs, made when missing), --synth and the generator's seed data."""
    parser.add_argument(
        "--data",
        type=Path,
        default=FULL_DATA,
        help=f"folder with the full-size raw CSVs; made when missing (default {FULL_DATA})",
    )
    parser.add_argument(
        "--synth",
        type=Path,
        default=SHARED / "tools" / "synth_tmdb.py",
        help="the synth_tmdb.py generator, used when --data lacks the files",
    )
    parser.add_argument(
        seed_data,
        type=Path,
        default=SHARED / "data",
        help="folder with the real 5,000-row movies_metadata.csv and credits.csv the generator grows "
        "(default ../shared/data)",
    )


def load_parser(doc: str, seconds: float, warmup: float) -> argparse.ArgumentParser:
    """The options of a benchmark that starts a service on the full-size data and loads it: the data
    (add_data_options), --seconds measured per load phase after --warmup, --clients, --starts, --seed.
    `doc`: the benchmark's docstring, whose first paragraph describes it."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_data_options(parser)
    parser.add_argument("--seconds", type=float, default=seconds, help=f"measured load window (default {seconds:g})")
    parser.add_argument("--warmup", type=float, default=warmup, help=f"load before the window (default {warmup:g})")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--starts", type=int, default=3, help="fresh server starts timed to SERVING (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of inputs and mix (default 1)")
    return parser


def parse_load_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0:
        parser.error("--seconds must be positive and --warmup not negative")
    if args.clients < 1 or args.starts < 1:
        parser.error("--clients and --starts must be at least 1")
    return args


def has_data(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def generate(folder: Path, synth: Path, seed_data: Path) -> None:
    """Write the full-size set into `folder` via a temp folder: never a half set."""
    for needed in (synth, seed_data / FILES[0], seed_data / FILES[1]):
        if not needed.is_file():
            raise BenchError(f"cannot make the data: {needed} does not exist")
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gen-", dir=folder))
    try:
        print(f"making the full-size data set in {folder} (about 25 s) ...", flush=True)
        movies, credits = (str(seed_data / name) for name in FILES)
        done = subprocess.run(
            [sys.executable, str(synth), "scale", "--movies", movies, "--credits", credits, "--out-dir", str(staging)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"synth_tmdb.py failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        for name in FILES:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_data(folder: Path, synth: Path, seed_data: Path) -> Path:
    """`folder` if it holds both files; else make them there, or in a cache folder when it is not writable."""
    folder = folder.resolve()
    if has_data(folder):
        return folder
    try:
        generate(folder, synth, seed_data)
        return folder
    except PermissionError:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        fallback = cache / "marquee-bench" / "full"
        print(f"{folder} is not writable; using {fallback}", flush=True)
        if not has_data(fallback):
            generate(fallback, synth, seed_data)
        return fallback


def data_sizes(data: Path) -> str:
    return ", ".join(f"{n} {(data / n).stat().st_size / MB:.1f} MB" for n in FILES)


# -- releases and services ---------------------------------------------------------------------


def timed_release(raw: Path, out: Path, quiet: bool = False, **settings: str) -> tuple[Path, float]:
    """tests.harness.build_release, announced and timed: (the `current` folder, the pipeline's wall time)."""
    if not quiet:
        print(f"building a release from {raw} ...", end=" ", flush=True)
    started = time.perf_counter()
    release = build_release(raw, out, **settings)
    seconds = time.perf_counter() - started
    if not quiet:
        print(f"{seconds:.1f} s", flush=True)
    return release, seconds


def release_model(release: Path) -> dict[str, Any]:
    """The release manifest's "model": its parameters, build timings and own recall."""
    model = json.loads((release / "manifest.json").read_text(encoding="utf-8")).get("model")
    if not model:
        raise BenchError(f"the release in {release} has no model in its manifest")
    return dict(model)


class Server(RunningService):
    """A service started for a benchmark: one worker, its JSON call log on (info), the start timed
    from Popen to `health_service` SERVING (polled every `poll_s`), and its memory at that moment."""

    def __init__(self, module: str, prefix: str, service: str, data_dir: Path, log: Path, poll_s: float,
                 health_service: str | None = None) -> None:  # fmt: skip
        self.service = service
        health = service if health_service is None else health_service
        super().__init__(module, prefix, data_dir, health, log, poll_s=poll_s, LOG_LEVEL="info", WORKERS="1")
        self.rss_at_serving_mb = self.rss_mb()

    def loaded_s(self) -> float | None:
        """The server's own "loaded" duration (complete once it has exited and flushed its log)."""
        for entry in self.log_entries():
            if entry.get("msg") == "loaded" and entry.get("grpc_service") == self.service:
                return float(entry["duration_ms"]) / 1000
        return None

    def calls(self, start: float, end: float) -> list[tuple[str, str, float]]:
        """(method, code, duration_ms) of every call the server logged inside [start, end] (time.time())."""
        return [
            (entry["method"], entry["code"], float(entry["duration_ms"]))
            for entry in self.log_entries()
            if entry.get("msg") == "call" and start <= epoch(entry["ts"]) <= end
        ]


def epoch(ts: str) -> float:
    """'2026-11-26T05:50:48.424Z' -> seconds since the epoch."""
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def start_repeatedly(count: int, start: Callable[[int], Server]) -> list[Server]:
    """`count` fresh processes (`start(n)`, n from 1), each timed to SERVING; all but the last stopped again."""
    starts: list[Server] = []
    for n in range(1, count + 1):
        server = start(n)
        starts.append(server)
        print(f"start {n}/{count}: SERVING after {server.serving_s:.3f} s", flush=True)
        if n < count:
            server.stop()
    return starts


def startup_table(starts: list[Server]) -> list[str]:
    """One row per start (times from Popen, the server's own load time, RSS at SERVING, exit code)."""
    lines = [f"  {'start':<8}{'1st answer s':>14}{'SERVING s':>12}{'load s (log)':>14}{'RSS MB':>9}{'exit':>6}"]
    for i, s in enumerate(starts, 1):
        loaded = s.loaded_s()
        lines.append(
            f"  {i:<8}{s.first_answer_s:>14.3f}{s.serving_s:>12.3f}{'-' if loaded is None else f'{loaded:.3f}':>14}"
            f"{s.rss_at_serving_mb:>9.0f}{'killed' if s.exit_code is None else s.exit_code:>6}"
        )
    serving = [s.serving_s for s in starts]
    lines.append(f"  median {statistics.median(serving):.3f} s, max {max(serving):.3f} s")
    return lines


def vm_hwm_mb(pid: int) -> float:
    """The process's peak resident set size so far, from the kernel (no sampling gap)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MB
    raise BenchError(f"no VmHWM in /proc/{pid}/status")


def run_clients(
    clients: int, client: Callable[[int, threading.Event], None], warmup: float, seconds: float, join_s: float
) -> tuple[float, float]:
    """`client(i, stop)` in `clients` threads until `stop` is set: `warmup` seconds, then the measured
    window, whose bounds (time.time()) are returned; the callers keep the calls inside it."""
    stop = threading.Event()
    threads = [threading.Thread(target=client, args=(i, stop), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    start = time.time()
    time.sleep(seconds)
    end = time.time()
    stop.set()
    for thread in threads:
        thread.join(join_s)
    return start, end


def exit_status(name: str, measure: Callable[[Path], bool]) -> int:
    """`measure(work)` in a fresh temporary folder, as a benchmark's exit status: 0 when its targets
    pass, 1 when one fails, 2 when the set-up fails (the harness's error, on stderr)."""
    try:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            ok = measure(Path(tmp))
    except HarnessError as exc:
        print(f"\n{name}: error: {exc}", file=sys.stderr)
        return 2
    return 0 if ok else 1
